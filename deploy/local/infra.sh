#!/usr/bin/env bash
# Local infrastructure: PostgreSQL, FerretDB (MongoDB wire protocol on that PostgreSQL), NATS
# (JetStream), Keycloak (realm crm).
#
#   deploy/local/infra.sh start  [dev|test]   start what is not running, wait until ready (420 s)
#   deploy/local/infra.sh stop   [dev|test]   stop what this script started (pid files)
#   deploy/local/infra.sh status [dev|test]   print each component up/down (exit 0 only if all up)
#   deploy/local/infra.sh env    [dev|test]   print NATS_URL, NATS_<USER>_PASSWORD, MONGODB_URI, ... as shell lines
#
# Profiles (everything binds 127.0.0.1; data under .local/<profile>/; deploy/local/README.md has more):
#   dev : PostgreSQL 5433, FerretDB 27017, NATS 4222 (monitor 8222), Keycloak 8180 (management 9000)
#   test: PostgreSQL 15433, FerretDB 37017, NATS 14222 (monitor 18222), Keycloak 18180 (management 19000)
# Ports can be overridden with CRM_<PROFILE>_{POSTGRES_PORT,MONGO_PORT,NATS_PORT,NATS_MONITOR_PORT,
# KEYCLOAK_PORT,KEYCLOAK_MGMT_PORT}, e.g. CRM_TEST_KEYCLOAK_PORT=28180.
#
# The dev profile keeps its data between runs (the realm is imported on Keycloak's first start only).
# The test profile starts every component it (re)starts from empty data: Keycloak runs on an
# in-memory database and imports the realm each time, the PostgreSQL cluster and the NATS and
# FerretDB data dirs are wiped.
set -euo pipefail

# shellcheck source=./lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

COMPONENTS=(postgres ferretdb nats keycloak) # postgres first: cmd_start waits for it before FerretDB
# FerretDB's login to PostgreSQL, which is also the login MONGODB_URI carries (FerretDB 1.x checks a
# client's user and password by connecting to PostgreSQL with them). The password is generated
# once per profile and kept in .local/<profile>/postgres/password.
POSTGRES_USER=crm
POSTGRES_DB=crm
# Keycloak's first start in a profile builds its server (the Quarkus augmentation): on a busy 2-core
# machine that alone took 88 s and the whole start more than 180 s. The wait ends at once when a
# process exits, so a generous limit only costs time when something truly hangs.
START_TIMEOUT="${CRM_INFRA_START_TIMEOUT:-420}"

usage() {
  sed -n '2,9p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
  exit 2
}

# ---------------------------------------------------------------------------- per component

addr_of() {
  case "$1" in
    postgres) printf 'postgres://%s@%s:%s/%s (password in %s)' "$POSTGRES_USER" "$HOST" "$POSTGRES_PORT" \
      "$POSTGRES_DB" "$(postgres_password_file)" ;;
    nats)     printf 'nats://%s:%s (users %s, passwords in %s; monitoring http://%s:%s)' "$HOST" "$NATS_PORT" \
      "$(nats_user_names | paste -sd, -)" "$(dirname "$(nats_password_file x)")" "$HOST" "$NATS_MONITOR_PORT" ;;
    ferretdb) printf 'mongodb://%s:%s/' "$HOST" "$MONGO_PORT" ;;
    keycloak) printf 'http://%s:%s/realms/crm (management http://%s:%s)' "$HOST" "$KEYCLOAK_PORT" "$HOST" "$KEYCLOAK_MGMT_PORT" ;;
  esac
}

main_port_of() {
  case "$1" in
    nats) echo "$NATS_PORT" ;; ferretdb) echo "$MONGO_PORT" ;; keycloak) echo "$KEYCLOAK_PORT" ;;
    postgres) echo "$POSTGRES_PORT" ;;
  esac
}

ports_of() {
  case "$1" in
    nats) echo "$NATS_PORT $NATS_MONITOR_PORT" ;; ferretdb) echo "$MONGO_PORT" ;;
    postgres) echo "$POSTGRES_PORT" ;;
    keycloak) echo "$KEYCLOAK_PORT $KEYCLOAK_MGMT_PORT" ;;
  esac
}

