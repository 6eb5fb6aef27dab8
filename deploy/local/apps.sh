#!/usr/bin/env bash
# Local applications: the gRPC services and the gateway, from their build output (dist/).
#
#   deploy/local/apps.sh start  [dev|test]   start what is not running, wait until ready (120 s)
#   deploy/local/apps.sh stop   [dev|test] [APP...]  stop what this script started (pid files): TERM,
#                                            10 s, KILL; only the named apps if any (tests use it)
#   deploy/local/apps.sh status [dev|test]   print each app up/down (exit 0 only if all up)
#   deploy/local/apps.sh env    [dev|test]   print GATEWAY_URL and <SERVICE>_GRPC_ADDR as shell lines
#
# Logs: .local/<profile>/logs/<name>.log, pid files: .local/<profile>/pids/<name>.pid.
# Infrastructure addresses come from `infra.sh env <profile>`. In the dev profile MONGODB_URI from
# the environment (a real MongoDB 6+/7) wins over the local FerretDB.
# Ports: dev as in the list below; test = dev - 35000 for gRPC (50051 -> 15051), dev + 10000 for
# HTTP (8080 -> 18080). Override one with CRM_<PROFILE>_<NAME>_PORT, e.g. CRM_TEST_GATEWAY_PORT.
set -euo pipefail

# shellcheck source=./lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# ---------------------------------------------------------------------------- the applications
# One line per application: name, workspace folder, kind (grpc|http), dev port, extra env.
# A grpc service gets GRPC_HOST/GRPC_PORT/MONGODB_URI/NATS_URL, and every app its own NATS_USER and
# NATS_PASSWORD (its name is its NATS user in infra.sh's NATS_USERS); every app gets <NAME>_GRPC_ADDR for
# each grpc service in this list. Adding a service is one line.
APPS=(
  "lead            services/lead            grpc  50051  MONGODB_DB=crm_lead SERVICE_CLIENT_SECRET=crm-lead-service-dev-secret"
  "account         services/account         grpc  50052  MONGODB_DB=crm_account SERVICE_CLIENT_SECRET=crm-account-service-dev-secret"
  "opportunity     services/opportunity     grpc  50053  MONGODB_DB=crm_opportunity SERVICE_CLIENT_SECRET=crm-opportunity-service-dev-secret"
  "analytics       services/analytics       grpc  50056  MONGODB_DB=crm_analytics SERVICE_CLIENT_SECRET=crm-analytics-service-dev-secret"
  "approval        services/approval        grpc  50054  MONGODB_DB=crm_approval SERVICE_CLIENT_SECRET=crm-approval-service-dev-secret"
  "service-ticket  services/service-ticket  grpc  50055  MONGODB_DB=crm_service_ticket SERVICE_CLIENT_SECRET=crm-service-ticket-service-dev-secret"
  "gateway         gateway                  http  8080   KEYCLOAK_CLIENT_SECRET=crm-gateway-dev-secret"
)

START_TIMEOUT="${CRM_APPS_START_TIMEOUT:-120}"
STOP_TIMEOUT_S=10

say()  { printf '[apps] %s\n' "$*"; }
log()  { say "$@"; }
warn() { printf '[apps] WARNING: %s\n' "$*" >&2; }
die()  { printf '[apps] ERROR: %s\n' "$*" >&2; exit 1; }

usage() {
  sed -n '2,8p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
  exit 2
}

# app_line (NAME_Q set by the caller): the line of that app; app_dir/app_kind/app_extra: its fields.
app_line() {
  local l
  for l in "${APPS[@]}"; do
    set -- $l
    if [ "$1" = "$NAME_Q" ]; then printf '%s' "$l"; return 0; fi
  done
  return 1
}
app_names() { local l; for l in "${APPS[@]}"; do set -- $l; printf '%s\n' "$1"; done; }
app_dir()   { local NAME_Q="$1"; set -- $(app_line); printf '%s' "$2"; }
app_kind()  { local NAME_Q="$1"; set -- $(app_line); printf '%s' "$3"; }
app_extra() { local NAME_Q="$1"; set -- $(app_line); shift 4; printf '%s' "$*"; }

# app_port NAME: the port for this profile (override CRM_<PROFILE>_<NAME>_PORT).
app_port() {
  local NAME_Q="$1" dev o
  set -- $(app_line)
  dev="$4"
  o="CRM_${PROFILE^^}_$(printf '%s' "$NAME_Q" | tr '[:lower:]-' '[:upper:]_')_PORT"
  if [ -n "${!o:-}" ]; then printf '%s' "${!o}"; return; fi
  if [ "$PROFILE" = dev ]; then printf '%s' "$dev"
  elif [ "$dev" -ge 50000 ]; then printf '%s' $((dev - 35000))
  else printf '%s' $((dev + 10000)); fi
}

