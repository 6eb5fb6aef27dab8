#!/usr/bin/env bash
# npm run reset: stops the dev stack, then removes its data, logs and seed marker (.local/dev).
set -euo pipefail
# shellcheck source=./lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
bash "$CRM_DEPLOY_DIR/stop.sh"
rm -rf "$CRM_LOCAL_DIR/dev"
# as root in a private folder the cluster lives under postgres's home (infra.sh, postgres_data_dir)
if [ "$(id -u)" -eq 0 ] && home="$(getent passwd postgres | cut -d: -f6)" && [ -n "$home" ]; then
  rm -rf "$home/crm$CRM_LOCAL_DIR/dev"
fi
printf '[crm] removed %s (the next npm start begins with empty data and seeds again)\n' "$CRM_LOCAL_DIR/dev"