ready() {
  case "$1" in
    postgres) "$POSTGRES_BIN/pg_isready" -q -h "$HOST" -p "$POSTGRES_PORT" -t 2 ;;
    nats)     http_ok "http://$HOST:$NATS_MONITOR_PORT/healthz?js-enabled-only=true" ;;
    ferretdb) tcp_open "$HOST" "$MONGO_PORT" ;;
    keycloak) http_ok "http://$HOST:$KEYCLOAK_PORT/realms/crm/.well-known/openid-configuration" ;;
  esac
}

log_of() { printf '%s/%s.log' "$LOG_DIR" "$1"; }
no_description() { :; }

start_nats() {
  local dir="$PROFILE_DIR/nats"
  [ "$PROFILE" = test ] && rm -rf "$dir/jetstream"
  mkdir -p "$dir"
  write_nats_config
  spawn nats "$(log_of nats)" nats-server -c "$(nats_config_file)"
}

# ---------------------------------------------------------------------------- nats users
# One NATS user per client, no anonymous access. One line per user: name, the streams it provisions
# (it may create and update them; a KV_ bucket also read), the subjects it publishes, and the
# consumers it pulls from (STREAM/durable/filter: it may create that durable with that filter only,
# pull and ack). Lists are
# comma-separated, `-` for none. Nothing else is allowed: a user cannot read a stream it does not
# consume nor publish on another client's subjects. A new service is one line here (and its
# NATS_USER/NATS_PASSWORD reach it through apps.sh). deploy/kubernetes/nats-values.yaml has the same
# users for the official NATS chart: change both together.
OWNERSHIP_REPORTS=crm.ownership.v1.OwnershipTransferProgressed,crm.ownership.v1.RecordClaimedFromPool,crm.ownership.v1.RecordReleasedToPool
OWNERSHIP_REQUESTS=CRM_OWNERSHIP/%s-ownership-transfer/crm.ownership.v1.OwnershipTransferRequested
NATS_USERS=(
  "lead     CRM_LEAD,CRM_OWNERSHIP     crm.lead.>,$OWNERSHIP_REPORTS  CRM_ACCOUNT/lead-activity-logged/crm.account.v1.ActivityLogged,CRM_ACCOUNT/lead-task-completed/crm.account.v1.TaskCompleted,CRM_ACCOUNT/lead-accounts-merged/crm.account.v1.AccountsMerged,$(printf "$OWNERSHIP_REQUESTS" lead)"
  "account  CRM_ACCOUNT,CRM_OWNERSHIP  crm.account.>,$OWNERSHIP_REPORTS,crm.ownership.v1.OwnershipTransferRequested  $(printf "$OWNERSHIP_REQUESTS" account),CRM_OWNERSHIP/account-ownership-progress/crm.ownership.v1.OwnershipTransferProgressed,CRM_ANALYTICS/account-rfm-segment/crm.analytics.v1.AccountSegmentChanged"
  "analytics  CRM_ANALYTICS  crm.analytics.>,\$JS.API.STREAM.INFO.CRM_LEAD,\$JS.API.STREAM.INFO.CRM_ACCOUNT,\$JS.API.STREAM.INFO.CRM_OPPORTUNITY,\$JS.API.STREAM.MSG.GET.CRM_LEAD,\$JS.API.STREAM.MSG.GET.CRM_ACCOUNT,\$JS.API.STREAM.MSG.GET.CRM_OPPORTUNITY,\$JS.API.STREAM.INFO.CRM_SERVICE_TICKET,\$JS.API.STREAM.MSG.GET.CRM_SERVICE_TICKET  CRM_LEAD/analytics-lead/crm.lead.>,CRM_ACCOUNT/analytics-account/crm.account.>,CRM_OPPORTUNITY/analytics-opportunity/crm.opportunity.>,CRM_SERVICE_TICKET/analytics-service-ticket/crm.serviceticket.>"
  "opportunity  CRM_OPPORTUNITY,CRM_OWNERSHIP  crm.opportunity.>,$OWNERSHIP_REPORTS  CRM_APPROVAL/opportunity-approval-decided/crm.approval.v1.ApprovalRequestDecided,$(printf "$OWNERSHIP_REQUESTS" opportunity),CRM_ACCOUNT/opportunity-account-owner/crm.account.v1.AccountUpdated,CRM_ACCOUNT/opportunity-accounts-merged/crm.account.v1.AccountsMerged"
  "approval  CRM_APPROVAL  crm.approval.>  -"
  "service-ticket  CRM_SERVICE_TICKET  crm.serviceticket.>  CRM_ACCOUNT/service-ticket-account-owner/crm.account.v1.AccountOwnerChanged,CRM_ACCOUNT/service-ticket-accounts-merged/crm.account.v1.AccountsMerged"
  "gateway  KV_gateway_idempotency     \$KV.gateway_idempotency.>  -"
)

