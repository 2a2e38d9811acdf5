#!/usr/bin/env bash
# Runs durafn's workflow benchmarks on the peers, Restate and DBOS, with the same load
# generator (BUILD_DIR/bench/loadgen) and writes their rows next to durafn's, for
# scripts/bench_report.py to print the ratios. Optional: not part of `make test`.
#   Usage: run.sh BUILD_DIR [--quick] [--out DIR] [--only restate|dbos]
# Needs root (a network namespace), node/npm (the peers come from npm into BUILD_DIR/peers)
# and PostgreSQL's initdb/pg_ctl (Debian's postgresql) for DBOS. Everything runs inside a
# fresh network namespace with only loopback, so nothing can leave the machine (Restate's
# server contacts its vendor at start); every listener binds 127.0.0.1. Data dirs, processes
# and the namespace are removed on exit.
set -euo pipefail
build=$(cd "${1:?build dir}" && pwd); shift
here=$(cd "$(dirname "$0")" && pwd)
quick=0 out="$build/bench/results" only=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --quick) quick=1 ;;
    --out) out=$2; shift ;;
    --only) only=$2; shift ;;
    *) echo "run.sh: unknown argument $1" >&2; exit 2 ;;
  esac
  shift
done
mkdir -p "$out"
loadgen="$build/bench/loadgen"
[[ -x "$loadgen" ]] || { echo "run.sh: build the loadgen target first" >&2; exit 1; }
[[ $(id -u) -eq 0 ]] || { echo "run.sh: needs root for the network namespace" >&2; exit 1; }

