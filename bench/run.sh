#!/usr/bin/env bash
# Runs the shared end-to-end harness (argo-events-bench) on Herald: scenarios
# A1, A2, A3, B-burst, B-paced and B-create for each bus (Herald's embedded
# JetStream and the harness' nats-server), then the machine's two ceilings,
# and writes results.json and results.md. `make bench-e2e` calls it; see
# docs/bench-e2e.md.
#
# Every setting is an environment variable (make passes `make bench-e2e X=...`
# through); the defaults are the loads of RESULTS-argo.md.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
[ -n "${HTTP_SENSOR:-}" ] && HTTP_SENSOR=$(realpath "$HTTP_SENSOR")
cd "$repo"

HARNESS=${HARNESS:-$repo/../shared/bench}
OUT=${OUT:-$repo/_output/bench-e2e}
SCENARIOS=${SCENARIOS:-A1 A2 A3 B-burst B-paced B-create}
BUSES=${BUSES:-embedded external}
TRACES=${TRACES:-true}
CEILINGS=${CEILINGS:-1}
NATS_TLS=${NATS_TLS:-true}
LABEL=${LABEL:-}
HTTP_SENSOR=${HTTP_SENSOR:-}

if [ "${SMOKE:-0}" = 1 ]; then
  # Small counts: checks that every step runs, measures nothing.
  : "${A1_N:=300}" "${A2_N:=100}" "${A2_RATE:=50}" "${A3_N:=300}"
  : "${B_BURST_M:=20}" "${B_PACED_M:=5}" "${B_PACED_RATE:=2}" "${B_CREATE_M:=20}" "${B_UPDATES:=3}"
  : "${CEIL_NATS_N:=5000}" "${CEIL_K8S_M:=100}" "${DRAIN_IDLE:=5s}" "${READY_TIMEOUT:=30s}"
fi
A1_N=${A1_N:-15000} A1_C=${A1_C:-8}
A2_N=${A2_N:-12000} A2_RATE=${A2_RATE:-200} A2_C=${A2_C:-8}
A3_N=${A3_N:-20000} A3_C=${A3_C:-8}
B_BURST_M=${B_BURST_M:-200} B_BURST_C=${B_BURST_C:-4}
B_PACED_M=${B_PACED_M:-60} B_PACED_RATE=${B_PACED_RATE:-1} B_PACED_C=${B_PACED_C:-2}
B_CREATE_M=${B_CREATE_M:-200} B_CREATE_C=${B_CREATE_C:-4}
B_UPDATES=${B_UPDATES:-10}
CEIL_NATS_N=${CEIL_NATS_N:-200000} CEIL_NATS_TLS=${CEIL_NATS_TLS:-false}
CEIL_K8S_M=${CEIL_K8S_M:-2000} CEIL_K8S_C=${CEIL_K8S_C:-4}
DRAIN_IDLE=${DRAIN_IDLE:-10s}
READY_TIMEOUT=${READY_TIMEOUT:-120s}

say() { echo "bench-e2e: $*" >&2; }

# "B" stands for the three B runs.
scenarios=()
for s in $SCENARIOS; do
  case $s in
  B) scenarios+=(B-burst B-paced B-create) ;;
  A1 | A2 | A3 | B-burst | B-paced | B-create) scenarios+=("$s") ;;
  *) say "unknown scenario $s (want A1 A2 A3 B-burst B-paced B-create, or B)"; exit 2 ;;
  esac
done
for b in $BUSES; do
  case $b in embedded | external) ;; *) say "unknown bus $b (want embedded, external)"; exit 2 ;; esac
done
[ -d "$HARNESS/cmd/bench" ] || { say "no harness at $HARNESS (set HARNESS=<path to the shared bench/>)"; exit 2; }
HARNESS=$(cd "$HARNESS" && pwd)

needK8s=0
for s in "${scenarios[@]}"; do [[ $s == B-* ]] && needK8s=1; done
[ "$CEILINGS" = 1 ] && needK8s=1
needNATS=0
[[ " $BUSES " == *" external "* ]] && needNATS=1
[ "$CEILINGS" = 1 ] && needNATS=1

bin=$OUT/bin
mkdir -p "$bin"
say "building herald, the harness and (if needed) nats-server into $bin"
if [ -n "${HERALD_BIN:-}" ]; then
  cp "$HERALD_BIN" "$bin/herald" # e.g. a build with profiling hooks
else
  go build -trimpath -o "$bin/herald" ./cmd/herald
fi
(cd "$HARNESS" && go build -o "$bin/bench" ./cmd/bench)
if [ "$needNATS" = 1 ] && [ -z "${NATS_SERVER:-}" ]; then
  # The nats-server Herald embeds (go.mod); Argo's figures used v2.10.29.
  go build -trimpath -o "$bin/nats-server" github.com/nats-io/nats-server/v2
  NATS_SERVER=$bin/nats-server
fi
k8sArgs=()
if [ "$needK8s" = 1 ]; then
  KUBE_ASSETS=${KUBE_ASSETS:-$(tools/controlplane/build.sh | tail -1)}
  k8sArgs=(--etcd-bin "$KUBE_ASSETS/etcd" --apiserver-bin "$KUBE_ASSETS/kube-apiserver")
fi
heraldVersion=$("$bin/herald" version 2>/dev/null | head -1 || true)

stamp=$(date -u +%Y%m%d-%H%M%S)
run=$OUT/runs/$stamp
mkdir -p "$run"
ln -sfn "runs/$stamp" "$OUT/latest"
tsv=$run/runs.tsv
: >"$tsv"
export BENCH_MANIFESTS=$HARNESS/manifests
say "results of this run: $run"

