#!/usr/bin/env bash
# Installs the tools the Helm chart checks need (charts/crm/test) into <repo>/.cache/tools/bin:
# helm and kube-score, built with `go install` from the Go module proxy at pinned versions.
# Idempotent: a second run only compares version stamps and takes well under a second.
set -euo pipefail

# ---------------------------------------------------------------------------- pinned versions
# One line per tool: name, Go package, version. The proxy refuses version lists for some modules,
# so always pin an exact version.
TOOLS=(
  "helm        helm.sh/helm/v3/cmd/helm                v3.22.0"
  "kube-score  github.com/zegl/kube-score/cmd/kube-score  v1.20.0"
)

# shellcheck source=./lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

START_MS="$(now_ms)"
TOOLS_BIN="$CRM_CACHE_DIR/tools/bin"
mkdir -p "$TOOLS_BIN"
# Bump when the way the tools are built changes, so existing builds are redone.
STAMP_FORMAT="build2"

# helm_ldflags: what helm's Makefile sets. Without them a `go install`ed helm reports version "v3.22"
# and assumes Kubernetes 1.20, so `helm template` refuses charts needing a newer one and the lint's
# deprecation rules check against 1.20. The Kubernetes minor comes from helm's own client-go.
helm_ldflags() {
  local version="$1" dir minor
  dir="$(go mod download -json "helm.sh/helm/v3@$version" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')"
  minor="$(sed -n 's/^[[:space:]]*k8s.io\/client-go v0\.\([0-9]*\)\..*/\1/p' "$dir/go.mod" | head -n1)"
  [ -n "$minor" ] || die "helm: cannot read the client-go version from $dir/go.mod"
  printf '%s' "-X helm.sh/helm/v3/internal/version.version=$version \
-X helm.sh/helm/v3/pkg/lint/rules.k8sVersionMajor=1 -X helm.sh/helm/v3/pkg/lint/rules.k8sVersionMinor=$minor \
-X helm.sh/helm/v3/pkg/chartutil.k8sVersionMajor=1 -X helm.sh/helm/v3/pkg/chartutil.k8sVersionMinor=$minor"
}

# install_tool NAME PACKAGE VERSION: go install into TOOLS_BIN unless that version is already there.
install_tool() {
  local name="$1" pkg="$2" version="$3" bin stamp
  bin="$TOOLS_BIN/$name"
  stamp="$TOOLS_BIN/$name.version"
  if [ -x "$bin" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$version $STAMP_FORMAT" ]; then
    log "$name: $version already installed ($bin)"
    return
  fi
  command -v go >/dev/null || die "go not found: it is needed once to build $name $version"
  log "$name: building $version from the Go module proxy (a few minutes the first time)"
  (
    # Same module and build caches as install-infra.sh, all under .cache (git-ignored).
    export GOPATH="$CRM_CACHE_DIR/gopath" GOCACHE="$CRM_CACHE_DIR/gocache" GOBIN="$TOOLS_BIN"
    export GOFLAGS="-buildvcs=false -trimpath" GOTOOLCHAIN="${GOTOOLCHAIN:-local}"
    cd "$CRM_CACHE_DIR"
    local ldflags=""
    if [ "$name" = helm ]; then ldflags="$(helm_ldflags "$version")"; fi
    go install -ldflags="$ldflags" "$pkg@$version"
  ) || die "$name: go install $pkg@$version failed"
  [ -x "$bin" ] || die "$name: go install did not produce $bin"
  printf '%s\n' "$version $STAMP_FORMAT" >"$stamp"
  log "$name: installed $bin"
}

for line in "${TOOLS[@]}"; do
  # shellcheck disable=SC2086
  install_tool $line
done
log "chart tools installed in $(elapsed_s "$START_MS") s"
