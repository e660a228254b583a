#!/usr/bin/env bash
# Starts Herald as the system under test of the shared end-to-end harness
# (argo-events-bench, `bench webhook|k8s|crash --sut-cmd bench/herald.sh`).
#
# Reads the harness' BENCH_* variables (see its README, "The SUT contract"),
# runs `herald run` on the EventSource and Sensor manifests it is handed, as
# they are, plus the harness' EventBus manifest, has Herald write
# $BENCH_PID_DIR/herald.pid once it is ready (--ready-file: its webhook port
# bound, its Sensor subscribed; start the harness with `--components herald`),
# so that the harness' first warm-up event is not refused, and stays in the foreground
# until the harness sends SIGTERM. On SIGTERM it saves Herald's /metrics to
# $BENCH_RUN_DIR/herald-metrics.txt (the harness copies its *_total counters
# into result.json as a cross-check) and then stops Herald.
#
# Variables (all optional):
#   HERALD_BIN                 herald binary (default: _output/bench-e2e/bin/herald,
#                              built with `go build` when missing)
#   HERALD_BENCH_BUS           embedded (default): Herald's own JetStream, in the process;
#                              external: the harness' nats-server ($BENCH_NATS_URL, --bus-url)
#   HERALD_BENCH_TRACES        true (default) or false: herald run --traces
#   HERALD_BENCH_METRICS_ADDR  Herald's /metrics address (default 127.0.0.1:17790)
#   HERALD_BENCH_EVENTBUS      EventBus manifest (default: eventbus.yaml next to the Sensor manifest)
#   HERALD_BENCH_NATS_TLS      auto (default: asks the server), true or false: whether the
#                              external NATS serves TLS (the harness' default, self-signed)
#   HERALD_BENCH_ARGS          more `herald run` flags, split on spaces
set -euo pipefail

: "${BENCH_RUN_DIR:?not started by the bench harness: BENCH_RUN_DIR is unset}"
: "${BENCH_PID_DIR:?BENCH_PID_DIR is unset}"
: "${BENCH_EVENTSOURCE_MANIFEST:?BENCH_EVENTSOURCE_MANIFEST is unset}"
: "${BENCH_SENSOR_MANIFEST:?BENCH_SENSOR_MANIFEST is unset}"

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(dirname "$here")
bin=${HERALD_BIN:-$repo/_output/bench-e2e/bin/herald}
bus=${HERALD_BENCH_BUS:-embedded}
traces=${HERALD_BENCH_TRACES:-true}
metrics=${HERALD_BENCH_METRICS_ADDR:-127.0.0.1:17790}
eventbus=${HERALD_BENCH_EVENTBUS:-$(dirname "$BENCH_SENSOR_MANIFEST")/eventbus.yaml}

say() { echo "herald.sh: $*" >&2; }

if [ ! -x "$bin" ]; then
  say "building $bin"
  mkdir -p "$(dirname "$bin")"
  (cd "$repo" && go build -o "$bin" ./cmd/herald)
fi

args=(run
  -f "$BENCH_EVENTSOURCE_MANIFEST" -f "$BENCH_SENSOR_MANIFEST"
  --data-dir "$BENCH_RUN_DIR/herald-data"
  --metrics-addr "$metrics" --ui-addr ""
  --traces="$traces"
  --ready-file "$BENCH_PID_DIR/herald.pid")

# natsTLS reports whether the server at host:port asks for TLS, from the INFO
# line it sends first (tls_required).
natsTLS() {
  local host=${1%:*} port=${1##*:} info=""
  exec 3<>"/dev/tcp/$host/$port" || return 1
  IFS= read -r -t 5 info <&3 || true
  exec 3<&- 3>&-
  [[ $info == *'"tls_required":true'* ]]
}

case $bus in
embedded)
  [ -f "$eventbus" ] && args+=(-f "$eventbus")
  ;;
external)
  : "${BENCH_NATS_URL:?HERALD_BENCH_BUS=external needs the NATS of the harness (--nats-bin or --nats-url)}"
  args+=(--bus-url "$BENCH_NATS_URL")
  tls=${HERALD_BENCH_NATS_TLS:-auto}
  if [ "$tls" = auto ]; then
    hp=${BENCH_NATS_URL#*://}
    hp=${hp%%,*}
    if natsTLS "$hp"; then tls=true; else tls=false; fi
  fi
  if [ "$tls" = true ]; then
    # Herald has no flag for bus TLS: an EventBus (jetstreamExotic) carries it.
    # The harness' server has a self-signed certificate, so skip verification,
    # as Argo's client does; keep the harness' EventBus stream limits.
    gen=$BENCH_RUN_DIR/herald-eventbus-tls.yaml
    {
      printf 'apiVersion: argoproj.io/v1alpha1\nkind: EventBus\nmetadata:\n  name: default\nspec:\n  jetstreamExotic:\n'
      printf '    url: %s\n    tls:\n      insecureSkipVerify: true\n' "$BENCH_NATS_URL"
      if [ -f "$eventbus" ]; then
        awk '/^ *streamConfig: *\|/ {print "    streamConfig: |"; on=1; ind=-1; next}
             on && /^ *$/ {next}
             on { match($0, /^ */); if (ind < 0) ind = RLENGTH; if (RLENGTH < ind) exit; print "      " substr($0, ind + 1) }' "$eventbus"
      fi
    } >"$gen"
    args+=(-f "$gen")
  elif [ -f "$eventbus" ]; then
    args+=(-f "$eventbus")
  fi
  ;;
*)
  say "HERALD_BENCH_BUS must be embedded or external, not $bus"
  exit 2
  ;;
esac

# shellcheck disable=SC2206 # split on spaces on purpose
[ -n "${HERALD_BENCH_ARGS:-}" ] && args+=(${HERALD_BENCH_ARGS})

say "bus=$bus traces=$traces: $bin ${args[*]}"
# Herald writes the pid file itself once ready; an earlier run's must not
# stand in for it.
rm -f "$BENCH_PID_DIR/herald.pid"
# Until a pid file exists the harness takes every descendant process as a
# component, by its name, and would see "herald" as soon as it is launched:
# this launcher's own pid file (aux-*: reported, not added to the SUT's
# figures) keeps it waiting for herald.pid.
echo $$ >"$BENCH_PID_DIR/aux-herald-sh.pid"
"$bin" "${args[@]}" &
pid=$!

stop() {
  curl -fsS --max-time 5 "http://$metrics/metrics" -o "$BENCH_RUN_DIR/herald-metrics.txt" 2>/dev/null || true
  kill -TERM "$pid" 2>/dev/null || true
}
trap stop TERM INT

# wait returns early when a trapped signal arrives; wait again for Herald's exit.
rc=0
wait "$pid" || rc=$?
while kill -0 "$pid" 2>/dev/null; do
  wait "$pid" || rc=$?
done
exit "$rc"
