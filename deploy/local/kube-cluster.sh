#!/usr/bin/env bash
# A throwaway Kubernetes control plane on loopback for the chart's install tests: etcd,
# kube-apiserver and kube-controller-manager (Deployments get ReplicaSets and Pods, Jobs get Pods,
# Pod Security is enforced on real Pods). No kubelet and no scheduler: Pods stay Pending unless a
# test marks them finished. Binaries from install-kube-tools.sh.
#
#   kube-cluster.sh start DIR   generate a token and keys, start, wait until /readyz; DIR/kubeconfig
#   kube-cluster.sh stop DIR    stop what start started (by pid) and remove DIR
#
# Ports: CRM_TEST_KUBE_PORT (apiserver) and the next two (etcd client, etcd peer); unset: free ones.
set -euo pipefail

# shellcheck source=./lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

TOOLS_BIN="$CRM_CACHE_DIR/tools/bin"
CMD="${1:?usage: kube-cluster.sh start|stop DIR}"
DIR="${2:?usage: kube-cluster.sh start|stop DIR}"

free_port() {
  node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close();})'
}

stop_pid() { # stop_pid NAME: TERM, then KILL after 10 s, the process recorded in DIR/NAME.pid
  local f="$DIR/$1.pid" pid i
  [ -f "$f" ] || return 0
  pid="$(cat "$f")"
  if kill -0 "$pid" 2>/dev/null; then
    kill "$pid" 2>/dev/null || true
    for i in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    kill -9 "$pid" 2>/dev/null || true
  fi
  rm -f "$f"
}

stop() {
  stop_pid kube-controller-manager
  stop_pid kube-apiserver
  stop_pid etcd
  rm -rf "$DIR"
}

start() {
  local b
  for b in etcd kube-apiserver kube-controller-manager kubectl; do
    [ -x "$TOOLS_BIN/$b" ] || die "$b not found in $TOOLS_BIN: run bash deploy/local/install-kube-tools.sh"
  done
  mkdir -p "$DIR"
  local api_port etcd_port peer_port
  if [ -n "${CRM_TEST_KUBE_PORT:-}" ]; then
    api_port="$CRM_TEST_KUBE_PORT" etcd_port=$((CRM_TEST_KUBE_PORT + 1)) peer_port=$((CRM_TEST_KUBE_PORT + 2))
  else
    api_port="$(free_port)" etcd_port="$(free_port)" peer_port="$(free_port)"
  fi
  local token
  token="$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')"
  # The admin token (static token file: the simplest authenticator) and the service-account keys.
  printf '%s,crm-test-admin,crm-test-admin,system:masters\n' "$token" >"$DIR/tokens.csv"
  openssl genrsa -out "$DIR/sa.key" 2048 2>/dev/null
  openssl rsa -in "$DIR/sa.key" -pubout -out "$DIR/sa.pub" 2>/dev/null
  # The apiserver generates its own self-signed serving certificate into cert-dir.
  cat >"$DIR/kubeconfig" <<EOF
apiVersion: v1
kind: Config
clusters:
  - name: crm-test
    cluster:
      server: https://127.0.0.1:$api_port
      insecure-skip-tls-verify: true
users:
  - name: crm-test-admin
    user:
      token: $token
contexts:
  - name: crm-test
    context: {cluster: crm-test, user: crm-test-admin}
current-context: crm-test
EOF
  chmod 600 "$DIR/kubeconfig" "$DIR/tokens.csv" "$DIR/sa.key"

  # --unsafe-no-fsync: a test store, thrown away at the end.
  "$TOOLS_BIN/etcd" --name crm-test --data-dir "$DIR/etcd" --unsafe-no-fsync \
    --listen-client-urls "http://127.0.0.1:$etcd_port" --advertise-client-urls "http://127.0.0.1:$etcd_port" \
    --listen-peer-urls "http://127.0.0.1:$peer_port" --initial-advertise-peer-urls "http://127.0.0.1:$peer_port" \
    --initial-cluster "crm-test=http://127.0.0.1:$peer_port" --log-level warn \
    </dev/null >"$DIR/etcd.log" 2>&1 &
  echo $! >"$DIR/etcd.pid"
  wait_for_http "http://127.0.0.1:$etcd_port/health" 30 || { tail -n 20 "$DIR/etcd.log" >&2; die "etcd did not start"; }

  # Loopback only: the endpoint reconciler would write 127.0.0.1 into the kubernetes Endpoints,
  # which validation refuses, so it is off.
  "$TOOLS_BIN/kube-apiserver" --etcd-servers "http://127.0.0.1:$etcd_port" \
    --bind-address 127.0.0.1 --advertise-address 127.0.0.1 --secure-port "$api_port" --cert-dir "$DIR/certs" \
    --token-auth-file "$DIR/tokens.csv" --authorization-mode RBAC --endpoint-reconciler-type none \
    --service-account-issuer https://kubernetes.default.svc.cluster.local \
    --service-account-key-file "$DIR/sa.pub" --service-account-signing-key-file "$DIR/sa.key" \
    --service-cluster-ip-range 10.96.0.0/16 --v 0 \
    </dev/null >"$DIR/kube-apiserver.log" 2>&1 &
  echo $! >"$DIR/kube-apiserver.pid"
  local deadline=$(( $(date +%s) + 90 ))
  until "$TOOLS_BIN/kubectl" --kubeconfig "$DIR/kubeconfig" get --raw /readyz >/dev/null 2>&1; do
    if [ "$(date +%s)" -ge "$deadline" ] || ! kill -0 "$(cat "$DIR/kube-apiserver.pid")" 2>/dev/null; then
      tail -n 30 "$DIR/kube-apiserver.log" >&2
      die "kube-apiserver did not become ready"
    fi
    sleep 0.5
  done

  # The controller manager serves nothing (--secure-port 0); no cloud, no node IPAM.
  "$TOOLS_BIN/kube-controller-manager" --kubeconfig "$DIR/kubeconfig" --secure-port 0 --leader-elect=false \
    --service-account-private-key-file "$DIR/sa.key" --use-service-account-credentials=false \
    --controllers '*,-nodeipam,-cloud-node-lifecycle,-service-lb-controller,-node-route-controller' \
    --concurrent-deployment-syncs 2 --v 0 \
    </dev/null >"$DIR/kube-controller-manager.log" 2>&1 &
  echo $! >"$DIR/kube-controller-manager.pid"
  # Ready when it has created the default namespace's ServiceAccount (the serviceaccount controller).
  deadline=$(( $(date +%s) + 60 ))
  until "$TOOLS_BIN/kubectl" --kubeconfig "$DIR/kubeconfig" get serviceaccount default -n default >/dev/null 2>&1; do
    if [ "$(date +%s)" -ge "$deadline" ] || ! kill -0 "$(cat "$DIR/kube-controller-manager.pid")" 2>/dev/null; then
      tail -n 30 "$DIR/kube-controller-manager.log" >&2
      die "kube-controller-manager did not start its controllers"
    fi
    sleep 0.5
  done
  log "kube control plane ready at https://127.0.0.1:$api_port (kubeconfig $DIR/kubeconfig)"
}

case "$CMD" in
  start)
    trap 'rc=$?; [ "$rc" -eq 0 ] || stop; exit "$rc"' EXIT
    start
    ;;
  stop) stop ;;
  *) die "unknown command '$CMD' (expected start or stop)" ;;
esac