# harness NAME ARGS...: runs the harness once into $run/NAME, logs to NAME.log,
# and tells whether it finished.
harness() {
  local name=$1
  shift
  if "$bin/bench" "$@" --out "$run/$name" >"$run/$name.log" 2>&1; then
    return 0
  fi
  return 1
}

# portsFree HOST:PORT...: waits up to a minute for the fixed ports of the
# harness' manifests to be free (another program on the machine may hold
# the webhook's 12000 for a while); fails if one stays taken.
portsFree() {
  local p busy
  for _ in $(seq 60); do
    busy=""
    for p in "$@"; do
      if (exec 3<>"/dev/tcp/${p%:*}/${p##*:}") 2>/dev/null; then busy+=" $p"; fi
    done
    [ -z "$busy" ] && return 0
    sleep 1
  done
  echo "ports in use:$busy"
  return 1
}

for bus in $BUSES; do
  for traces in $TRACES; do
    sut="HERALD_BIN=$bin/herald HERALD_BENCH_BUS=$bus HERALD_BENCH_TRACES=$traces $repo/bench/herald.sh"
    common=(--sut-cmd "$sut" --components herald --ready-timeout "$READY_TIMEOUT" --label "herald bus=$bus traces=$traces")
    natsArgs=()
    [ "$bus" = external ] && natsArgs=(--nats-bin "$NATS_SERVER" --nats-tls="$NATS_TLS")
    httpSensor=()
    [ -n "$HTTP_SENSOR" ] && httpSensor=(--sensor "$HTTP_SENSOR")
    for s in "${scenarios[@]}"; do
      name=$s-$bus
      [ "$traces" = true ] || name=$name-notraces
      say "$name"
      case $s in
      A1) args=(webhook --mode http "${httpSensor[@]}" --n "$A1_N" --c "$A1_C" --drain-idle "$DRAIN_IDLE") ;;
      A2) args=(webhook --mode http "${httpSensor[@]}" --n "$A2_N" --rate "$A2_RATE" --c "$A2_C" --drain-idle "$DRAIN_IDLE") ;;
      A3) args=(webhook --mode log --log-match 'msg="log trigger fired"' --n "$A3_N" --c "$A3_C" --drain-idle "$DRAIN_IDLE") ;;
      B-burst) args=(k8s "${k8sArgs[@]}" --m "$B_BURST_M" --c "$B_BURST_C" --updates "$B_UPDATES") ;;
      B-paced) args=(k8s "${k8sArgs[@]}" --m "$B_PACED_M" --rate "$B_PACED_RATE" --c "$B_PACED_C" --updates "$B_UPDATES") ;;
      B-create) args=(k8s "${k8sArgs[@]}" --sensor "$HARNESS/manifests/k8s-ingress-sensor-create.yaml" --m "$B_CREATE_M" --c "$B_CREATE_C" --updates 0) ;;
      esac
      ports=(127.0.0.1:17790)
      case $s in A*) ports+=(127.0.0.1:12000 127.0.0.1:18080) ;; B*) ports+=(127.0.0.1:16443 127.0.0.1:12379) ;; esac
      [ "$bus" = external ] && ports+=(127.0.0.1:14222)
      status=ok note=""
      if ! busy=$(portsFree "${ports[@]}"); then
        say "$name: $busy"
        printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$s" "$bus" "$traces" "$run/$name" failed "$busy" >>"$tsv"
        continue
      fi
      [[ -n $HTTP_SENSOR && ($s == A1 || $s == A2) ]] && note="Sensor $(basename "$HTTP_SENSOR") instead of the harness' webhook-http-sensor.yaml"
      if ! harness "$name" "${args[@]}" "${natsArgs[@]}" "${common[@]}"; then
        status=failed
        why=$(grep -m1 '^bench:' "$run/$name.log" | sed 's/; SUT log tail:.*//' | cut -c1-200 || true)
        herr=$(grep -m1 'level=ERROR' "$run/$name/sut.log" 2>/dev/null | sed 's/.*level=ERROR //' | cut -c1-300 || true)
        note=$(printf '%s' "$note${note:+; }$why${herr:+ (Herald: $herr)}" | tr '\t' ' ')
        say "$name failed: ${note:-see $run/$name.log}"
      fi
      printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$s" "$bus" "$traces" "$run/$name" "$status" "$note" >>"$tsv"
    done
  done
done

ceilingArgs=()
if [ "$CEILINGS" = 1 ]; then
  say "ceilings: JetStream publish+consume, Ingress creates"
  if harness ceiling ceiling --nats-bin "$NATS_SERVER" --nats-tls="$CEIL_NATS_TLS" --nats-n "$CEIL_NATS_N" \
    "${k8sArgs[@]}" --k8s-m "$CEIL_K8S_M" --k8s-c "$CEIL_K8S_C"; then
    ceilingArgs=(-ceiling "$run/ceiling/result.json")
  else
    say "ceiling failed: see $run/ceiling.log"
  fi
fi

go run ./bench/report -runs "$tsv" "${ceilingArgs[@]}" -argo "$HARNESS/results" -out "$run" \
  -label "$LABEL" -herald-version "$heraldVersion"
cp "$run/results.json" "$run/results.md" "$OUT/"
say "wrote $OUT/results.json and $OUT/results.md (copies of $run)"
if grep -q $'\tfailed\t' "$tsv"; then
  say "some runs failed: see the table"
  exit 1
fi
