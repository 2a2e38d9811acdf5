#!/usr/bin/env bash
# AWS's order-processing sample in Node.js (examples/order-processing-nodejs) end to end: a
# fresh server, `durafn deploy` (which installs the npm dependencies), then
# DurableOrderProcessor:prod invoked with `durafn invoke` and with AWS's own CLI.
# The example is deployed from a copy in the build dir, so node_modules never lands in the
# source tree. Usage: order_processing_nodejs_test.sh SOURCE_DIR BUILD_DIR
set -uo pipefail
src=$(cd "${1:?source dir}" && pwd)
build=$(cd "${2:?build dir}" && pwd)
durafn="$build/src/cli/durafn"
stack=durable-order-processing-nodejs
work="$build/examples/order-processing-nodejs"
data=$(mktemp -d "${TMPDIR:-/tmp}/durafn-nodejs-example.XXXXXX")
source "$src/scripts/lib/serve.sh"
cleanup() {
  stop_durafn_serve
  rm -rf "$data"
}
trap cleanup EXIT
failures=0
fail() {
  echo "FAIL: $*"
  failures=$((failures + 1))
}

# The example, copied without disturbing an installed node_modules (npm keeps it current).
mkdir -p "$work"
(cd "$src/examples/order-processing-nodejs" && tar cf - --exclude=node_modules .) |
  (cd "$work" && tar xf -)

start_durafn_serve "$durafn" "$data/serve.log" --data-dir "$data/state" || exit 1
export DURAFN_ENDPOINT="http://127.0.0.1:$port"

"$durafn" deploy --template "$work/template.yaml" --stack-name "$stack" >"$data/deploy.log" 2>&1 ||
  fail "deploy failed: $(cat "$data/deploy.log")"
[[ -d "$work/node_modules/@aws/durable-execution-sdk-js" ]] ||
  fail "deploy did not install the npm dependencies"

# check_response FILE LABEL: the sample's successful response.
check_response() {
  local r
  r=$(cat "$1")
  for want in '"success":true' '"orderId":"ORD-12345"' '"status":"COMPLETED"' \
      '"message":"Order processed successfully with durable execution"' \
      '"message":"Order finalized successfully"' '"statusCode":200' '"customerId":"CUST-'; do
    [[ "$r" == *"$want"* ]] || fail "$2: response lacks $want: $r"
  done
}

"$durafn" invoke DurableOrderProcessor:prod \
  --payload "file://$work/test-payload.json" "$data/response.json" >"$data/invoke.log" 2>&1 ||
  fail "durafn invoke failed: $(cat "$data/invoke.log")"
check_response "$data/response.json" "durafn invoke"

# The history: enrich-order ran once across two invocations (the wait ended the first).
arn=$("$durafn" --output json executions list --function DurableOrderProcessor |
  sed -nE 's/.*"DurableExecutionArn" *: *"([^"]+)".*/\1/p' | head -1)
history=$("$durafn" executions history "$arn")
[[ $(grep -cE 'StepSucceeded +enrich-order' <<<"$history") -eq 1 ]] ||
  fail "enrich-order did not succeed exactly once: $history"
[[ $(grep -cE 'StepSucceeded +finalize-order' <<<"$history") -eq 1 ]] ||
  fail "finalize-order did not succeed exactly once: $history"
[[ $(grep -c 'WaitSucceeded' <<<"$history") -eq 1 ]] || fail "no WaitSucceeded: $history"
[[ $(grep -c 'InvocationCompleted' <<<"$history") -eq 2 ]] || fail "not two invocations: $history"

# A payload without orderId: the sample's own error result.
"$durafn" invoke DurableOrderProcessor:prod --payload '{}' "$data/bad.json" >/dev/null 2>&1
grep -qF '"success":false' "$data/bad.json" && grep -qF 'orderId is required' "$data/bad.json" ||
  fail "missing orderId: $(cat "$data/bad.json")"

if command -v aws >/dev/null 2>&1; then
  binary_format=()
  [[ $(aws --version 2>&1) == aws-cli/1.* ]] || binary_format=(--cli-binary-format raw-in-base64-out)
  env AWS_ACCESS_KEY_ID=durafn AWS_SECRET_ACCESS_KEY=durafn AWS_DEFAULT_REGION=us-east-1 AWS_PAGER= \
    aws lambda invoke --endpoint-url "$DURAFN_ENDPOINT" --function-name DurableOrderProcessor:prod \
    --payload "file://$work/test-payload.json" "${binary_format[@]}" "$data/aws.json" \
    >"$data/aws.log" 2>&1 || fail "aws lambda invoke failed: $(cat "$data/aws.log")"
  check_response "$data/aws.json" "aws lambda invoke"
else
  echo "aws CLI not installed: its check is not run"
fi

"$durafn" delete --stack-name "$stack" >/dev/null 2>&1 || fail "delete failed"
if [[ $failures -gt 0 ]]; then
  echo "---- server log ----"
  tail -20 "$data/serve.log"
  exit 1
fi
echo "order-processing-nodejs: all checks passed"