nats_config_file() { printf '%s/nats/nats-server.conf' "$PROFILE_DIR"; }
nats_password_file() { printf '%s/nats/users/%s.password' "$PROFILE_DIR" "$1"; }
nats_user_names() {
  local l
  for l in "${NATS_USERS[@]}"; do set -- $l; printf '%s\n' "$1"; done
  [ "$PROFILE" = test ] && printf 'observer\n'
  return 0
}

# The test profile's `observer`: integration tests read the streams through it to check what was
# published (it may create consumers and pull, never publish an event). No other profile has it.
nats_observer_block() {
  local pub=('$JS.API.INFO' '$JS.API.STREAM.INFO.>' '$JS.API.CONSUMER.CREATE.>' '$JS.API.CONSUMER.INFO.>'
    '$JS.API.CONSUMER.DELETE.>' '$JS.API.CONSUMER.MSG.NEXT.>' '$JS.ACK.>')
  printf '    { user: "observer", password: "%s", permissions: {\n' "$(nats_password observer)"
  printf '        publish: { allow: [%s] }\n' "$(quoted_list "${pub[@]}")"
  printf '        subscribe: { allow: ["_INBOX_observer.>"] } } }\n'
}

# nats_password USER: prints the user's password, generating it on first use (kept per profile).
nats_password() {
  local f
  f="$(nats_password_file "$1")"
  if [ ! -s "$f" ]; then
    mkdir -p "$(dirname "$f")"
    (umask 077 && od -An -N16 -tx1 /dev/urandom | tr -d ' \n' >"$f")
  fi
  cat "$f"
}

# nats_user_block LINE: the user's entry of the authorization block. JetStream is reached through
# request subjects under $JS.API (see nats-server's "JetStream API reference"); replies come back on
# the user's own inbox prefix (_INBOX_<user>, set by kit's connectNats), so nobody reads another's
# replies.
nats_user_block() {
  local name streams pubs pulls s c stream durable filter list
  read -r name streams pubs pulls <<<"$1"
  local allow_pub=('$JS.API.INFO') allow_sub=("_INBOX_$name.>")
  IFS=, read -ra list <<<"$streams"
  for s in "${list[@]}"; do
    [ "$s" = - ] && continue
    allow_pub+=("\$JS.API.STREAM.INFO.$s" "\$JS.API.STREAM.CREATE.$s" "\$JS.API.STREAM.UPDATE.$s")
    # a key-value bucket is read by message gets; an event stream only through consumers
    [[ "$s" == KV_* ]] && allow_pub+=("\$JS.API.STREAM.MSG.GET.$s" "\$JS.API.DIRECT.GET.$s" "\$JS.API.DIRECT.GET.$s.>")
  done
  IFS=, read -ra list <<<"$pubs"
  for s in "${list[@]}"; do [ "$s" = - ] || allow_pub+=("$s"); done
  IFS=, read -ra list <<<"$pulls"
  for c in "${list[@]}"; do
    [ "$c" = - ] && continue
    IFS=/ read -r stream durable filter <<<"$c"
    allow_pub+=("\$JS.API.CONSUMER.INFO.$stream.$durable" "\$JS.API.CONSUMER.CREATE.$stream.$durable.$filter"
      "\$JS.API.CONSUMER.MSG.NEXT.$stream.$durable" "\$JS.ACK.$stream.$durable.>" "crm.dlq.$durable")
  done
  printf '    { user: "%s", password: "%s", permissions: {\n' "$name" "$(nats_password "$name")"
  printf '        publish: { allow: [%s] }\n' "$(quoted_list "${allow_pub[@]}")"
  printf '        subscribe: { allow: [%s] } } }\n' "$(quoted_list "${allow_sub[@]}")"
}

