#!/usr/bin/env bash
# Installs the local infrastructure: PostgreSQL, NATS and protoc from Debian packages; FerretDB and
# Keycloak into <repo>/.cache.
# Idempotent: a second run only checks and takes well under 2 s.
set -euo pipefail

# ---------------------------------------------------------------------------- pinned versions
FERRETDB_VERSION="v1.24.0"                 # FerretDB 1.x (PostgreSQL backend), built from the Go module proxy
KEYCLOAK_VERSION="26.4.7"                  # org.keycloak:keycloak-quarkus-dist
KEYCLOAK_MIN_JAVA=21                       # Keycloak 26.4 needs Java 21+
# postgresql: FerretDB's backend (15 on Debian 12). The package also creates a cluster of its own on
# 5432, which the local stack leaves alone (infra.sh runs one cluster per profile under .local/).
# fonts-noto-cjk: the opportunity service embeds Noto Sans CJK in quote PDFs (Chinese product names).
APT_PACKAGES=(nats-server postgresql protobuf-compiler libprotobuf-dev curl fonts-noto-cjk)

# shellcheck source=./lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

START_MS="$(now_ms)"
BIN_DIR="$CRM_CACHE_DIR/bin"
mkdir -p "$CRM_CACHE_DIR" "$BIN_DIR"
bash "$CRM_DEPLOY_DIR/install-chart-tools.sh" || warn "chart tools (helm, kube-score) not installed: the chart checks will fail"
bash "$CRM_DEPLOY_DIR/install-kube-tools.sh" || warn "kube tools (etcd, kube-apiserver) not installed: the chart install tests will fail"

