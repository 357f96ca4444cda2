#!/usr/bin/env bash
# GraphQL-over-HTTP conformance: the `graphql-http` npm package's serverAudits against
# `rally serve`. Needs node + npm (not part of `make test`, which must run without them).
#   bash bench/audit_graphql_http.sh
set -euo pipefail
cd "$(dirname "$0")/.."
here=$(pwd)
node_dir=bench/.node
if [ ! -d "$node_dir/node_modules/graphql-http" ]; then
  mkdir -p "$node_dir"
  (cd "$node_dir" && echo '{"name":"rally-bench","private":true}' > package.json \
     && npm install --silent graphql-http graphql >/dev/null)
fi
data_dir=$(mktemp -d)
port=${PORT:-8765}
RALLY_DATA_DIR="$data_dir" RALLY_LOG_LEVEL=WARNING .venv/bin/rally serve --port "$port" >"$data_dir/serve.log" 2>&1 &
server=$!
trap 'kill -TERM $server 2>/dev/null; wait $server 2>/dev/null; rm -rf "$data_dir"' EXIT
for _ in $(seq 1 100); do
  curl -sf "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break
  sleep 0.2
done
cp bench/audit_graphql_http.mjs "$node_dir/audit.mjs"
node "$node_dir/audit.mjs" "http://127.0.0.1:$port/graphql"
