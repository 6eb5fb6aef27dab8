# shellcheck shell=bash
# Shared helpers for deploy/local/*.sh. Source it, do not run it.
#
# Everything here is derived from the location of this file, so the checkout can live anywhere.

if [ -n "${CRM_LOCAL_LIB_LOADED:-}" ]; then return 0; fi
CRM_LOCAL_LIB_LOADED=1

CRM_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
CRM_DEPLOY_DIR="$CRM_ROOT/deploy/local"
CRM_CACHE_DIR="${CRM_CACHE_DIR:-$CRM_ROOT/.cache}"
CRM_LOCAL_DIR="${CRM_LOCAL_DIR:-$CRM_ROOT/.local}"
# Written by install-infra.sh: where the installed binaries and the JDK are.
CRM_INFRA_ENV="$CRM_CACHE_DIR/infra.env"

# Fixed by the realm file (dev realm only); printed on start.
CRM_DEV_INTEGRATOR_SECRET="crm-integrator-dev-secret"

# ---------------------------------------------------------------------------- logging

log()  { printf '[infra] %s\n' "$*"; }
warn() { printf '[infra] WARNING: %s\n' "$*" >&2; }
die()  { printf '[infra] ERROR: %s\n' "$*" >&2; exit 1; }

now_ms() { date +%s%3N; }
elapsed_s() { # elapsed_s START_MS -> "12.3"
  local d=$(( $(now_ms) - $1 ))
  printf '%d.%d' $((d / 1000)) $(((d % 1000) / 100))
}

# ---------------------------------------------------------------------------- probes

# http_ok URL: true when the URL answers 200.
http_ok() {
  local code
  code="$(curl -s -o /dev/null -m 2 -w '%{http_code}' "$1" 2>/dev/null || true)"
  [ "$code" = "200" ]
}

# tcp_open HOST PORT: true when something accepts connections.
tcp_open() {
  (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null
}

# wait_for_http URL TIMEOUT_S
wait_for_http() {
  local url="$1" deadline=$(( $(date +%s) + ${2:-60} ))
  until http_ok "$url"; do
    [ "$(date +%s)" -ge "$deadline" ] && return 1
    sleep 0.3
  done
}

# wait_for_tcp HOST PORT TIMEOUT_S
wait_for_tcp() {
  local deadline=$(( $(date +%s) + ${3:-60} ))
  until tcp_open "$1" "$2"; do
    [ "$(date +%s)" -ge "$deadline" ] && return 1
    sleep 0.2
  done
}

# ---------------------------------------------------------------------------- profiles

# profile_load dev|test: sets PROFILE, the ports (env overrides CRM_<PROFILE>_<NAME>) and the dirs.
profile_load() {
  PROFILE="$1"
  local up
  case "$PROFILE" in
    dev)
      NATS_PORT=4222;  NATS_MONITOR_PORT=8222
      MONGO_PORT=27017; POSTGRES_PORT=5433 # 5432 stays free for the cluster Debian's package creates
      KEYCLOAK_PORT=8180; KEYCLOAK_MGMT_PORT=9000
      ;;
    test)
      NATS_PORT=14222; NATS_MONITOR_PORT=18222
      MONGO_PORT=37017; POSTGRES_PORT=15433
      KEYCLOAK_PORT=18180; KEYCLOAK_MGMT_PORT=19000
      ;;
    *) die "unknown profile '$PROFILE' (expected dev or test)" ;;
  esac
  up="$(printf '%s' "$PROFILE" | tr '[:lower:]' '[:upper:]')"
  local v
  for v in NATS_PORT NATS_MONITOR_PORT MONGO_PORT POSTGRES_PORT KEYCLOAK_PORT KEYCLOAK_MGMT_PORT; do
    local o="CRM_${up}_${v}"
    if [ -n "${!o:-}" ]; then printf -v "$v" '%s' "${!o}"; fi
  done
  HOST=127.0.0.1
  PROFILE_DIR="$CRM_LOCAL_DIR/$PROFILE"
  PID_DIR="$PROFILE_DIR/pids"
  LOG_DIR="$PROFILE_DIR/logs"
}

# ---------------------------------------------------------------------------- pid files

pid_file() { printf '%s/%s.pid' "$PID_DIR" "$1"; }

# alive PID: the process exists and is not a zombie (an exited child of a reaper that has not
# collected it yet still answers kill -0).
alive() {
  kill -0 "$1" 2>/dev/null || return 1
  local state=""
  if [ -r "/proc/$1/stat" ]; then state="$(sed 's/^.*) \(.\).*/\1/' "/proc/$1/stat" 2>/dev/null)"; fi
  [ "$state" != "Z" ]
}