quoted_list() { local out="" x; for x in "$@"; do out+="${out:+, }\"$x\""; done; printf '%s' "$out"; }

# write_nats_config: the server's configuration with the users above (rewritten on every start).
write_nats_config() {
  local f l
  f="$(nats_config_file)"
  {
    printf '# Written by deploy/local/infra.sh on every start; edit NATS_USERS there.\n'
    printf 'server_name: "crm-%s"\nhost: "%s"\nport: %s\nhttp: "%s:%s"\n' "$PROFILE" "$HOST" "$NATS_PORT" \
      "$HOST" "$NATS_MONITOR_PORT"
    printf 'jetstream { store_dir: "%s" }\n' "$PROFILE_DIR/nats"
    printf 'authorization {\n  users: [\n'
    for l in "${NATS_USERS[@]}"; do nats_user_block "$l"; done
    if [ "$PROFILE" = test ]; then nats_observer_block; fi
    printf '  ]\n}\n'
  } | (umask 077 && cat >"$f")
}

# ---------------------------------------------------------------------------- postgresql
# A cluster of the profile's own (initdb, not the system cluster and not pg_createcluster, whose
# configuration under /etc/postgresql would be shared by every checkout on the machine). PostgreSQL
# refuses to run as root, so as root it runs as the `postgres` user of Debian's package, which owns
# the data folder; anyone else runs it as themselves. Its socket sits in the data folder, which only
# that user can enter, so the superuser logs in over it by peer authentication and nobody else can.

postgres_dir() { printf '%s/postgres' "$PROFILE_DIR"; }
postgres_password_file() { printf '%s/password' "$(postgres_dir)"; }
if [ "$(id -u)" -eq 0 ]; then
  POSTGRES_OS_USER=postgres
  AS_POSTGRES=(setpriv --reuid=postgres --regid=postgres --init-groups) # exec: a spawned postgres keeps the pid
else
  POSTGRES_OS_USER="$(id -un)"
  AS_POSTGRES=(env)
fi

# postgres_data_dir: the cluster's folder. As root the server runs as `postgres`, which must be able to
# enter every folder above its data; a checkout inside a private folder (mode 0700, as `mktemp -d`
# makes) shuts it out and initdb fails with "Permission denied". There the cluster lives under
# postgres's home instead, at a path that repeats the profile folder's (so it stays one per checkout
# and the pid check, which looks for the profile folder in the command line, still holds).
postgres_data_dir() {
  mkdir -p "$PROFILE_DIR"
  if [ "$(id -u)" -eq 0 ] && ! "${AS_POSTGRES[@]}" test -x "$PROFILE_DIR"; then
    printf '%s/crm%s/postgres' "$(getent passwd postgres | cut -d: -f6)" "$PROFILE_DIR"
  else
    printf '%s/data' "$(postgres_dir)"
  fi
}

# postgres_password: prints the profile's password, generating it on first use.
postgres_password() {
  local f
  f="$(postgres_password_file)"
  if [ ! -s "$f" ]; then
    mkdir -p "$(dirname "$f")"
    # hex only, so it needs no escaping in a URL
    (umask 077 && od -An -N16 -tx1 /dev/urandom | tr -d ' \n' >"$f")
  fi
  cat "$f"
}

