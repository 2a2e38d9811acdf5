#!/usr/bin/env bash
# The demo as an integration test: runs scripts/demo.sh against a fresh server and checks what
# a user of AWS's sample expects to see. Usage: demo_test.sh SOURCE_DIR BUILD_DIR
set -uo pipefail
src=${1:?source dir}
build=${2:?build dir}
out=$(mktemp)
trap 'rm -f "$out"' EXIT
bash "$src/scripts/demo.sh" "$build" >"$out" 2>&1
rc=$?
failures=0
fail() {
  echo "FAIL: $*"
  failures=$((failures + 1))
}
expect() { grep -qF -- "$1" "$out" || fail "output lacks: $1"; }
count() { grep -cE -- "$1" "$out"; }

[[ $rc -eq 0 ]] || fail "demo exited with $rc"
expect "stack durable-order-processing deployed (2 functions)"
expect '"message":"Order processed successfully with durable execution"'
expect '"status":"COMPLETED"'
expect '"message":"Order finalized successfully"'
expect '"statusCode":200'
expect "ExecutionSucceeded"
# The history: enrich-order started and succeeded once across the two invocations.
[[ $(count '^[0-9]+ +[^ ]+ +StepStarted +enrich-order') -eq 1 ]] || fail "enrich-order did not start exactly once"
[[ $(count '^[0-9]+ +[^ ]+ +StepSucceeded +enrich-order') -eq 1 ]] || fail "enrich-order did not succeed exactly once"
[[ $(count '^[0-9]+ +[^ ]+ +WaitSucceeded') -eq 1 ]] || fail "no WaitSucceeded in the history"
[[ $(count '^[0-9]+ +[^ ]+ +InvocationCompleted') -eq 2 ]] || fail "not exactly two invocations"
# Logs: Lambda's lines and the handler's structured records.
expect "START RequestId:"
expect "REPORT RequestId:"
expect '"message":"Starting durable order processing"'
# AWS's own CLI, where it is installed, gets the same response.
if command -v aws >/dev/null 2>&1; then
  expect "AWS's own CLI works against durafn too"
  [[ $(count '"message":"Order processed successfully with durable execution"') -ge 2 ]] ||
    fail "aws lambda invoke did not return the sample's response"
fi
expect "InvalidParameterValueException: You cannot invoke a durable function using an unqualified ARN"
expect "stack durable-order-processing deleted"

if [[ $failures -gt 0 ]]; then
  echo "---- demo output ----"
  cat "$out"
  exit 1
fi
echo "demo: all checks passed"
