#!/usr/bin/env bash
# npm stop: stops the dev apps and the dev infrastructure that `npm start` started (pid files only).
# Data stays under .local/dev (`npm run reset` removes it).
set -uo pipefail
D="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
rc=0
bash "$D/apps.sh" stop dev || rc=1
bash "$D/infra.sh" stop dev || rc=1
exit "$rc"