start_postgres() {
  local data
  data="$(postgres_data_dir)"
  id -u "$POSTGRES_OS_USER" >/dev/null 2>&1 || die "postgres: system user $POSTGRES_OS_USER missing (apt-get install postgresql creates it)"
  [ "$PROFILE" = test ] && rm -rf "$data"
  if [ ! -f "$data/PG_VERSION" ]; then
    log "postgres: creating the cluster in $data"
    rm -rf "$data"
    mkdir -p "$data"
    chown "$POSTGRES_OS_USER:" "$data"
    chmod 700 "$data"
    local no_sync=()
    [ "$PROFILE" = test ] && no_sync=(--no-sync) # thrown away anyway
    (cd "$data" && "${AS_POSTGRES[@]}" "$POSTGRES_BIN/initdb" -D "$data" -U "$POSTGRES_OS_USER" -E UTF8 \
      --locale=C.UTF-8 --auth-local=peer --auth-host=scram-sha-256 "${no_sync[@]+"${no_sync[@]}"}") \
      >>"$(log_of postgres)" 2>&1 \
      || die "postgres: initdb failed (see $(log_of postgres))"
    # a new cluster holds no data: let npm start seed the demo data again
    rm -f "$PROFILE_DIR/seeded"
  fi
  # synchronous_commit=off: no fsync wait per commit; a machine crash may lose the last commits, fine
  # for local data. The test profile's data is thrown away anyway, so it skips fsync entirely.
  local fast=(-c synchronous_commit=off)
  [ "$PROFILE" = test ] && fast+=(-c fsync=off -c full_page_writes=off)
  (cd "$data" && spawn postgres "$(log_of postgres)" "${AS_POSTGRES[@]}" "$POSTGRES_BIN/postgres" -D "$data" \
    -p "$POSTGRES_PORT" -c listen_addresses="$HOST" -c unix_socket_directories="$data" "${fast[@]}")
}

# provision_postgres: the login role (with the profile's password), its database and the lookup
# indexes' event trigger (ferretdb-lookups.sql); idempotent.
provision_postgres() {
  local data
  data="$(postgres_data_dir)"
  {
    printf '\\set user %s\n\\set db %s\n\\set password %s\n' "$POSTGRES_USER" "$POSTGRES_DB" "$(postgres_password)"
    cat <<'SQL'
SELECT format('CREATE ROLE %I LOGIN', :'user') WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'user') \gexec
ALTER ROLE :"user" PASSWORD :'password';
SELECT format('CREATE DATABASE %I OWNER %I', :'db', :'user') WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = :'db') \gexec
SQL
  } | (cd "$data" && "${AS_POSTGRES[@]}" "$POSTGRES_BIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$data" \
    -p "$POSTGRES_PORT" -U "$POSTGRES_OS_USER" -d postgres) >>"$(log_of postgres)" 2>&1 || return 1
  # Indexes FerretDB's lookups can use (an event trigger needs the superuser): see the file.
  (cd "$data" && "${AS_POSTGRES[@]}" "$POSTGRES_BIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$data" \
    -p "$POSTGRES_PORT" -U "$POSTGRES_OS_USER" -d "$POSTGRES_DB") \
    <"$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/ferretdb-lookups.sql" >>"$(log_of postgres)" 2>&1
}

start_ferretdb() {
  local dir="$PROFILE_DIR/ferretdb"
  [ "$PROFILE" = test ] && rm -rf "$dir"
  mkdir -p "$dir"
  # The URL with the password goes through the environment, so it does not show in ps.
  spawn ferretdb "$(log_of ferretdb)" env \
    "FERRETDB_POSTGRESQL_URL=postgres://$POSTGRES_USER:$(postgres_password)@$HOST:$POSTGRES_PORT/$POSTGRES_DB" \
    "$FERRETDB_BIN" --handler=postgresql \
    --state-dir="$dir" --listen-addr="$HOST:$MONGO_PORT" --debug-addr=- --telemetry=disable \
    --log-level=warn
}

