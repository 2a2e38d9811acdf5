#!/usr/bin/env bash
# `make demo`: AWS's order-processing sample, told with durafn on one machine.
#   start `durafn serve` on the embedded SQLite store -> deploy the C++ sample from its template
#   (DurableOrderProcessor with the `prod` alias, OrderEnricher) -> invoke
#   DurableOrderProcessor:prod and wait for its response (it suspends on a 2 s durable wait
#   and resumes) -> show the execution's history (two invocations, enrich-order ran once)
#   and the function's logs -> show the error for an unqualified invoke -> clean up.
set -euo pipefail
build=$(cd "${1:?build dir}" && pwd)
root=$(cd "$(dirname "$0")/.." && pwd)
durafn="$build/src/cli/durafn"
example="$root/examples/order-processing"
stack=durable-order-processing

data=$(mktemp -d "${TMPDIR:-/tmp}/durafn-demo.XXXXXX")
log="$data/serve.log"
source "$root/scripts/lib/serve.sh"
cleanup() {
  stop_durafn_serve
  rm -rf "$data"
}
trap cleanup EXIT

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
show() { printf '$ %s\n' "$*"; "$@"; }

step "start the server (embedded SQLite store in a fresh data dir)"
start_durafn_serve "$durafn" "$log" --data-dir "$data/state" || exit 1
grep -m1 "serving on" "$log"
export DURAFN_ENDPOINT="http://127.0.0.1:$port"

step "deploy the sample from its template (the C++ functions are built by CMake)"
show "$durafn" deploy --template "$example/template.yaml" --stack-name "$stack" \
  --parameter-overrides "BuildDir=$build"
show "$durafn" stack outputs "$stack"
enricher_arn=$("$durafn" --output json stack outputs "$stack" |
  sed -nE 's/.*"OrderEnricherArn"[^"]*"([^"]+)".*/\1/p' | head -1)
if [[ -z "$enricher_arn" ]]; then
  enricher_arn=$("$durafn" --output json functions get OrderEnricher |
    sed -nE 's/.*"FunctionArn" *: *"([^"]+)".*/\1/p' | head -1)
fi
payload="$data/payload.json"
sed "s|\"nodejsLambdaArn\": *\"[^\"]*\"|\"nodejsLambdaArn\": \"$enricher_arn\"|" \
  "$example/test-payload.json" >"$payload"

step "invoke DurableOrderProcessor:prod (synchronous; it waits 2 s durably on the way)"
echo "payload: $(cat "$payload")"
show "$durafn" invoke DurableOrderProcessor:prod --payload "file://$payload" "$data/response.json"
echo "response:"
cat "$data/response.json"
echo

step "the execution and its history: two invocations, enrich-order ran once"
show "$durafn" executions list --function DurableOrderProcessor
arn=$("$durafn" --output json executions list --function DurableOrderProcessor |
  sed -nE 's/.*"DurableExecutionArn" *: *"([^"]+)".*/\1/p' | head -1)
show "$durafn" executions history "$arn"

step "the functions' logs (START/END/REPORT and the handler's JSON lines)"
sleep 1  # the log store writes in batches
show "$durafn" logs tail DurableOrderProcessor --since 10m
show "$durafn" logs tail OrderEnricher --since 10m

if command -v aws >/dev/null 2>&1; then
  step "AWS's own CLI works against durafn too"
  # Version 1 sends file:// payloads as they are; version 2 must be told to.
  binary_format=()
  [[ $(aws --version 2>&1) == aws-cli/1.* ]] || binary_format=(--cli-binary-format raw-in-base64-out)
  show env AWS_ACCESS_KEY_ID=durafn AWS_SECRET_ACCESS_KEY=durafn AWS_DEFAULT_REGION=us-east-1 \
    AWS_PAGER= aws lambda invoke --endpoint-url "$DURAFN_ENDPOINT" \
    --function-name DurableOrderProcessor:prod --payload "file://$payload" \
    "${binary_format[@]}" "$data/aws-response.json"
  echo "response:"
  cat "$data/aws-response.json"
  echo
fi

step "a durable function must be invoked with a version or alias: this one is refused"
show "$durafn" invoke DurableOrderProcessor --payload "file://$payload" || true

step "clean up"
show "$durafn" delete --stack-name "$stack"
