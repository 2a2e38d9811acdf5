#!/usr/bin/env bash
# Runs the node:test suites in tests/node against the durafn binary. npm packages are
# installed (pinned in tests/node/package.json and tests/node/functions/package.json) into the
# build dir, never the source tree; an unchanged package.json is not installed again.
# Usage: node-test.sh BUILD_DIR DURAFN_BINARY [TEST_FILE...]
set -euo pipefail
build=$(cd "$1" && pwd)
src=$(cd "$(dirname "$0")/.." && pwd)
node_dir="$build/node"

# npm_install SOURCE_PACKAGE_JSON DIR: DIR/node_modules as that package.json asks.
npm_install() {
  mkdir -p "$2"
  if ! cmp -s "$1" "$2/package.json" || [[ ! -d "$2/node_modules" ]]; then
    cp "$1" "$2/package.json"
    (cd "$2" && npm install --no-audit --no-fund --loglevel=error >/dev/null)
  fi
}
npm_install "$src/tests/node/package.json" "$node_dir"
# The functions the tests deploy: their sources next to their own node_modules.
fn_dir="$node_dir/functions"
npm_install "$src/tests/node/functions/package.json" "$fn_dir"
cp "$src"/tests/node/functions/*.mjs "$fn_dir/"

export DURAFN_BINARY="$2"
export DURAFN_NODE_MODULES="$node_dir/node_modules"
export DURAFN_NODE_FUNCTIONS="$fn_dir"
shift 2
if [[ $# -gt 0 ]]; then
  exec node --test "$@"
fi
exec node --test "$src"/tests/node/*.test.mjs