# ---------------------------------------------------------------------------- 1. Debian packages
install_apt() {
  local missing=() p
  for p in "${APT_PACKAGES[@]}"; do
    if dpkg -s "$p" 2>/dev/null | grep -q '^Status: install ok installed'; then :; else missing+=("$p"); fi
  done
  if [ "${#missing[@]}" -eq 0 ]; then
    log "apt: ${APT_PACKAGES[*]} already installed"
    return
  fi
  command -v apt-get >/dev/null || die "apt-get not found; install these by hand: ${missing[*]}"
  local sudo=()
  if [ "$(id -u)" -ne 0 ]; then sudo=(sudo); fi
  log "apt: installing ${missing[*]}"
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

# ---------------------------------------------------------------------------- 2. FerretDB
install_ferretdb() {
  local bin="$BIN_DIR/ferretdb" stamp="$BIN_DIR/ferretdb.version"
  if [ -x "$bin" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$FERRETDB_VERSION" ]; then
    log "ferretdb: $FERRETDB_VERSION already built ($bin)"
    return
  fi
  command -v go >/dev/null || die "go not found: it is needed once to build FerretDB $FERRETDB_VERSION"
  local build="$CRM_CACHE_DIR/ferretdb-build"
  log "ferretdb: building $FERRETDB_VERSION from the Go module proxy (takes a few minutes the first time)"
  # `go install pkg@version` does not work here (the proxy refuses the version list it reads for the
  # deprecation check), so build inside a throwaway module. Two more traps:
  #  - `go get` must name the *package* (cmd/ferretdb), not the module, or go.sum lacks the
  #    dependencies of the command;
  #  - the module zip has no build/version/version.txt (generated upstream by `task gen-version`)
  #    and the binary panics at start without it, so build from a writable copy of the module
  #    source with that file added (go.mod `replace` to ./src).
  rm -rf "$build"
  mkdir -p "$build"
  (
    cd "$build"
    export GOPATH="$CRM_CACHE_DIR/gopath" GOCACHE="$CRM_CACHE_DIR/gocache" GOFLAGS=-buildvcs=false
    export GOTOOLCHAIN="${GOTOOLCHAIN:-local}"
    go mod init crm-local/ferretdb-build >/dev/null 2>&1
    go get "github.com/FerretDB/FerretDB/cmd/ferretdb@$FERRETDB_VERSION"
    src="$(go mod download -json "github.com/FerretDB/FerretDB@$FERRETDB_VERSION" \
      | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')"
    [ -d "$src" ] || die "ferretdb: module source for $FERRETDB_VERSION not found"
    cp -r "$src" src
    chmod -R u+w src
    printf '%s\n' "$FERRETDB_VERSION" >src/build/version/version.txt
    printf 'crm-local\n' >src/build/version/package.txt
    go mod edit -replace github.com/FerretDB/FerretDB=./src
    go build -o "$bin.tmp" github.com/FerretDB/FerretDB/cmd/ferretdb
  )
  "$bin.tmp" --version >/dev/null || die "ferretdb: the built binary does not run"
  mv -f "$bin.tmp" "$bin"
  printf '%s\n' "$FERRETDB_VERSION" >"$stamp"
  log "ferretdb: built $bin ($("$bin" --version 2>/dev/null | head -n1))"
}

# ---------------------------------------------------------------------------- 3. Keycloak
install_keycloak() {
  local dist="$CRM_CACHE_DIR/keycloak-$KEYCLOAK_VERSION"
  local tgz="$CRM_CACHE_DIR/dl/keycloak-quarkus-dist-$KEYCLOAK_VERSION.tar.gz"
  if [ -x "$dist/bin/kc.sh" ] && [ -f "$dist/.crm-unpacked" ]; then
    log "keycloak: $KEYCLOAK_VERSION already unpacked ($dist)"
    return
  fi
  if [ ! -s "$tgz" ]; then
    command -v mvn >/dev/null || die "mvn not found: it is needed once to download Keycloak $KEYCLOAK_VERSION"
    log "keycloak: downloading org.keycloak:keycloak-quarkus-dist:$KEYCLOAK_VERSION:tar.gz via maven"
    mvn -q -Dmaven.repo.local="$CRM_CACHE_DIR/m2" dependency:copy \
      -Dartifact="org.keycloak:keycloak-quarkus-dist:$KEYCLOAK_VERSION:tar.gz" \
      -DoutputDirectory="$CRM_CACHE_DIR/dl"
    [ -s "$tgz" ] || die "keycloak download did not produce $tgz"
  fi
  log "keycloak: unpacking $KEYCLOAK_VERSION into $dist"
  local tmp="$CRM_CACHE_DIR/.keycloak-unpack.$$"
  rm -rf "$tmp" "$dist"
  mkdir -p "$tmp"
  tar xzf "$tgz" -C "$tmp"
  mv "$tmp/keycloak-$KEYCLOAK_VERSION" "$dist"
  rm -rf "$tmp"
  touch "$dist/.crm-unpacked"
}

# ---------------------------------------------------------------------------- 4. Java for Keycloak
KC_JAVA_HOME=""
select_java() {
  if ! KC_JAVA_HOME="$(find_java "$KEYCLOAK_MIN_JAVA")"; then
    die "Keycloak $KEYCLOAK_VERSION needs a JDK >= $KEYCLOAK_MIN_JAVA; none found in \$JAVA_HOME or /usr/lib/jvm/* \
(install one, e.g. apt-get install openjdk-21-jdk-headless, or set JAVA_HOME)"
  fi
  log "java: using $KC_JAVA_HOME (Java $(java_major "$KC_JAVA_HOME")) for Keycloak"
}

install_apt
install_ferretdb
install_keycloak
select_java

# Record what infra.sh needs (rewritten only when it changes).
env_new="$(cat <<EOF
# Written by deploy/local/install-infra.sh; do not edit.
FERRETDB_VERSION='$FERRETDB_VERSION'
FERRETDB_BIN='$BIN_DIR/ferretdb'
KEYCLOAK_VERSION='$KEYCLOAK_VERSION'
KEYCLOAK_DIST='$CRM_CACHE_DIR/keycloak-$KEYCLOAK_VERSION'
KC_JAVA_HOME='$KC_JAVA_HOME'
EOF
)"
if [ "$(cat "$CRM_INFRA_ENV" 2>/dev/null)" != "$env_new" ]; then
  printf '%s\n' "$env_new" >"$CRM_INFRA_ENV"
  log "wrote $CRM_INFRA_ENV"
fi
log "infrastructure installed in $(elapsed_s "$START_MS") s"
