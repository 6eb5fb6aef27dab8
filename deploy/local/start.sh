#!/usr/bin/env bash
# npm start: install what is missing, build, start the dev infrastructure and apps in the
# background, wait for the gateway's /readyz, seed demo data on the first start, print the URLs.
# Run again, it starts only what is not running. `npm stop` stops everything it started.
set -euo pipefail

# shellcheck source=./lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
export TURBO_TELEMETRY_DISABLED=1 DO_NOT_TRACK=1
cd "$CRM_ROOT"

say() { printf '[crm] %s\n' "$*"; }
fail() { printf '[crm] ERROR: %s\n' "$*" >&2; exit 1; }

T0="$(now_ms)"
bash "$CRM_DEPLOY_DIR/install-infra.sh" || fail "installing the infrastructure failed (see above)"
ensure_node_modules || fail "npm ci failed (see above)"
turbo_build || fail "the build failed (see above)"
bash "$CRM_DEPLOY_DIR/infra.sh" start dev || fail "the infrastructure did not start (see above; npm stop stops what did)"
bash "$CRM_DEPLOY_DIR/apps.sh" start dev || fail "the services did not come up (see the log tails above; npm stop stops what did)"

profile_load dev
user_mongo="${MONGODB_URI:-}"
eval "$(bash "$CRM_DEPLOY_DIR/infra.sh" env dev)"
[ -z "$user_mongo" ] || MONGODB_URI="$user_mongo"
eval "$(bash "$CRM_DEPLOY_DIR/apps.sh" env dev)"

SEED_MARKER="$PROFILE_DIR/seeded"
seed_failed=0
if [ ! -f "$SEED_MARKER" ]; then
  say "seeding demo data (first start)"
  if GATEWAY_URL="$GATEWAY_URL" KEYCLOAK_URL="$KEYCLOAK_URL" node "$CRM_DEPLOY_DIR/seed.mjs"; then
    date -Is >"$SEED_MARKER"
  else
    seed_failed=1
  fi
fi

cat <<EOF

CRM is running (dev profile, ready in $(elapsed_s "$T0") s). Stop it with: npm stop

  Gateway / support console  $GATEWAY_URL/
  API base                   $GATEWAY_URL/api/v1
  API docs                   $GATEWAY_URL/api/docs
  OpenAPI 3.1 document       $GATEWAY_URL/api/v1/openapi.json
  Health / ready / metrics   $GATEWAY_URL/healthz  /readyz  /metrics
  Keycloak (realm crm)       $KEYCLOAK_URL/realms/crm   (admin console $KEYCLOAK_URL/admin, master admin/admin)
  NATS (JetStream)           $NATS_URL   monitoring http://$HOST:$NATS_MONITOR_PORT
  MongoDB-compatible server  $MONGODB_URI
  PostgreSQL (its storage)   postgres://crm@$HOST:$POSTGRES_PORT/crm   (password in $PROFILE_DIR/postgres/password)
  Logs                       $LOG_DIR/

Demo logins (realm crm, password crm-demo, local development only):
  admin (crm-admin), manager (sales-manager), rep1 and rep2 (sales-rep),
  approver (approver), agent (support-agent), supportlead (support-manager)
  client crm-integrator (client credentials) secret: $CRM_DEV_INTEGRATOR_SECRET

Get a token and call the API:
  TOKEN=\$(curl -s -d grant_type=password -d client_id=crm-cli -d username=rep1 -d password=crm-demo \\
    $KEYCLOAK_URL/realms/crm/protocol/openid-connect/token | node -pe 'JSON.parse(require("fs").readFileSync(0)).access_token')
  curl -s -H "Authorization: Bearer \$TOKEN" $GATEWAY_URL/api/v1/leads
EOF

if [ "$seed_failed" -ne 0 ]; then
  fail "the stack is running, but seeding the demo data failed (see above); run npm start again to retry"
fi
