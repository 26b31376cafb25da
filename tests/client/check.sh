#!/usr/bin/env bash
# The contract as outsiders meet it: lint openapi/openapi.json with openapi-spec-validator
# and Redocly (0 errors), generate a Python client from it with openapi-python-client (no
# warning but the known one for `text/csv`), and drive a short flow with that client against
# a real `ironfield` on a temporary SQLite file, and on PostgreSQL when TEST_DATABASE_URL is set.
#
# Usage: tests/client/check.sh [path/to/ironfield]   (default: builds the debug binary)
# Tools are installed idempotently: a venv under ~/.cache, npm ci in openapi/lint.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$(pwd)

source tests/lib/venv.sh
venv=$(python_venv ironfield-spec-venv tests/client/requirements.txt)
export PATH="$venv/bin:$PATH"

echo "== openapi-spec-validator"
openapi-spec-validator openapi/openapi.json

echo "== Redocly lint (openapi/redocly.yaml)"
(cd openapi/lint && npm ci --no-audit --no-fund --loglevel=error >/dev/null \
    && NO_UPDATE_NOTIFIER=1 npx --no-install redocly lint ../openapi.json --config ../redocly.yaml)

work=$(mktemp -d)
server_pid=""
cleanup() {
    if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
    rm -rf "$work"
}
trap cleanup EXIT

echo "== openapi-python-client generate"
(cd "$work" && openapi-python-client generate --path "$root/openapi/openapi.json" --meta none \
    --output-path ironfield_client >"$work/generate.log" 2>&1) || { cat "$work/generate.log"; exit 1; }
# The only warning allowed: POST /leads/import takes text/csv, which the generator skips.
if grep -E "^(WARNING|ERROR)" "$work/generate.log" | grep -qv "POST /api/v1/leads/import" \
    || grep "Unsupported content type" "$work/generate.log" | grep -qv "text/csv"; then
    cat "$work/generate.log"
    echo "openapi-python-client warned about more than text/csv" >&2
    exit 1
fi
python -c "import compileall, sys; sys.exit(0 if compileall.compile_dir('$work/ironfield_client', quiet=1) else 1)"

bin="${1:-}"
if [ -z "$bin" ]; then
    cargo build --locked -q
    bin="${CARGO_TARGET_DIR:-$root/target}/debug/ironfield"
fi

run_flow() {
    local database_url=$1
    local port
    port=$(python -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    DATABASE_URL="$database_url" IRONFIELD_ADDR="127.0.0.1:$port" \
        IRONFIELD_ADMIN_EMAIL="admin@ironfield.test" IRONFIELD_ADMIN_PASSWORD="flow-admin-password" \
        IRONFIELD_JWT_SECRET="client-flow-secret-client-flow-secret-0123" RUST_LOG=warn \
        "$bin" serve >"$work/server.log" 2>&1 &
    server_pid=$!
    for _ in $(seq 1 100); do
        curl -fs "http://127.0.0.1:$port/health/ready" >/dev/null 2>&1 && break
        sleep 0.1
    done
    PYTHONPATH="$work" IRONFIELD_URL="http://127.0.0.1:$port" \
        IRONFIELD_ADMIN_EMAIL="admin@ironfield.test" IRONFIELD_ADMIN_PASSWORD="flow-admin-password" \
        python tests/client/flow.py || { cat "$work/server.log"; return 1; }
    kill "$server_pid"
    wait "$server_pid" 2>/dev/null || true
    server_pid=""
}

echo "== generated client flow on SQLite"
run_flow "sqlite://$work/flow.db"

if [ -n "${TEST_DATABASE_URL:-}" ]; then
    echo "== generated client flow on PostgreSQL"
    base="${TEST_DATABASE_URL%/*}"
    db="ironfield_client_flow_$$"
    export PGOPTIONS="--client-min-messages=warning"
    psql "$TEST_DATABASE_URL" -qc "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db" >/dev/null
    status=0
    run_flow "$base/$db" || status=$?
    psql "$TEST_DATABASE_URL" -qc "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null || true
    [ "$status" -eq 0 ]
fi
