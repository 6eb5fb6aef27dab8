#!/usr/bin/env bash
# Installs what the chart's install tests (charts/crm/test/install) need into <repo>/.cache/tools/bin:
# etcd, kube-apiserver, kube-controller-manager and kubectl, built from the Go module proxy at pinned
# versions (no Docker, no kubelet). Idempotent: a second run only compares version stamps.
#
# `go install k8s.io/kubernetes/cmd/...@v1.34.4` is refused because that go.mod replaces its staging
# modules (k8s.io/api, ...) with ./staging paths; etcd's server module does the same with ../api.
# So each is built inside a throwaway module that requires it and points those replaces at the
# published versions. Cold: about 10 minutes on 2 cores and 2 GB of memory; warm Go cache: seconds.
set -euo pipefail

# ---------------------------------------------------------------------------- pinned versions
KUBE_VERSION="v1.34.4"     # k8s.io/kubernetes; its staging modules are published as v0.34.4
ETCD_VERSION="v3.6.16"     # go.etcd.io/etcd/server/v3
# The CRDs the chart's optional objects need (HTTPRoute, ServiceMonitor), from their Go module zips:
# module version, file inside the module.
CRDS=(
  "sigs.k8s.io/gateway-api@v1.3.0  config/crd/standard/gateway.networking.k8s.io_httproutes.yaml"
  "github.com/prometheus-operator/prometheus-operator@v0.83.0  example/prometheus-operator-crd/monitoring.coreos.com_servicemonitors.yaml"
)

# shellcheck source=./lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

START_MS="$(now_ms)"
TOOLS_BIN="$CRM_CACHE_DIR/tools/bin"
BUILD_DIR="$CRM_CACHE_DIR/kube-build"
mkdir -p "$TOOLS_BIN" "$BUILD_DIR"
# Bump when the way the tools are built changes, so existing builds are redone.
STAMP_FORMAT="build1"

installed() { # installed STAMP_NAME VERSION BIN...: every binary there and the stamp matches
  local stamp="$TOOLS_BIN/$1.version" version="$2" b
  shift 2
  for b in "$@"; do [ -x "$TOOLS_BIN/$b" ] || return 1; done
  [ "$(cat "$stamp" 2>/dev/null)" = "$version $STAMP_FORMAT" ]
}

go_env() {
  # Same module and build caches as install-chart-tools.sh, all under .cache (git-ignored).
  export GOPATH="$CRM_CACHE_DIR/gopath" GOCACHE="$CRM_CACHE_DIR/gocache"
  export GOFLAGS="-buildvcs=false -trimpath -mod=mod" GOTOOLCHAIN="${GOTOOLCHAIN:-local}"
}

# throwaway_module DIR MODULE VERSION REPLACE...: a go.mod requiring MODULE@VERSION with each
# "path version" replace, then the go.sum resolved from the proxy.
throwaway_module() {
  local dir="$1" module="$2" version="$3" r
  shift 3
  mkdir -p "$dir"
  {
    printf 'module crm.local/kube-build\n\ngo 1.24\n\nrequire %s %s\n\nreplace (\n' "$module" "$version"
    for r in "$@"; do printf '\t%s => %s\n' "${r% *}" "$r"; done
    printf ')\n'
  } >"$dir/go.mod"
  (cd "$dir" && go mod download "$module")
}

build_kubernetes() {
  local bins=(kube-apiserver kube-controller-manager kubectl)
  if installed kubernetes "$KUBE_VERSION" "${bins[@]}"; then
    log "kubernetes: ${bins[*]} $KUBE_VERSION already installed"
    return
  fi
  command -v go >/dev/null || die "go not found: it is needed once to build kubernetes $KUBE_VERSION"
  log "kubernetes: building ${bins[*]} $KUBE_VERSION (about 10 minutes the first time)"
  (
    go_env
    local dir="$BUILD_DIR/kubernetes" src staging=() m minor
    src="$(go mod download -json "k8s.io/kubernetes@$KUBE_VERSION" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')"
    [ -n "$src" ] || die "kubernetes: cannot download k8s.io/kubernetes@$KUBE_VERSION"
    # Every ./staging replace of its go.mod, pointed at the published v0.<minor>.<patch>.
    for m in $(sed -n 's/^[[:space:]]*\(k8s\.io\/[a-z0-9-]*\) => \.\/staging\/.*/\1/p' "$src/go.mod"); do
      staging+=("$m v0.${KUBE_VERSION#v1.}")
    done
    [ "${#staging[@]}" -gt 10 ] || die "kubernetes: found no staging replaces in $src/go.mod"
    throwaway_module "$dir" k8s.io/kubernetes "$KUBE_VERSION" "${staging[@]}"
    minor="${KUBE_VERSION#v1.}"
    minor="${minor%%.*}"
    # Without the version stamp the server reports v0.0.0-master and Helm refuses the chart's kubeVersion.
    local ldflags="" pkg
    for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
      ldflags+=" -X $pkg.gitVersion=$KUBE_VERSION -X $pkg.gitMajor=1 -X $pkg.gitMinor=$minor -X $pkg.gitTreeState=clean"
    done
    cd "$dir"
    go build -ldflags="-s -w $ldflags" -o "$TOOLS_BIN/" \
      k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kube-controller-manager k8s.io/kubernetes/cmd/kubectl
  ) || die "kubernetes: build of $KUBE_VERSION failed"
  printf '%s\n' "$KUBE_VERSION $STAMP_FORMAT" >"$TOOLS_BIN/kubernetes.version"
  log "kubernetes: installed ${bins[*]} in $TOOLS_BIN"
}

build_etcd() {
  if installed etcd "$ETCD_VERSION" etcd; then
    log "etcd: $ETCD_VERSION already installed"
    return
  fi
  command -v go >/dev/null || die "go not found: it is needed once to build etcd $ETCD_VERSION"
  log "etcd: building $ETCD_VERSION"
  (
    go_env
    local dir="$BUILD_DIR/etcd" m replaces=()
    for m in go.etcd.io/etcd/api/v3 go.etcd.io/etcd/client/pkg/v3 go.etcd.io/etcd/client/v3 go.etcd.io/etcd/pkg/v3; do
      replaces+=("$m $ETCD_VERSION")
    done
    throwaway_module "$dir" go.etcd.io/etcd/server/v3 "$ETCD_VERSION" "${replaces[@]}"
    cd "$dir"
    go build -ldflags="-s -w" -o "$TOOLS_BIN/etcd" go.etcd.io/etcd/server/v3
  ) || die "etcd: build of $ETCD_VERSION failed"
  printf '%s\n' "$ETCD_VERSION $STAMP_FORMAT" >"$TOOLS_BIN/etcd.version"
  log "etcd: installed $TOOLS_BIN/etcd"
}

install_crds() {
  local dir="$CRM_CACHE_DIR/tools/crds" line module file src
  mkdir -p "$dir"
  for line in "${CRDS[@]}"; do
    # shellcheck disable=SC2086
    set -- $line
    module="$1" file="$2"
    [ -s "$dir/$(basename "$file")" ] && [ "$(cat "$dir/$(basename "$file").version" 2>/dev/null)" = "$module" ] && continue
    src="$(go_env && cd "$CRM_CACHE_DIR" && go mod download -json "$module" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')"
    [ -f "$src/$file" ] || die "CRD $file not found in $module"
    cp "$src/$file" "$dir/$(basename "$file")"
    printf '%s\n' "$module" >"$dir/$(basename "$file").version"
  done
  log "CRDs in $dir"
}

install_crds
build_etcd
build_kubernetes
log "kube tools installed in $(elapsed_s "$START_MS") s"
