#!/usr/bin/env bash
# `make conformance`: runs the durable-execution conformance requirements against a fresh
# server. Starts `durafn serve --skip-time` on a free port with a temporary data dir, runs
# durafn-conformance (which deploys the conformance function and reports), stops the server.
#   scripts/conformance.sh BUILD_DIR [durafn-conformance options...]
# The requirements folder: $DURAFN_CONFORMANCE_REQUIREMENTS, else the runner's default
# (../shared/conformance/requirements next to the project). The exit status is the runner's:
# non-zero when a requirement FAILED or the folder is missing. With `--language js` the
# JavaScript handlers are prepared first (scripts/conformance-js.sh, npm install).
set -euo pipefail
build=$(cd "${1:?build dir}" && pwd)
shift
durafn="$build/src/cli/durafn"
runner="$build/conformance/runner/durafn-conformance"
for bin in "$durafn" "$runner"; do
  if [[ ! -x "$bin" ]]; then
    echo "conformance: $bin is not built" >&2
    exit 2
  fi
done

for arg in "$@"; do
  if [[ "$arg" == "js" || "$arg" == "--language=js" ]]; then
    bash "$(dirname "$0")/conformance-js.sh" "$build" --prepare-only
    break
  fi
done

data=$(mktemp -d "${TMPDIR:-/tmp}/durafn-conformance.XXXXXX")
log="$data/serve.log"
source "$(dirname "$0")/lib/serve.sh"
cleanup() {
  stop_durafn_serve
  rm -rf "$data"
}
trap cleanup EXIT

start_durafn_serve "$durafn" "$log" --data-dir "$data/state" --skip-time || exit 2
echo "conformance: server on 127.0.0.1:$port (skip-time mode available), data in $data" >&2

status=0
"$runner" --endpoint "http://127.0.0.1:$port" "$@" || status=$?
if [[ $status -ne 0 && $status -ne 1 ]]; then
  echo "conformance: the runner stopped with status $status; server log:" >&2
  tail -20 "$log" >&2
fi
exit $status
