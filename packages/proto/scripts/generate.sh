#!/usr/bin/env bash
# Generates TypeScript (ts-proto) into src/gen/ from every .proto file under <repo>/proto, and a
# descriptor set into descriptors/crm.binpb from those plus vendor/ (the gRPC health protocol, which
# every service serves and server reflection must describe).
# Run via `npm run generate -w @crm/proto` (or `npm run generate` at the root).
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
PKG_DIR="$(cd "$SCRIPT_DIR/.." && pwd)"
REPO_DIR="$(cd "$PKG_DIR/../.." && pwd)"
PROTO_DIR="$REPO_DIR/proto"
OUT_DIR="$PKG_DIR/src/gen"
DESC_DIR="$PKG_DIR/descriptors"
VENDOR_DIR="$PKG_DIR/vendor"
# Well-known types (google/protobuf/*.proto); Debian's libprotobuf-dev puts them here.
WKT_DIR="${PROTOC_INCLUDE:-/usr/include}"

die() { echo "generate.sh: $*" >&2; exit 1; }

command -v protoc >/dev/null 2>&1 ||
  die "protoc not found. Run deploy/local/install-infra.sh or: sudo apt-get install protobuf-compiler libprotobuf-dev"
[[ -f "$WKT_DIR/google/protobuf/timestamp.proto" ]] ||
  die "google/protobuf/timestamp.proto not found in $WKT_DIR. Run deploy/local/install-infra.sh or: sudo apt-get install protobuf-compiler libprotobuf-dev (or set PROTOC_INCLUDE)"

PLUGIN=""
for candidate in "$REPO_DIR/node_modules/.bin/protoc-gen-ts_proto" "$PKG_DIR/node_modules/.bin/protoc-gen-ts_proto"; do
  if [[ -x "$candidate" ]]; then PLUGIN="$candidate"; break; fi
done
[[ -n "$PLUGIN" ]] || die "protoc-gen-ts_proto not found in node_modules/.bin; run npm install at the repo root"

# All .proto files, relative to the include root, in a stable order.
mapfile -t PROTOS < <(cd "$PROTO_DIR" && find . -name '*.proto' -type f | sed 's|^\./||' | LC_ALL=C sort)
[[ ${#PROTOS[@]} -gt 0 ]] || die "no .proto files under $PROTO_DIR"
mapfile -t VENDORED < <(cd "$VENDOR_DIR" && find . -name '*.proto' -type f | sed 's|^\./||' | LC_ALL=C sort)

TS_PROTO_OPTS=(
  outputServices=nice-grpc
  outputServices=generic-definitions
  useExactTypes=false
  esModuleInterop=true
  env=node
  forceLong=string
  useDate=true
  useOptionals=none
)
TS_PROTO_OPT="$(IFS=,; echo "${TS_PROTO_OPTS[*]}")"

# Wipe previous output so deleted/renamed protos do not leave stale files behind.
rm -rf "$OUT_DIR" "$DESC_DIR"
mkdir -p "$OUT_DIR" "$DESC_DIR"

cd "$PROTO_DIR"
protoc \
  -I "$PROTO_DIR" \
  -I "$WKT_DIR" \
  --plugin=protoc-gen-ts_proto="$PLUGIN" \
  --ts_proto_out="$OUT_DIR" \
  --ts_proto_opt="$TS_PROTO_OPT" \
  "${PROTOS[@]}"
protoc \
  -I "$PROTO_DIR" \
  -I "$VENDOR_DIR" \
  -I "$WKT_DIR" \
  --descriptor_set_out="$DESC_DIR/crm.binpb" \
  --include_imports \
  --include_source_info \
  "${PROTOS[@]}" "${VENDORED[@]}"

echo "generate.sh: ${#PROTOS[@]} proto file(s) -> ${OUT_DIR#"$REPO_DIR"/}, ${DESC_DIR#"$REPO_DIR"/}/crm.binpb"
