#!/usr/bin/env bash
# What `make demo` shows today: durafn's wire model reading AWS's order-processing sample as
# recorded between AWS's JavaScript SDK and its backend. It becomes the full story (server,
# deploy, invoke DurableOrderProcessor:prod) as the server lands.
set -euo pipefail
build=${1:?build dir}
durafn="$build/src/cli/durafn"
shared=${DURAFN_SHARED_DIR:-$(cd "$(dirname "$0")/.." && pwd)/../shared}
trace="$shared/protocol-traces/order-processing.realtime.json"

echo "== operation ids of the sample's three operations (enrich-order, wait, finalize-order)"
"$durafn" protocol op-id 1 2 3
echo
echo "== a durable execution ARN, parsed"
"$durafn" protocol arn 'arn:aws:lambda:us-east-1:123456789012:function:DurableOrderProcessor:1/durable-execution/order-1001/6f1c0a52-0000-4000-8000-000000000001'
echo
echo "== an execution ARN names the version that runs it, never an alias: this one is rejected"
"$durafn" protocol arn 'arn:aws:lambda:us-east-1:123456789012:function:DurableOrderProcessor:prod/durable-execution/order-1001/x' || true
echo
if [[ -f "$trace" ]]; then
  echo "== the recorded order-processing run, decoded by durafn's protocol model"
  "$durafn" protocol trace "$trace"
else
  echo "(no protocol traces at $shared; set DURAFN_SHARED_DIR to see the recorded run)"
fi
