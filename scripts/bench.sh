#!/usr/bin/env bash
# `make bench`: runs every benchmark of a build, then prints one markdown table and writes
# BUILD_DIR/bench-results.json (rows + the machine: cores, CPU, memory, file system of the
# data dir, load, commit). Each bench writes its own rows to BUILD_DIR/bench/results/.
# Usage: bench.sh BUILD_DIR [--quick] [--peers] [--only NAME]...
#   --quick  small sizes, finishes in about two minutes (same JSON layout)
#   --peers  also run bench/peers/run.sh (Restate and DBOS; installs them from npm)
#   --only   run just these benches (protocol store server hosting sdk workflow timer scale
#            peers)
# Data dirs go under $DURAFN_BENCH_DIR (default: the temp dir); its file system is recorded.
set -uo pipefail
build=$(cd "${1:?build dir}" && pwd); shift || true
root=$(cd "$(dirname "$0")/.." && pwd)
quick=0 peers=0 only=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --quick) quick=1 ;;
    --peers) peers=1 ;;
    --only) only+=("$2"); shift ;;
    *) echo "bench.sh: unknown argument $1" >&2; exit 2 ;;
  esac
  shift
done
data=${DURAFN_BENCH_DIR:-${TMPDIR:-/tmp}}
export DURAFN_BENCH_DIR=$data
out="$build/bench/results"
rm -rf "$out" && mkdir -p "$out"
loadavg_start=$(cut -d' ' -f1-3 /proc/loadavg)
commit=$(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)
if [[ -n "$(git -C "$root" status --porcelain --untracked-files=no 2>/dev/null)" ]]; then
  commit="$commit+changes"
fi
q=(); [[ $quick -eq 1 ]] && q=(--quick)
min_time=0.5; [[ $quick -eq 1 ]] && min_time=0.05
failed=()

want() {
  [[ ${#only[@]} -eq 0 ]] && return 0
  local o; for o in "${only[@]}"; do [[ "$o" == "$1" ]] && return 0; done
  return 1
}
# run NAME COMMAND...: runs one bench (its own output goes to the terminal).
run() {
  local name=$1; shift
  want "$name" || return 0
  echo "== $name" >&2
  if ! "$@" >&2; then
    echo "bench.sh: $name failed" >&2
    failed+=("$name")
  fi
}

gb=(--benchmark_min_time="$min_time" --benchmark_out_format=json)
run protocol "$build/bench/protocol_bench" "${gb[@]}" --benchmark_out="$out/bench-protocol.json"
run store "$build/bench/store_bench" "$data/durafn-store-bench-$$" "${q[@]}" --json "$out/store.json"
run server "$build/bench/server_bench" "${q[@]}" --json "$out/server.json"
run hosting "$build/bench/hosting_bench" "${q[@]}" --json "$out/hosting.json"
run sdk "$build/bench/sdk_bench" "${gb[@]}" --benchmark_out="$out/bench-sdk.json"
run workflow "$build/bench/workflow_bench" "${q[@]}" --json "$out/workflow.json"
run timer "$build/bench/timer_bench" "${q[@]}" --json "$out/timer.json"
run scale "$build/bench/scale_bench" "${q[@]}" --json "$out/scale.json"
if [[ $peers -eq 1 ]]; then
  run peers bash "$root/bench/peers/run.sh" "$build" "${q[@]}" --out "$out"
fi

failed_args=()
for f in "${failed[@]}"; do failed_args+=(--failed "$f"); done
q_flag=(); [[ $quick -eq 1 ]] && q_flag=(--quick)
shopt -s nullglob
python3 "$root/scripts/bench_report.py" --out "$build/bench-results.json" --data-dir "$data" \
  --commit "$commit" --loadavg-start "$loadavg_start" "${q_flag[@]}" "${failed_args[@]}" \
  "$out"/*.json
[[ ${#failed[@]} -eq 0 ]]