env_name() { printf '%s' "$1" | tr '[:lower:]-' '[:upper:]_'; }

gateway_url() { printf 'http://%s:%s' "$HOST" "$(app_port gateway)"; }

# ---------------------------------------------------------------------------- process bookkeeping

# app_pid NAME: the pid when the pid file points to a live process started by this script for this
# profile (its environment carries CRM_APP_INSTANCE=<profile dir>/<name>, so a recycled pid or
# the other profile's process is never taken for ours).
app_pid() {
  local f pid
  f="$(pid_file "$1")"
  [ -f "$f" ] || return 1
  pid="$(cat "$f" 2>/dev/null)"
  [ -n "$pid" ] && alive "$pid" || return 1
  if [ -r "/proc/$pid/environ" ]; then
    tr '\0' '\n' <"/proc/$pid/environ" 2>/dev/null | grep -qxF "CRM_APP_INSTANCE=$PROFILE_DIR/$1" || return 1
  fi
  printf '%s' "$pid"
}

app_ready() {
  case "$(app_kind "$1")" in
    http) http_ok "http://$HOST:$(app_port "$1")/readyz" ;;
    *)    tcp_open "$HOST" "$(app_port "$1")" ;;
  esac
}

app_addr() {
  case "$(app_kind "$1")" in
    http) printf 'http://%s:%s' "$HOST" "$(app_port "$1")" ;;
    *)    printf 'grpc %s:%s' "$HOST" "$(app_port "$1")" ;;
  esac
}

log_of() { printf '%s/%s.log' "$LOG_DIR" "$1"; }

load_infra_addresses() {
  local user_mongo="${MONGODB_URI:-}"
  eval "$(bash "$CRM_DEPLOY_DIR/infra.sh" env "$PROFILE")"
  if [ "$PROFILE" = dev ] && [ -n "$user_mongo" ]; then MONGODB_URI="$user_mongo"; fi
}

start_app() {
  local name="$1" dir kind port main n envs=()
  dir="$CRM_ROOT/$(app_dir "$name")"
  kind="$(app_kind "$name")"
  port="$(app_port "$name")"
  main="$dir/dist/main.js"
  [ -f "$main" ] || { warn "$name: $main not found (not built? run: npx turbo run build)"; return 1; }
  envs=(
    "CRM_APP_INSTANCE=$PROFILE_DIR/$name"
    "NODE_ENV=${NODE_ENV:-development}"
    "LOG_LEVEL=${LOG_LEVEL:-info}"
    "NATS_URL=$NATS_URL" "MONGODB_URI=$MONGODB_URI"
    "KEYCLOAK_URL=$KEYCLOAK_URL" "KEYCLOAK_REALM=${KEYCLOAK_REALM:-crm}"
    "OTEL_SERVICE_NAME=crm-$name"
    "OTEL_NODE_RESOURCE_DETECTORS=${OTEL_NODE_RESOURCE_DETECTORS:-env,host,os,process}"
  )
  # no collector configured: export nothing (avoids retries and a slow shutdown)
  if [ -z "${OTEL_EXPORTER_OTLP_ENDPOINT:-}" ]; then
    envs+=("OTEL_TRACES_EXPORTER=${OTEL_TRACES_EXPORTER:-none}" "OTEL_METRICS_EXPORTER=${OTEL_METRICS_EXPORTER:-none}"
      "OTEL_LOGS_EXPORTER=${OTEL_LOGS_EXPORTER:-none}")
  fi
  case "$kind" in
    grpc) envs+=("GRPC_HOST=$HOST" "GRPC_PORT=$port") ;;
    http) envs+=("HOST=$HOST" "PORT=$port") ;;
  esac
  # each app is its own NATS user (infra.sh's NATS_USERS), with the password infra.sh env printed
  local nats_password="NATS_$(env_name "$name")_PASSWORD"
  [ -n "${!nats_password:-}" ] || { warn "$name: no NATS user (add it to NATS_USERS in infra.sh)"; return 1; }
  # services call each other too (the lead conversion calls the account service)
  for n in $(app_names); do
    [ "$(app_kind "$n")" = grpc ] && envs+=("$(env_name "$n")_GRPC_ADDR=$HOST:$(app_port "$n")")
  done
  # shellcheck disable=SC2206 # extra env is a list of words by design
  envs+=($(app_extra "$name"))
  # the test profile's payment timer runs often, so tests see an overdue milestone within seconds
  if [ "$PROFILE" = test ] && [ "$name" = opportunity ]; then envs+=("PAYMENT_CHECK_EVERY_MS=${PAYMENT_CHECK_EVERY_MS:-2000}"); fi
  # and its RFM scoring, so an account takes its new segment (and tier) within seconds of a win
  if [ "$PROFILE" = test ] && [ "$name" = analytics ]; then envs+=("RFM_SCORING_EVERY_MS=${RFM_SCORING_EVERY_MS:-3000}"); fi
  # exported rather than listed, so the password stays out of the start line spawn logs
  (cd "$dir" && export NATS_USER="$name" NATS_PASSWORD="${!nats_password}" \
    && spawn "$name" "$(log_of "$name")" env "${envs[@]}" node "$main")
}

