#!/usr/bin/env bash
# Installs the browser the console's browser tests drive: Debian's chromium (never a downloaded
# build), and a CJK font so the Chinese screens render in screenshots instead of boxes.
# Idempotent: a second run only asks dpkg and takes well under a second.
set -euo pipefail

APT_PACKAGES=(chromium fonts-noto-cjk)

# shellcheck source=./lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

missing=()
for p in "${APT_PACKAGES[@]}"; do
  if dpkg -s "$p" 2>/dev/null | grep -q '^Status: install ok installed'; then :; else missing+=("$p"); fi
done
if [ "${#missing[@]}" -eq 0 ]; then
  log "apt: ${APT_PACKAGES[*]} already installed"
  exit 0
fi
command -v apt-get >/dev/null || die "apt-get not found; install these by hand: ${missing[*]}"
sudo=()
if [ "$(id -u)" -ne 0 ]; then sudo=(sudo); fi
log "apt: installing ${missing[*]}"
"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
[ -x /usr/bin/chromium ] || die "chromium installed but /usr/bin/chromium is missing"
log "chromium: $(/usr/bin/chromium --version 2>/dev/null || echo unknown version)"