# A per-profile copy of the distribution: Keycloak writes its build (augmentation) and its H2
# database into the distribution folder, so two profiles must never share one.
prepare_keycloak() {
  local kc="$PROFILE_DIR/keycloak" stamp="$PROFILE_DIR/keycloak/.crm-dist"
  if [ "$(cat "$stamp" 2>/dev/null)" != "$KEYCLOAK_DIST" ]; then
    log "keycloak: copying distribution $KEYCLOAK_VERSION to $kc (first start builds it, ~30-60 s)"
    local keep="$PROFILE_DIR/.keycloak-data.$$"
    rm -rf "$keep"
    if [ -d "$kc/data" ] && [ "$PROFILE" = dev ]; then mv "$kc/data" "$keep"; fi
    rm -rf "$kc"
    cp -a "$KEYCLOAK_DIST" "$kc"
    if [ -d "$keep" ]; then rm -rf "$kc/data"; mv "$keep" "$kc/data"; fi
    printf '%s\n' "$KEYCLOAK_DIST" >"$stamp"
  fi
  if [ "$PROFILE" = test ]; then
    # clean state every time (the database is in memory anyway; drop any leftovers)
    rm -rf "$kc/data/h2" "$kc/data/tmp" "$kc/data/transaction-logs"
  fi
  mkdir -p "$kc/data/import"
  cp -f "$CRM_DEPLOY_DIR/keycloak/crm-realm.json" "$kc/data/import/crm-realm.json"
}

# The gateway of this profile (apps.sh's port rule), whose console calls Keycloak from the browser.
console_origin() {
  local var="CRM_${PROFILE^^}_GATEWAY_PORT" port=8080
  [ "$PROFILE" = test ] && port=18080
  printf 'http://%s:%s' "$HOST" "${!var:-$port}"
}

start_keycloak() {
  prepare_keycloak
  local kc="$PROFILE_DIR/keycloak" db=dev-file
  [ "$PROFILE" = test ] && db=dev-mem
  spawn keycloak "$(log_of keycloak)" env \
    JAVA_HOME="$KC_JAVA_HOME" PATH="$KC_JAVA_HOME/bin:$PATH" \
    KC_BOOTSTRAP_ADMIN_USERNAME=admin KC_BOOTSTRAP_ADMIN_PASSWORD=admin \
    JAVA_OPTS_APPEND="--add-opens=java.base/java.lang=ALL-UNNAMED" \
    CRM_CONSOLE_ORIGIN="$(console_origin)" \
    "$kc/bin/kc.sh" start-dev \
    --db="$db" \
    --http-host="$HOST" --http-port="$KEYCLOAK_PORT" \
    --hostname="http://$HOST:$KEYCLOAK_PORT" \
    --health-enabled=true --http-management-port="$KEYCLOAK_MGMT_PORT" \
    --import-realm
}

# ---------------------------------------------------------------------------- commands

cmd_start() {
  load_infra_env
  mkdir -p "$PID_DIR" "$LOG_DIR"
  local t0 c pid failed=0
  t0="$(now_ms)"
  log "starting profile $PROFILE ($PROFILE_DIR)"
  # first decide what to start and check its ports, so a conflict starts nothing
  local to_start=() port
  for c in "${COMPONENTS[@]}"; do
    if pid="$(pid_of "$c")"; then
      log "$c: already running (pid $pid)"
      continue
    fi
    rm -f "$(pid_file "$c")"
    for port in $(ports_of "$c"); do
      if tcp_open "$HOST" "$port"; then
        warn "$c: port $HOST:$port is taken by a process this script did not start"
        failed=1
      fi
    done
    to_start+=("$c")
  done
  [ "$failed" -eq 0 ] || die "cannot start profile $PROFILE: port(s) in use (see above); stop the other process or override the port (CRM_${PROFILE^^}_*_PORT)"
  # FerretDB needs PostgreSQL up with its login in place: the others start meanwhile
  for c in "${to_start[@]+"${to_start[@]}"}"; do
    [ "$c" = ferretdb ] && continue
    "start_$c"
    log "$c: started (pid $(cat "$(pid_file "$c")"), log $(log_of "$c"))"
  done
  wait_until_ready "$t0" ready pid_of no_description postgres \
    || die "postgres did not start (the components that did start keep running; '$0 stop $PROFILE' stops them)"
  provision_postgres || die "postgres: provisioning the login $POSTGRES_USER and its database failed (see $(log_of postgres))"
  if printf '%s\n' "${to_start[@]+"${to_start[@]}"}" | grep -qx ferretdb; then
    start_ferretdb
    log "ferretdb: started (pid $(cat "$(pid_file ferretdb)"), log $(log_of ferretdb))"
  fi

  # wait for the rest (also components that were already running) to be ready
  wait_until_ready "$t0" ready pid_of no_description "${COMPONENTS[@]:1}" || failed=1
  [ "$failed" -eq 0 ] || die "profile $PROFILE did not start (the components that did start keep running; '$0 stop $PROFILE' stops them)"

  log "profile $PROFILE ready in $(elapsed_s "$t0") s:"
  for c in "${COMPONENTS[@]}"; do
    printf '  %-9s %s\n' "$c" "$(addr_of "$c")"
  done
  if [ "$PROFILE" = dev ]; then
    printf '  %-9s realm crm: users admin, manager, rep1, rep2, approver, agent (password crm-demo);\n' ""
    printf '  %-9s client crm-integrator secret %s; master realm admin/admin\n' "" "$CRM_DEV_INTEGRATOR_SECRET"
  fi
}

