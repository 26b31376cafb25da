#!/usr/bin/env bash
# Schemathesis against a real `ironfield` as a rep and as an admin: on a temporary SQLite file,
# and on a throwaway PostgreSQL database when TEST_DATABASE_URL is set. 0 findings or it fails.
#
# Usage: tests/contract/run.sh [path/to/ironfield]   (default: the debug binary, built if missing)
# FUZZ_SECONDS (default 60) bounds each role's run.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$(pwd)

source tests/lib/venv.sh
venv=$(python_venv ironfield-fuzz-venv tests/contract/requirements.txt)

bin="${1:-${CARGO_TARGET_DIR:-$root/target}/debug/ironfield}"
if [ ! -x "$bin" ]; then
    cargo build --locked -q
fi
seconds="${FUZZ_SECONDS:-60}"
work=$(mktemp -d)
database=""
cleanup() {
    if [ -n "$database" ]; then
        psql "$TEST_DATABASE_URL" -qc "DROP DATABASE IF EXISTS \"$database\" WITH (FORCE)" || true
    fi
    rm -rf "$work"
}
trap cleanup EXIT

fuzz() {
    python3 tests/contract/fuzz.py --binary "$bin" --database "$1" --max-time "$seconds" \
        --schemathesis "$venv/bin/schemathesis"
}

fuzz "sqlite://$work/fuzz.db"
if [ -n "${TEST_DATABASE_URL:-}" ]; then
    database="ironfield_fuzz_$$"
    psql "$TEST_DATABASE_URL" -qc "CREATE DATABASE \"$database\""
    fuzz "${TEST_DATABASE_URL%/*}/$database"
fi
