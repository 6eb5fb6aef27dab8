# One Dockerfile for every deployable: APP names its workspace folder.
#   docker build --build-arg APP=services/lead --build-arg VERSION=0.1.0 -t registry.example.com/crm/lead:0.1.0 .
#   docker build --build-arg APP=gateway       --build-arg VERSION=0.1.0 -t registry.example.com/crm/gateway:0.1.0 .
# Offline / mirror builds: point BUILD_IMAGE and RUNTIME_IMAGE at your mirror (pin digests there),
# NPM_REGISTRY at your npm proxy and DEBIAN_MIRROR at your Debian mirror. No `# syntax=` line on
# purpose: BuildKit's built-in frontend is enough, so an air-gapped build pulls no frontend image.

ARG NODE_MAJOR=22
ARG BUILD_IMAGE=docker.io/library/node:${NODE_MAJOR}-bookworm-slim
# Distroless: node and nothing else (no shell, no package manager); "nonroot" is uid/gid 65532.
ARG RUNTIME_IMAGE=gcr.io/distroless/nodejs${NODE_MAJOR}-debian12:nonroot

# ---------------------------------------------------------------------------- build
FROM ${BUILD_IMAGE} AS build
ARG APP=services/lead
ARG NPM_REGISTRY=""
# A Debian mirror (e.g. https://deb.mirror.example.com) replacing deb.debian.org, for offline builds.
ARG DEBIAN_MIRROR=""
ENV TURBO_TELEMETRY_DISABLED=1 DO_NOT_TRACK=1 NPM_CONFIG_UPDATE_NOTIFIER=false

# protoc and the well-known .proto files for packages/proto's generate step.
RUN if [ -n "$DEBIAN_MIRROR" ]; then \
    sed -i "s|http://deb.debian.org|$DEBIAN_MIRROR|g" /etc/apt/sources.list.d/debian.sources; \
  fi \
  && apt-get update \
  && apt-get install -y --no-install-recommends protobuf-compiler libprotobuf-dev \
  && rm -rf /var/lib/apt/lists/*

WORKDIR /src
# Manifests first, so the dependency layer is rebuilt only when a package.json or the lock changes.
# (COPY cannot keep the folder structure of a glob; a bind mount of the context can.)
RUN --mount=type=bind,target=/ctx \
  cd /ctx \
  && find . -name package.json -not -path '*/node_modules/*' -exec cp --parents {} /src/ \; \
  && cp package-lock.json .npmrc /src/
# Exactly what the lock pins (it holds every platform's optional binaries).
RUN --mount=type=cache,target=/root/.npm \
  if [ -n "$NPM_REGISTRY" ]; then npm config set registry "$NPM_REGISTRY"; fi \
  && npm ci --no-audit --no-fund --ignore-scripts

COPY . .
# The gateway serves the web console at /, so its image carries the console's build output too.
RUN test -f "$APP/package.json" || { echo "APP=$APP is not a workspace folder" >&2; exit 1; } \
  && if [ "$APP" = gateway ]; then WITH_CONSOLE="--filter=./console"; else WITH_CONSOLE=""; fi \
  && npx --no-install turbo run build --filter="./$APP" $WITH_CONSOLE --output-logs=errors-only

# Production dependencies of this one workspace only, then the runtime tree in /out: the root
# node_modules, and package.json + build output of the app and of the shared packages it links to.
RUN --mount=type=cache,target=/root/.npm \
  rm -rf node_modules ./*/*/node_modules gateway/node_modules \
  && npm install --omit=dev --no-audit --no-fund --ignore-scripts --workspace "$APP" \
  && mkdir -p /out \
  && cp -a package.json node_modules /out/ \
  && for ws in packages/* "$APP"; do \
       mkdir -p "/out/$ws" && cp "$ws/package.json" "/out/$ws/"; \
       for d in dist descriptors node_modules; do \
         if [ -d "$ws/$d" ]; then cp -a "$ws/$d" "/out/$ws/"; fi; \
       done; \
     done \
  && if [ "$APP" = gateway ]; then mkdir -p /out/console && cp -a console/dist /out/console/; fi \
  && find /out -name '*.map' -delete

# The opportunity service embeds Noto Sans CJK in quote PDFs (Chinese product names); the runtime image
# has no package manager, so the one font file is copied over from Debian's package here.
RUN mkdir -p /fonts \
  && if [ "$APP" = services/opportunity ]; then \
       apt-get update \
       && apt-get install -y --no-install-recommends fonts-noto-cjk \
       && cp /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc /fonts/ \
       && rm -rf /var/lib/apt/lists/*; \
     fi

# ---------------------------------------------------------------------------- runtime
FROM ${RUNTIME_IMAGE}
ARG APP=services/lead
ARG VERSION=0.0.0-dev
ARG REVISION=unknown
ARG CREATED=unknown
ARG SOURCE=""

LABEL org.opencontainers.image.title="crm ${APP}" \
  org.opencontainers.image.description="Kubernetes-native B2B CRM: ${APP}" \
  org.opencontainers.image.version="${VERSION}" \
  org.opencontainers.image.revision="${REVISION}" \
  org.opencontainers.image.created="${CREATED}" \
  org.opencontainers.image.source="${SOURCE}" \
  org.opencontainers.image.licenses="Apache-2.0" \
  org.opencontainers.image.vendor="crm"

ENV NODE_ENV=production
# Code owned by root and read-only to the process; the chart mounts a writable /tmp.
COPY --from=build /out /app
COPY --from=build /fonts/ /usr/share/fonts/opentype/noto/
WORKDIR /app/${APP}
USER 65532:65532
# The image's entrypoint is node (distroless and the official node images alike), so the chart's
# hook runs `dist/main.js provision` with the same image.
CMD ["dist/main.js"]