cmd_stop() {
  local c pid any=0
  local sig
  for c in keycloak ferretdb postgres nats; do
    sig=""
    [ "$c" = postgres ] && sig=INT # PostgreSQL's fast shutdown
    if pid="$(stop_pid "$c" $sig)"; then
      log "$c: stopped (pid $pid)"
      any=1
    else
      log "$c: not running"
    fi
  done
  [ "$any" -eq 1 ] || log "profile $PROFILE: nothing to stop"
}

cmd_status() {
  local c pid all=0 state
  for c in "${COMPONENTS[@]}"; do
    if pid="$(pid_of "$c")"; then
      if ready "$c"; then state="up"; else state="starting"; all=1; fi
      printf '%-9s %-8s pid %-7s %s\n' "$c" "$state" "$pid" "$(addr_of "$c")"
    else
      all=1
      if tcp_open "$HOST" "$(main_port_of "$c")"; then
        printf '%-9s %-8s %-11s %s (port taken by a process not started by infra.sh)\n' "$c" "down" "" "$(addr_of "$c")"
      else
        printf '%-9s %-8s %-11s %s\n' "$c" "down" "" "$(addr_of "$c")"
      fi
    fi
  done
  return "$all"
}

cmd_env() {
  printf "NATS_URL='nats://%s:%s'\n" "$HOST" "$NATS_PORT"
  # each client's own NATS password (its user is its name): NATS_LEAD_PASSWORD, NATS_GATEWAY_PASSWORD, ...
  local u
  for u in $(nats_user_names); do
    printf "NATS_%s_PASSWORD='%s'\n" "$(printf %s "${u^^}" | tr - _)" "$(nats_password "$u")"
  done
  # PLAIN: FerretDB 1.x hands user and password on to PostgreSQL, so it needs them in clear text
  printf "MONGODB_URI='mongodb://%s:%s@%s:%s/?authMechanism=PLAIN'\n" "$POSTGRES_USER" "$(postgres_password)" \
    "$HOST" "$MONGO_PORT"
  printf "KEYCLOAK_URL='http://%s:%s'\n" "$HOST" "$KEYCLOAK_PORT"
  printf "KEYCLOAK_ISSUER='http://%s:%s/realms/crm'\n" "$HOST" "$KEYCLOAK_PORT"
}

[ $# -ge 1 ] || usage
cmd="$1"
profile_load "${2:-dev}"
POSTGRES_BIN="$(postgres_bin_dir)" || POSTGRES_BIN=/nonexistent # start installs it (load_infra_env)
case "$cmd" in
  start)  cmd_start ;;
  stop)   cmd_stop ;;
  status) cmd_status ;;
  env)    cmd_env ;;
  *)      usage ;;
esac