# stop_app NAME: TERM the process group, wait up to 10 s, then KILL. Prints the pid if it ran.
stop_app() {
  local name="$1" pid i
  if ! pid="$(app_pid "$name")"; then
    rm -f "$(pid_file "$name")"
    return 1
  fi
  kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
  for i in $(seq 1 $((STOP_TIMEOUT_S * 10))); do
    alive "$pid" || break
    sleep 0.1
  done
  if alive "$pid"; then
    warn "$name (pid $pid) did not stop in $STOP_TIMEOUT_S s, killing"
    kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$(pid_file "$name")"
  printf '%s' "$pid"
}

# ---------------------------------------------------------------------------- commands

cmd_start() {
  mkdir -p "$PID_DIR" "$LOG_DIR"
  load_infra_addresses
  local t0 name pid failed=0 to_start=()
  t0="$(now_ms)"
  for name in $(app_names); do
    if pid="$(app_pid "$name")"; then
      say "$name: already running (pid $pid)"
      continue
    fi
    rm -f "$(pid_file "$name")"
    if tcp_open "$HOST" "$(app_port "$name")"; then
      warn "$name: port $HOST:$(app_port "$name") is taken by a process this script did not start"
      failed=1
    fi
    to_start+=("$name")
  done
  [ "$failed" -eq 0 ] || die "cannot start the $PROFILE apps: port(s) in use (see above)"
  for name in "${to_start[@]+"${to_start[@]}"}"; do
    if start_app "$name"; then
      say "$name: started (pid $(cat "$(pid_file "$name")"), log $(log_of "$name"))"
    else
      failed=1
    fi
  done
  [ "$failed" -eq 0 ] || die "some $PROFILE apps could not be started (see above)"

  local names
  mapfile -t names < <(app_names)
  wait_until_ready "$t0" app_ready app_pid app_addr "${names[@]}" || failed=1
  [ "$failed" -eq 0 ] || die "the $PROFILE apps did not come up (those that started keep running; '$0 stop $PROFILE' stops them)"
  say "$PROFILE apps ready in $(elapsed_s "$t0") s"
}

cmd_stop() {
  local name pid any=0 names
  # reverse order: the gateway first, then the services (or only the apps named)
  if [ $# -gt 0 ]; then names=("$@"); else mapfile -t names < <(app_names | tac); fi
  for name in "${names[@]}"; do
    if pid="$(stop_app "$name")"; then
      say "$name: stopped (pid $pid)"
      any=1
    fi
  done
  [ "$any" -eq 1 ] || say "profile $PROFILE: no app running"
}

cmd_status() {
  local name pid all=0 state
  for name in $(app_names); do
    if pid="$(app_pid "$name")"; then
      if app_ready "$name"; then state=up; else state=starting; all=1; fi
      printf '%-16s %-8s pid %-7s %s\n' "$name" "$state" "$pid" "$(app_addr "$name")"
    else
      all=1
      printf '%-16s %-8s %-11s %s\n' "$name" down "" "$(app_addr "$name")"
    fi
  done
  return "$all"
}

cmd_env() {
  local name
  printf "GATEWAY_URL='%s'\n" "$(gateway_url)"
  for name in $(app_names); do
    [ "$(app_kind "$name")" = grpc ] && printf "%s_GRPC_ADDR='%s:%s'\n" "$(env_name "$name")" "$HOST" "$(app_port "$name")"
  done
  return 0
}

[ $# -ge 1 ] || usage
cmd="$1"
profile_load "${2:-dev}"
case "$cmd" in
  start)  cmd_start ;;
  stop)   shift $(( $# >= 2 ? 2 : 1 )); cmd_stop "$@" ;;
  status) cmd_status ;;
  env)    cmd_env ;;
  *)      usage ;;
esac
