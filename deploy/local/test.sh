#!/usr/bin/env bash
# npm test (and CI): install what is missing, build, start the *test* stack (its own ports and data
# under .local/test, never the dev stack), run jest once from the root (unit + integration), stop
# the test stack again (always), and end with the line `N passed, N failed`.
#
# If the stack does not come up, the unit tests still run and the integration tests count as one
# failure. Exit status: 0 only when nothing failed.
set -uo pipefail

# shellcheck source=./lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
export TURBO_TELEMETRY_DISABLED=1 DO_NOT_TRACK=1
cd "$CRM_ROOT"

say() { printf '[test] %s\n' "$*"; }
warn() { printf '[test] WARNING: %s\n' "$*" >&2; }

TEST_DIR="$CRM_LOCAL_DIR/test"
JEST_JSON="$TEST_DIR/jest.json"
mkdir -p "$TEST_DIR"
rm -f "$JEST_JSON"

STACK_STARTED=0   # something of the test stack may be running: stop it on exit
STACK_OK=1        # the stack is up: integration tests can run
DEPS_OK=1         # node_modules present: jest can run
JEST_EXIT=1
EXTRA_FAILED=0

finish() {
  local rc=$?
  trap - EXIT INT TERM
  if [ "$STACK_STARTED" -eq 1 ]; then
    say "stopping the test stack"
    bash "$CRM_DEPLOY_DIR/apps.sh" stop test || warn "stopping the test apps failed"
    bash "$CRM_DEPLOY_DIR/infra.sh" stop test || warn "stopping the test infrastructure failed"
  fi
  local line
  line="$(node "$CRM_DEPLOY_DIR/summary.mjs" "$JEST_JSON" --jest-exit "$JEST_EXIT" --extra-failed "$EXTRA_FAILED" 2>/dev/null)" \
    || line="0 passed, 1 failed"
  printf '%s\n' "$line"
  case "$line" in
    *" passed, 0 failed") [ "$rc" -eq 0 ] && [ "$JEST_EXIT" -eq 0 ] && exit 0 ;;
  esac
  [ "$rc" -ne 0 ] && exit "$rc"
  exit 1
}
trap finish EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# 1. what is needed to build and run
if ! bash "$CRM_DEPLOY_DIR/install-infra.sh"; then
  warn "installing the infrastructure failed: integration tests cannot run"
  STACK_OK=0
fi
# Debian's chromium for the console's browser tests (test/browser); without it they fail, the rest runs.
bash "$CRM_DEPLOY_DIR/install-browser.sh" || warn "chromium not installed: the browser tests will fail"
if ! ensure_node_modules; then
  warn "npm ci failed: no test can run"
  DEPS_OK=0
  STACK_OK=0
fi
if [ "$DEPS_OK" -eq 1 ] && ! turbo_build; then
  warn "the build failed: integration tests cannot run (unit tests still run)"
  STACK_OK=0
fi
# Lint is part of the test: its rules guard the layering (domain code stays pure, models are written
# only through kit), so a broken rule fails the run like a failing test does.
LINT_FAILED=0
if [ "$DEPS_OK" -eq 1 ] && ! (cd "$CRM_ROOT" && npm run --silent lint >"$TEST_DIR/lint.log" 2>&1); then
  warn "lint failed (ESLint or Prettier), counted as 1 failure; the end of $TEST_DIR/lint.log:"
  tail -n 40 "$TEST_DIR/lint.log" >&2
  LINT_FAILED=1
fi

# 2. the test stack (own ports, empty data)
if [ "$STACK_OK" -eq 1 ]; then
  STACK_STARTED=1
  if ! bash "$CRM_DEPLOY_DIR/infra.sh" start test; then
    warn "the test infrastructure did not start"
    STACK_OK=0
  elif ! LOG_LEVEL="${LOG_LEVEL:-warn}" NODE_ENV=test bash "$CRM_DEPLOY_DIR/apps.sh" start test; then
    warn "the test apps did not come up (log tails above)"
    STACK_OK=0
  fi
fi

# 3. jest, once, from the root (root jest.config.js lists the projects)
if [ "$DEPS_OK" -eq 1 ]; then
  if [ "$STACK_OK" -eq 1 ]; then
    profile_load test
    set -a
    eval "$(bash "$CRM_DEPLOY_DIR/infra.sh" env test)"
    eval "$(bash "$CRM_DEPLOY_DIR/apps.sh" env test)"
    KEYCLOAK_REALM=crm
    set +a
    say "running all tests (unit + integration against $GATEWAY_URL)"
  else
    export CRM_JEST_SKIP_INTEGRATION=1
    EXTRA_FAILED=1
    warn "the test stack is not up: running the unit tests only; the integration run counts as 1 failure"
  fi
  # One worker: integration tests stop and start services of the shared test stack (outage tests).
  node "$CRM_ROOT/node_modules/jest/bin/jest.js" --config "$CRM_ROOT/jest.config.js" --ci --maxWorkers=1 \
    --json --outputFile="$JEST_JSON" "$@"
  JEST_EXIT=$?
else
  EXTRA_FAILED=0   # no JSON: the summary prints 0 passed, 1 failed
fi
EXTRA_FAILED=$((EXTRA_FAILED + LINT_FAILED))

[ "$JEST_EXIT" -eq 0 ] && [ "$EXTRA_FAILED" -eq 0 ]
