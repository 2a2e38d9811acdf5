#!/usr/bin/env bash
# Runs the benchmark binaries of a build and writes their JSON results next to them.
# Usage: bench.sh BUILD_DIR [--quick]
set -euo pipefail
build=${1:?build dir}; shift || true
quick=0
for a in "$@"; do [[ "$a" == "--quick" ]] && quick=1; done
min_time=0.5
[[ $quick -eq 1 ]] && min_time=0.05
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(free -g | awk '/Mem:/{print $2}') GiB"
echo "commit:  $(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
"$build/bench/protocol_bench" --benchmark_min_time="$min_time" \
  --benchmark_out="$build/bench-protocol.json" --benchmark_out_format=json
echo "results: $build/bench-protocol.json"
echo
"$build/bench/store_bench" "${DURAFN_BENCH_DIR:-$build/bench-data}" "$@"
echo
"$build/bench/server_bench" "$@"
echo
"$build/bench/timer_bench" "$@"
echo
"$build/bench/hosting_bench" "$@"
echo
"$build/bench/sdk_bench" --benchmark_min_time="$min_time" \
  --benchmark_out="$build/bench-sdk.json" --benchmark_out_format=json