# pid_of NAME: prints the pid when the pid file points to a live process that is still ours
# (its command line mentions this profile's directory, so a recycled pid is not mistaken for it).
pid_of() {
  local f pid
  f="$(pid_file "$1")"
  [ -f "$f" ] || return 1
  pid="$(cat "$f" 2>/dev/null)"
  [ -n "$pid" ] && alive "$pid" || return 1
  if [ -r "/proc/$pid/cmdline" ] && ! tr '\0' ' ' <"/proc/$pid/cmdline" | grep -qF "$PROFILE_DIR"; then
    return 1
  fi
  printf '%s' "$pid"
}

# spawn NAME LOGFILE CMD...: runs CMD detached (own session, survives the calling shell), records pid.
spawn() {
  local name="$1" logfile="$2"; shift 2
  mkdir -p "$PID_DIR" "$(dirname "$logfile")"
  {
    printf '\n===== %s start %s: %s\n' "$name" "$(date -Is)" "$*"
  } >>"$logfile"
  # setsid makes the process a session and process-group leader, so stop can kill the whole
  # group (kc.sh forks java) and nothing is tied to the caller's terminal.
  nohup setsid "$@" >>"$logfile" 2>&1 </dev/null &
  local pid=$! i
  echo "$pid" >"$(pid_file "$name")"
  # Until the child has exec'd, its command line is this script's, without the profile folder, and
  # pid_of would call it gone: a readiness check in that moment said "exited during start" of a server
  # that was starting. Wait for the exec (or the end of the child) before anyone asks.
  local ours
  ours="$(tr '\0' ' ' <"/proc/$$/cmdline" 2>/dev/null)"
  for i in $(seq 1 50); do
    [ -r "/proc/$pid/cmdline" ] || break
    [ "$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null)" != "$ours" ] && break
    sleep 0.1
  done
}

# stop_pid NAME [SIGNAL]: TERM the process group, wait up to 30 s, then KILL. With SIGNAL, send that to
# the process alone instead (PostgreSQL shuts its own children down; a signal to each of them would not).
stop_pid() {
  local name="$1" sig="${2:-}" pid i
  if ! pid="$(pid_of "$name")"; then
    rm -f "$(pid_file "$name")"
    return 1
  fi
  if [ -n "$sig" ]; then
    kill "-$sig" "$pid" 2>/dev/null || true
  else
    kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
  fi
  for i in $(seq 1 300); do
    alive "$pid" || break
    sleep 0.1
  done
  if alive "$pid"; then
    warn "$name (pid $pid) did not stop in 30 s, killing"
    kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$(pid_file "$name")"
  printf '%s' "$pid"
}

# ---------------------------------------------------------------------------- java

