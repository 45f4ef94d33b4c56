#!/bin/sh
# ctest driver for the json-query differential test: node runs the npm json-query (installed by
# scripts/setup into tests/jsonquery_oracle/node_modules) to produce the cases, then the C++
# side compares. Usage: run.sh <jsonquery_diff binary> <cases.json to write>
set -eu
here=$(cd "$(dirname "$0")" && pwd)
if ! command -v node >/dev/null 2>&1; then
  echo "jsonquery_differential: node is not installed (run scripts/setup)"; exit 1
fi
if [ ! -f "$here/node_modules/json-query/package.json" ]; then
  echo "jsonquery_differential: npm json-query is missing in $here/node_modules (run scripts/setup)"
  exit 1
fi
node "$here/oracle.js" "$here/../../../shared/corpus" > "$2"
exec "$1" "$2"
