#!/usr/bin/env bash
# `make demo`: the auto-ingress example on a local control plane.
# Starts `herald dev` (kube-apiserver + etcd + kube-controller-manager, the
# embedded event bus, the example's EventSource and Sensor), applies
# fortune.yaml, prints the Ingress Herald made, then keeps running until Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")/.."

assets=$(tools/controlplane/build.sh)
kubectl="$assets/kubectl"
dir=.herald/demo
kubeconfig="$PWD/$dir/kubeconfig"
metrics=127.0.0.1:${HERALD_DEMO_METRICS_PORT:-9097}
ui=127.0.0.1:${HERALD_DEMO_UI_PORT:-9092}

bin/herald dev -f examples/auto-ingress/ --assets "$assets" --dir "$dir" \
  --metrics-addr "$metrics" --ui-addr "$ui" --log-level "${HERALD_LOG_LEVEL:-warn}" &
herald=$!
stop() {
  trap - INT TERM EXIT
  if kill -0 "$herald" 2>/dev/null; then
    kill -INT "$herald" 2>/dev/null || true
    wait "$herald" 2>/dev/null || true
  fi
}
trap stop INT TERM EXIT

ready() {
  # GET /readyz without curl: bash's /dev/tcp.
  local host=${metrics%:*} port=${metrics##*:}
  { exec 3<>"/dev/tcp/$host/$port"; } 2>/dev/null || return 1
  printf 'GET /readyz HTTP/1.0\r\nHost: %s\r\n\r\n' "$host" >&3
  local status
  read -r _ status _ <&3 || true
  exec 3<&- 3>&-
  [ "$status" = 200 ]
}
for _ in $(seq 1 600); do
  kill -0 "$herald" 2>/dev/null || { echo "herald dev exited"; exit 1; }
  ready && break
  sleep 0.1
done
ready || { echo "herald did not become ready"; exit 1; }

echo "== kubectl apply -f examples/auto-ingress/fortune.yaml"
"$kubectl" --kubeconfig "$kubeconfig" apply -f examples/auto-ingress/fortune.yaml
for _ in $(seq 1 300); do
  "$kubectl" --kubeconfig "$kubeconfig" -n playground get ingress fortune-svc-ingress >/dev/null 2>&1 && break
  sleep 0.1
done
echo "== the Ingress Herald created for the annotated Service fortune-svc:"
"$kubectl" --kubeconfig "$kubeconfig" -n playground get ingress fortune-svc-ingress -o yaml

k="$kubectl --kubeconfig $kubeconfig"
cat <<EOT

Herald is running the auto-ingress example. Try it yourself in another shell:

  export KUBECONFIG=$kubeconfig
  alias kubectl=$kubectl

  kubectl -n playground get ingress -w                       # watch the Ingress follow
  kubectl -n playground patch service fortune-svc --type json \\
    -p '[{"op":"replace","path":"/spec/ports/0/port","value":9090}]'   # port → 9090
  kubectl -n playground annotate service fortune-svc --overwrite \\
    autodeploy-ingress-host=fortune2.example.com                # new host
  kubectl -n playground delete service fortune-svc            # the Ingress goes away

Web UI (the live event flow; click the event for its trace): http://$ui/
Events:  bin/herald events tail --server http://$ui
Metrics: http://$metrics/metrics. Press Ctrl-C to stop everything.
EOT
wait "$herald"