# java_major JAVA_HOME_DIR: prints the feature version (17, 21, 25...) or fails.
java_major() {
  local home="$1" v=""
  [ -x "$home/bin/java" ] || return 1
  if [ -r "$home/release" ]; then
    v="$(sed -n 's/^JAVA_VERSION="\([^"]*\)".*/\1/p' "$home/release" | head -n1)"
  fi
  if [ -z "$v" ]; then
    v="$("$home/bin/java" -version 2>&1 | sed -n 's/.*version "\([^"]*\)".*/\1/p' | head -n1)"
  fi
  [ -n "$v" ] || return 1
  case "$v" in 1.*) v="${v#1.}" ;; esac
  printf '%s' "${v%%[.+-]*}"
}

# find_java MIN_MAJOR: prints the first JDK home >= MIN_MAJOR ($JAVA_HOME first, then /usr/lib/jvm/*).
find_java() {
  local min="$1" cand major
  for cand in ${JAVA_HOME:+"$JAVA_HOME"} /usr/lib/jvm/*; do
    [ -d "$cand" ] || continue
    [ -L "$cand" ] && continue # skip alias links such as default-java
    major="$(java_major "$cand" 2>/dev/null)" || continue
    if [ "$major" -ge "$min" ] 2>/dev/null; then
      printf '%s' "$cand"
      return 0
    fi
  done
  return 1
}

# ---------------------------------------------------------------------------- postgresql

# postgres_bin_dir: prints the bin folder of the newest PostgreSQL the Debian packages installed
# (/usr/lib/postgresql/<major>/bin), or fails.
postgres_bin_dir() {
  local d
  d="$(find /usr/lib/postgresql -mindepth 2 -maxdepth 2 -name bin -type d 2>/dev/null | sort -V | tail -n1)"
  [ -n "$d" ] && [ -x "$d/postgres" ] && [ -x "$d/initdb" ] || return 1
  printf '%s' "$d"
}

# load_infra_env: reads what install-infra.sh recorded; installs first when needed.
load_infra_env() {
  if [ -f "$CRM_INFRA_ENV" ]; then
    # shellcheck disable=SC1090
    . "$CRM_INFRA_ENV"
  fi
  if [ ! -f "$CRM_INFRA_ENV" ] || [ ! -x "${FERRETDB_BIN:-/nonexistent}" ] \
    || [ ! -x "${KEYCLOAK_DIST:-/nonexistent}/bin/kc.sh" ] || [ ! -x "${KC_JAVA_HOME:-/nonexistent}/bin/java" ] \
    || ! command -v nats-server >/dev/null 2>&1 || ! postgres_bin_dir >/dev/null; then
    log "infrastructure not installed (or incomplete), running install-infra.sh"
    bash "$CRM_DEPLOY_DIR/install-infra.sh" || die "install-infra.sh failed"
    # shellcheck disable=SC1090
    . "$CRM_INFRA_ENV"
  fi
  POSTGRES_BIN="$(postgres_bin_dir)" || die "PostgreSQL not found under /usr/lib/postgresql (apt-get install postgresql)"
}

# ---------------------------------------------------------------------------- node workspace
# (used by start.sh and test.sh)

# ensure_node_modules: installs exactly what package-lock.json pins (`npm ci`) when node_modules is
# missing or the lock is newer than the one npm wrote into node_modules at the last install. The lock
# holds every platform's optional binaries (swc, turbo), so npm ci accepts it anywhere and never
# rewrites it (deploy/local/test/package-lock.test.ts keeps it that way).
ensure_node_modules() {
  local marker="$CRM_ROOT/node_modules/.package-lock.json"
  if [ ! -d "$CRM_ROOT/node_modules" ] || [ ! -f "$marker" ] || [ "$CRM_ROOT/package-lock.json" -nt "$marker" ]; then
    printf '[crm] installing npm dependencies (npm ci)\n'
    (cd "$CRM_ROOT" && npm ci --no-audit --no-fund) || return 1
  fi
}

# turbo_build: builds every workspace with Turborepo (its cache makes an unchanged build take seconds).
turbo_build() {
  export TURBO_TELEMETRY_DISABLED=1 DO_NOT_TRACK=1
  printf '[crm] building (turbo run build)\n'
  (cd "$CRM_ROOT" && npx --no-install turbo run build --output-logs=errors-only)
}

# wait_until_ready T0_MS READY_FN PID_FN DESCRIBE_FN NAME...: polls until every NAME passes READY_FN,
# one of them exits (PID_FN finds no process) or START_TIMEOUT seconds pass. Says "NAME: ready after
# N s (DESCRIBE_FN NAME)" for each, and prints the log tail (log_of NAME) of any that failed. Messages go
# through the caller's log/warn, so they keep the caller's prefix. Returns 1 on any failure.
wait_until_ready() {
  local t0=$1 ready_fn=$2 pid_fn=$3 describe_fn=$4; shift 4
  local deadline=$(( $(date +%s) + START_TIMEOUT )) pending=("$@") next name failed=0 what
  while [ "${#pending[@]}" -gt 0 ]; do
    next=()
    for name in "${pending[@]}"; do
      if "$ready_fn" "$name"; then
        what="$("$describe_fn" "$name")"
        log "$name: ready after $(elapsed_s "$t0") s${what:+ ($what)}"
      elif ! "$pid_fn" "$name" >/dev/null; then
        warn "$name: exited during start; last lines of $(log_of "$name"):"
        tail -n 40 "$(log_of "$name")" >&2 || true
        failed=1
      else
        next+=("$name")
      fi
    done
    pending=("${next[@]+"${next[@]}"}")
    [ "$failed" -eq 0 ] || return 1
    if [ "${#pending[@]}" -gt 0 ] && [ "$(date +%s)" -ge "$deadline" ]; then
      for name in "${pending[@]}"; do
        warn "$name: not ready after $START_TIMEOUT s; last lines of $(log_of "$name"):"
        tail -n 40 "$(log_of "$name")" >&2 || true
      done
      return 1
    fi
    [ "${#pending[@]}" -gt 0 ] && sleep 0.3
  done
  return 0
}
