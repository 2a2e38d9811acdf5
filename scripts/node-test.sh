#!/usr/bin/env bash
# Runs the node:test suites in tests/node against the durafn binary. npm packages are
# installed (pinned in tests/node/package.json) into the build dir, never the source tree.
# Usage: node-test.sh BUILD_DIR DURAFN_BINARY
set -euo pipefail
build=$(cd "$1" && pwd)
src=$(cd "$(dirname "$0")/.." && pwd)
node_dir="$build/node"
mkdir -p "$node_dir"
if ! cmp -s "$src/tests/node/package.json" "$node_dir/package.json" || [[ ! -d "$node_dir/node_modules" ]]; then
  cp "$src/tests/node/package.json" "$node_dir/package.json"
  (cd "$node_dir" && npm install --no-audit --no-fund --loglevel=error >/dev/null)
fi
export DURAFN_BINARY="$2"
export DURAFN_NODE_MODULES="$node_dir/node_modules"
exec node --test "$src"/tests/node/*.test.mjs
