#!/usr/bin/env bash
# Installs schemathesis (the OpenAPI fuzzer of test/integration/fuzz.int.test.ts) into a venv in the
# infrastructure cache, once, and prints the path of its `st` command. Needs python3 with venv.
set -euo pipefail
VERSION=4.32.5
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
VENV="${CRM_CACHE_DIR:-$ROOT/.cache}/tools/schemathesis-$VERSION"
# The marker is written last, so an interrupted install starts over.
if [[ ! -f "$VENV/.installed" ]]; then
  rm -rf "$VENV"
  python3 -m venv "$VENV" >&2
  "$VENV/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$VERSION" >&2
  touch "$VENV/.installed"
fi
echo "$VENV/bin/st"
