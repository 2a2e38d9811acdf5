# `durafn serve` for scripts (the demo, the conformance run, the example tests), sourced.
#   start_durafn_serve DURAFN LOG [serve options...]
#     starts the server on a free loopback port with its output in LOG and sets server_pid
#     and port; returns 1, after printing LOG, if it is not serving within 30 s.
#   stop_durafn_serve
#     stops the server started above, if any, and waits for it.

server_pid=
port=

start_durafn_serve() {
  local durafn=$1 log=$2
  shift 2
  "$durafn" serve --listen 127.0.0.1:0 "$@" >"$log" 2>&1 &
  server_pid=$!
  for _ in $(seq 300); do
    grep -q "serving on" "$log" 2>/dev/null && break
    kill -0 "$server_pid" 2>/dev/null || break
    sleep 0.1
  done
  port=$(grep -m1 "serving on" "$log" 2>/dev/null | sed -nE 's/.*127\.0\.0\.1:([0-9]+).*/\1/p')
  if [[ -z "$port" ]]; then
    echo "durafn serve did not start:" >&2
    cat "$log" >&2
    return 1
  fi
}

stop_durafn_serve() {
  if [[ -n "$server_pid" ]]; then
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
    server_pid=
  fi
}