# ---- install (outside the namespace: npm needs the registry) ----
work="$build/peers"
mkdir -p "$work"
cp "$here/package.json" "$here"/*.mjs "$work/"
if [[ ! -d "$work/node_modules/@dbos-inc/dbos-sdk" || ! -d "$work/node_modules/@restatedev/restate-sdk" ]]; then
  echo "run.sh: installing the peers from npm into $work" >&2
  # --ignore-scripts: no install-time scripts run (one dependency's only reports telemetry).
  (cd "$work" && npm install --no-audit --no-fund --ignore-scripts --loglevel=error >&2)
fi

# ---- the namespace ----
ns="durafn-bench-$$"
pids=()
tmp=""
cleanup() {
  [[ -n "$tmp" ]] && cp "$tmp"/*.log "$out/" 2>/dev/null || true  # the peers' own logs
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  if [[ -f "$tmp/pg/postmaster.pid" ]]; then
    runuser -u postgres -- pg_ctl -D "$tmp/pg" -m immediate stop >/dev/null 2>&1 || true
  fi
  ip netns del "$ns" 2>/dev/null || true
  if [[ -n "$tmp" ]]; then rm -rf "$tmp"; fi
}
# Armed before anything is created, so a failure half-way leaves nothing behind.
trap cleanup EXIT
ip netns add "$ns"
tmp=$(mktemp -d "${DURAFN_BENCH_DIR:-${TMPDIR:-/tmp}}/durafn-peers.XXXXXX")
chmod 755 "$tmp"
ip netns exec "$ns" ip link set lo up
in_ns() { ip netns exec "$ns" "$@"; }

wait_http() {  # wait_http URL: until something answers there (any status), at most 60 s
  for _ in $(seq 600); do
    in_ns curl -s -o /dev/null --max-time 1 "$1" && return 0
    sleep 0.1
  done
  echo "run.sh: nothing answers at $1" >&2
  return 1
}

# CPU seconds (user + system) of processes; 0 for none.
cpu_of() {
  local tck total=0 p f
  tck=$(getconf CLK_TCK)
  for p in "$@"; do
    f=$(cut -d' ' -f14,15 "/proc/$p/stat" 2>/dev/null) || continue
    total=$((total + ${f% *} + ${f#* }))
  done
  awk -v t="$total" -v k="$tck" 'BEGIN { printf "%.3f", t / k }'
}
# Peak RSS (VmHWM) in MiB, summed over processes.
hwm_of() {
  local total=0 p kb
  for p in "$@"; do
    kb=$(awk '/^VmHWM:/ {print $2}' "/proc/$p/status" 2>/dev/null || echo 0)
    total=$((total + ${kb:-0}))
  done
  awk -v t="$total" 'BEGIN { printf "%.1f", t / 1024 }'
}

# Appends rows {group, name, value, unit, better} for SYSTEM to a results file.
row() {  # row FILE SYSTEM GROUP NAME VALUE UNIT BETTER [NOTE]
  python3 - "$@" <<'PY'
import json, os, sys
path, system, group, name, value, unit, better = sys.argv[1:8]
note = sys.argv[8] if len(sys.argv) > 8 else ""
doc = {"bench": "peers", "rows": []}
if os.path.exists(path):
    with open(path) as f:
        doc = json.load(f)
r = {"bench": "peers", "group": group, "name": name, "system": system, "unit": unit,
     "better": better, "value": float(value)}
if note:
    r["note"] = note
doc["rows"].append(r)
with open(path, "w") as f:
    json.dump(doc, f, indent=1)
PY
}

# The workload of workflow_bench, same sizes. `engine_list` prints the peer's server processes
# ("server" rows), app_pids holds its application process ("workers" rows).
# workload SYSTEM STEPS_URL ORDER_URL NOTE
workload() {
  local system=$1 steps_url=$2 order_url=$3 note=$4
  local file="$out/peer-$system.json" n reps c count dur
  rm -f "$file"
  local lg=(in_ns "$loadgen" --system "$system" --header content-type:application/json)
  "${lg[@]}" --url "$steps_url" --body '{"steps":10}' --count 3 --name warm-up >/dev/null
  for n in 0 10 100 1000; do
    if [[ $n -ge 1000 ]]; then reps=$([[ $quick -eq 1 ]] && echo 2 || echo 5)
    else reps=$([[ $quick -eq 1 ]] && echo 10 || echo 30); fi
    "${lg[@]}" --url "$steps_url" --body "{\"steps\":$n}" --count "$reps" \
      --duration "$([[ $quick -eq 1 ]] && echo 30 || echo 120)" \
      --group "N sequential durable steps" --name "N=$n workflow" \
      --note "$([[ $n -eq 0 ]] && echo "$note" || true)" --json "$file.part"
    merge "$file.part" "$file"
  done
  local levels=(1 8 32 128)
  [[ $quick -eq 1 ]] && levels=(1 8 32)
  for c in "${levels[@]}"; do
    local group="order workflow, wait 0 s, concurrency $c"
    local body='{"orderId":"ORD-{i}","nodejsLambdaArn":"OrderEnricher","waitSeconds":0}'
    "${lg[@]}" --url "$order_url" --body "$body" --concurrency "$c" --count "$c" \
      --duration 30 --name warm-up >/dev/null || true
    count=$([[ $quick -eq 1 ]] && echo $((3 * c > 20 ? 3 * c : 20)) || echo $((10 * c > 200 ? 10 * c : 200)))
    dur=$([[ $quick -eq 1 ]] && echo 15 || echo 60)
    local s0 w0 s1 w1
    engine_pids=($(engine_list)) # Postgres starts a process per connection: list them now
    s0=$(cpu_of "${engine_pids[@]}"); w0=$(cpu_of "${app_pids[@]}")
    "${lg[@]}" --url "$order_url" --body "$body" --concurrency "$c" --count "$count" \
      --duration "$dur" --group "$group" --name workflow --json "$file.part"
    s1=$(cpu_of "${engine_pids[@]}"); w1=$(cpu_of "${app_pids[@]}")
    local ok
    ok=$(python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print(next(r['n'] for r in d['rows'] if r['name']=='workflow latency'))" "$file.part")
    merge "$file.part" "$file"
    if [[ $ok -gt 0 ]]; then
      row "$file" "$system" "$group" "server CPU per workflow" \
        "$(awk -v a="$s0" -v b="$s1" -v n="$ok" 'BEGIN { print 1000 * (b - a) / n }')" ms lower
      row "$file" "$system" "$group" "workers CPU per workflow" \
        "$(awk -v a="$w0" -v b="$w1" -v n="$ok" 'BEGIN { print 1000 * (b - a) / n }')" ms lower
    fi
  done
  engine_pids=($(engine_list))
  row "$file" "$system" "peer processes" "server peak RSS (whole run)" "$(hwm_of "${engine_pids[@]}")" MiB lower \
    "sum of VmHWM over the server's processes (shared memory counts once per process)"
  row "$file" "$system" "peer processes" "workers peak RSS (whole run)" "$(hwm_of "${app_pids[@]}")" MiB lower
}

merge() {  # merge PART FILE: appends PART's rows to FILE
  python3 - "$1" "$2" <<'PY'
import json, os, sys
part, path = sys.argv[1:3]
with open(part) as f:
    rows = json.load(f)["rows"]
doc = {"bench": "peers", "rows": []}
if os.path.exists(path):
    with open(path) as f:
        doc = json.load(f)
doc["rows"].extend(rows)
with open(path, "w") as f:
    json.dump(doc, f, indent=1)
os.remove(part)
PY
}

# ---- Restate ----
run_restate() {
  local base="$tmp/restate"
  mkdir -p "$base"
  local server="$work/node_modules/@restatedev/restate-server-linux-x64/bin/restate-server"
  [[ -x "$server" ]] || { echo "run.sh: no restate-server binary in $work" >&2; return 1; }
  # Defaults except the addresses: everything on loopback, data in a temp dir.
  in_ns env RESTATE_BASE_DIR="$base" RESTATE_NODE_NAME=bench \
    RESTATE_BIND_ADDRESS=127.0.0.1:5122 RESTATE_ADVERTISED_ADDRESS=http://127.0.0.1:5122 \
    RESTATE_INGRESS__BIND_ADDRESS=127.0.0.1:8080 RESTATE_ADMIN__BIND_ADDRESS=127.0.0.1:9070 \
    "$server" --dump-config >"$out/restate-config.toml" 2>/dev/null || true
  # Started directly (not through in_ns): `ip netns exec` and env exec in place, so $! is
  # the server process itself, whose CPU and memory are measured.
  ip netns exec "$ns" env RESTATE_BASE_DIR="$base" RESTATE_NODE_NAME=bench \
    RESTATE_BIND_ADDRESS=127.0.0.1:5122 RESTATE_ADVERTISED_ADDRESS=http://127.0.0.1:5122 \
    RESTATE_INGRESS__BIND_ADDRESS=127.0.0.1:8080 RESTATE_ADMIN__BIND_ADDRESS=127.0.0.1:9070 \
    RESTATE_LOG_FILTER=warn "$server" >"$tmp/restate-server.log" 2>&1 &
  local server_pid=$!
  pids+=("$server_pid")
  ip netns exec "$ns" env PORT=9080 ENRICHER_PORT=9081 node --import "$work/node20-compat.mjs" "$work/restate-app.mjs" >"$tmp/restate-app.log" 2>&1 &
  local app_pid=$!
  pids+=("$app_pid")
  wait_http http://127.0.0.1:9070/health
  wait_http http://127.0.0.1:9081/
  in_ns curl -sf -X POST http://127.0.0.1:9070/deployments -H 'content-type: application/json' \
    -d '{"uri":"http://127.0.0.1:9080"}' >/dev/null
  engine_root=$server_pid app_pids=("$app_pid")
  engine_list() { echo "$engine_root"; }
  # The durability of an acknowledged invocation step rests on the local log (bifrost.local).
  local sync
  sync=$(python3 - "$out/restate-config.toml" <<'PY' || echo "see restate-config.toml"
import sys, tomllib
with open(sys.argv[1], "rb") as f:
    local = tomllib.load(f).get("bifrost", {}).get("local", {})
keys = ["rocksdb-disable-wal", "rocksdb-disable-wal-fsync", "writer-batch-commit-count",
        "writer-batch-commit-duration"]
print(", ".join(f"{k}={local[k]}" for k in keys if k in local))
PY
)
  workload restate http://127.0.0.1:8080/steps/run http://127.0.0.1:8080/DurableOrderProcessor/process \
    "Restate 1.7.12 defaults, single node; log (bifrost.local): $sync"
  kill "$app_pid" "$server_pid" 2>/dev/null || true
}

# ---- DBOS ----
run_dbos() {
  local pg="$tmp/pg" port=15432
  mkdir -p "$pg" && chown postgres "$pg"
  runuser -u postgres -- initdb -D "$pg" -U postgres --auth=trust >/dev/null
  # PostgreSQL's durability defaults (fsync on, synchronous_commit on) are kept.
  in_ns runuser -u postgres -- pg_ctl -D "$pg" -l "$pg/log" -w start \
    -o "-c listen_addresses=127.0.0.1 -p $port -k $pg -c max_connections=200" >/dev/null
  local pg_pid
  pg_pid=$(head -1 "$pg/postmaster.pid")
  local sc fs
  sc=$(in_ns runuser -u postgres -- psql -h 127.0.0.1 -p "$port" -At -c 'show synchronous_commit')
  fs=$(in_ns runuser -u postgres -- psql -h 127.0.0.1 -p "$port" -At -c 'show fsync')
  in_ns runuser -u postgres -- createdb -h 127.0.0.1 -p "$port" dbos_bench
  ip netns exec "$ns" env PORT=9180 ENRICHER_PORT=9181 \
    DBOS_SYSTEM_DATABASE_URL="postgresql://postgres@127.0.0.1:$port/dbos_bench" \
    node --import "$work/node20-compat.mjs" "$work/dbos-app.mjs" >"$tmp/dbos-app.log" 2>&1 &
  local app_pid=$!
  pids+=("$app_pid")
  wait_http http://127.0.0.1:9180/ || { cat "$tmp/dbos-app.log" >&2; return 1; }
  # Postgres is many processes (one per connection): the postmaster and its children.
  engine_root=$pg_pid app_pids=("$app_pid")
  engine_list() { echo "$engine_root" $(pgrep -P "$engine_root" || true); }
  workload dbos http://127.0.0.1:9180/steps http://127.0.0.1:9180/order \
    "DBOS 5.3.0 on PostgreSQL $(pg_ctl --version | awk '{print $3}'), synchronous_commit=$sc, fsync=$fs"
  kill "$app_pid" 2>/dev/null || true
}

status=0
if [[ -z "$only" || "$only" == restate ]]; then
  run_restate || { echo "run.sh: Restate run failed; logs:" >&2; tail -20 "$tmp"/restate-*.log >&2; status=1; }
fi
if [[ -z "$only" || "$only" == dbos ]]; then
  run_dbos || { echo "run.sh: DBOS run failed; logs:" >&2; tail -20 "$tmp"/dbos-app.log >&2; status=1; }
fi
exit $status
