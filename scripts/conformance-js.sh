#!/usr/bin/env bash
# Prepares the JavaScript conformance handlers in BUILD_DIR/conformance-js (sources copied,
# npm packages pinned in conformance/handlers/js/package.json installed there, never in the
# source tree), then runs them on AWS's local test runner unless --prepare-only.
# Usage: conformance-js.sh BUILD_DIR [REQUIREMENTS_DIR] [--prepare-only]
# REQUIREMENTS_DIR defaults to ../shared/conformance/requirements beside the repository.
set -euo pipefail
build=$(mkdir -p "$1" && cd "$1" && pwd)
src=$(cd "$(dirname "$0")/.." && pwd)
requirements=${2:-$src/../shared/conformance/requirements}
out="$build/conformance-js"
mkdir -p "$out"
if ! cmp -s "$src/conformance/handlers/js/package.json" "$out/package.json" || [[ ! -d "$out/node_modules" ]]; then
  cp "$src/conformance/handlers/js/package.json" "$out/package.json"
  (cd "$out" && npm install --no-audit --no-fund --no-package-lock --loglevel=error >/dev/null)
fi
# Sources are refreshed every time; files no longer in the source tree are dropped.
cp "$src"/conformance/handlers/js/*.mjs "$out/"
for f in "$out"/*.mjs; do
  [[ -e "$src/conformance/handlers/js/$(basename "$f")" ]] || rm -f "$f"
done
[[ "${3:-}" == "--prepare-only" || "${2:-}" == "--prepare-only" ]] && exit 0
if [[ ! -d "$requirements" ]]; then
  echo "conformance requirements folder not found: $requirements" >&2
  exit 2
fi
cd "$out"
export CONFORMANCE_REQUIREMENTS=$(cd "$requirements" && pwd)
exec node --test local.test.mjs
