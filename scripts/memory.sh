#!/usr/bin/env bash
# Peak memory of the server under mixed load: for each backend, a release server over a fresh
# database, then MEM_ROUNDS consecutive rounds of MEM_ROUND_SECS each, every round running
# the load harness's `visits` scenario (LOAD_CONCURRENCY writers, each on its own lead) beside
# MEM_READERS readers listing those leads and visits; after each round it reads the process's
# VmHWM (peak RSS) and VmRSS from /proc/<pid>/status. Prints one table.
#
#   bash scripts/memory.sh
#
# Settings (environment): MEM_ROUNDS (3), MEM_ROUND_SECS (60), MEM_READERS (4),
# LOAD_CONCURRENCY (16), MEM_BACKENDS ("sqlite postgres"), LOAD_PG
# (postgres://postgres@127.0.0.1:5432; a database is created there and dropped), and
# IRONFIELD_DB_POOL_SIZE / IRONFIELD_WORKERS pass through to the server. Noisy when other
# builds share the machine: say so beside the figures.
set -euo pipefail

cd "$(dirname "$0")/.."

# IRONFIELD_BIN: the server binary to measure (skips the build), e.g. a copy of an earlier
# build for a before/after in one sitting.
SERVER_BIN=${IRONFIELD_BIN:-target/release/ironfield}

ROUNDS=${MEM_ROUNDS:-3}
SECS=${MEM_ROUND_SECS:-60}
READERS=${MEM_READERS:-4}
C=${LOAD_CONCURRENCY:-16}
BACKENDS=${MEM_BACKENDS:-sqlite postgres}
PG=${LOAD_PG:-postgres://postgres@127.0.0.1:5432}
ADMIN_EMAIL=mem-admin@ironfield.local
ADMIN_PASSWORD=mem-admin-password-$RANDOM$RANDOM
JWT_SECRET=memory-test-jwt-secret-0123456789abcdef-$RANDOM$RANDOM

WORK=$(mktemp -d "${TMPDIR:-/tmp}/ironfield-mem.XXXXXX")
SERVER_PID=
DATABASES=()
READER_PIDS=()

cleanup() {
    local status=$?
    trap - EXIT INT TERM
    for pid in "${READER_PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
    if [[ -n "$SERVER_PID" ]] && kill -0 "$SERVER_PID" 2>/dev/null; then
        kill "$SERVER_PID" 2>/dev/null || true
        wait "$SERVER_PID" 2>/dev/null || true
    fi
    for db in "${DATABASES[@]}"; do
        psql "$PG/postgres" -qAtc "DROP DATABASE IF EXISTS \"$db\" WITH (FORCE)" >/dev/null 2>&1 || true
    done
    rm -rf "$WORK"
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

log() { printf '== %s\n' "$*" >&2; }
free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}
kib() { awk -v k="$2" '$1 == k":" {print $2}' "/proc/$1/status"; }

start_server() {
    local url=$1 port
    port=$(free_port)
    BASE=http://127.0.0.1:$port
    DATABASE_URL=$url IRONFIELD_ADDR=127.0.0.1:$port \
        IRONFIELD_ADMIN_EMAIL=$ADMIN_EMAIL IRONFIELD_ADMIN_PASSWORD=$ADMIN_PASSWORD \
        IRONFIELD_JWT_SECRET=$JWT_SECRET RUST_LOG=warn \
        "$SERVER_BIN" serve >"$WORK/server-$port.log" 2>&1 &
    SERVER_PID=$!
    for _ in $(seq 1 300); do
        curl -fsS "$BASE/health/ready" >/dev/null 2>&1 && return 0
        kill -0 "$SERVER_PID" 2>/dev/null || { cat "$WORK/server-$port.log" >&2; return 1; }
        sleep 0.1
    done
    echo "the server was not ready after 30 s" >&2
    return 1
}

reader() {
    local token=$1 until=$2
    while (($(date +%s) < until)); do
        curl -fsS -o /dev/null -H "authorization: Bearer $token" "$BASE/api/v1/leads?limit=200" || true
        curl -fsS -o /dev/null -H "authorization: Bearer $token" "$BASE/api/v1/visits?limit=200" || true
    done
}

measure() {
    local backend=$1 url=$2
    log "$backend: $ROUNDS rounds of $SECS s, $C writers + $READERS readers"
    start_server "$url"
    local token
    token=$(curl -fsS "$BASE/api/v1/auth/login" -H 'content-type: application/json' \
        -d "{\"email\": \"$ADMIN_EMAIL\", \"password\": \"$ADMIN_PASSWORD\"}" | jq -r .access_token)
    echo "$backend start $(kib "$SERVER_PID" VmHWM) $(kib "$SERVER_PID" VmRSS)" >>"$WORK/rows"
    for round in $(seq 1 "$ROUNDS"); do
        local until=$(($(date +%s) + SECS))
        READER_PIDS=()
        for _ in $(seq 1 "$READERS"); do
            reader "$token" "$until" &
            READER_PIDS+=($!)
        done
        target/release/ironfield-loadtest --url "$BASE" --email "$ADMIN_EMAIL" \
            --password "$ADMIN_PASSWORD" --concurrency "$C" --duration "$SECS" --scenarios visits \
            | { grep -v '^LOAD_RESULT' || true; } >&2 # grep fails when every line is a result
        for pid in "${READER_PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
        READER_PIDS=()
        echo "$backend round$round $(kib "$SERVER_PID" VmHWM) $(kib "$SERVER_PID" VmRSS)" >>"$WORK/rows"
    done
    kill "$SERVER_PID"
    wait "$SERVER_PID" 2>/dev/null || true
    SERVER_PID=
}

if [[ -z ${IRONFIELD_BIN:-} ]]; then
    log "building (release)"
    cargo build --release --bin ironfield
    cargo build --release -p ironfield-loadtest --bin ironfield-loadtest
fi

for backend in $BACKENDS; do
    case $backend in
    sqlite) measure sqlite "sqlite://$WORK/server.db" ;;
    postgres)
        db=ironfield_mem_$$
        psql "$PG/postgres" -qAtc "CREATE DATABASE \"$db\"" >/dev/null
        DATABASES+=("$db")
        measure postgres "$PG/$db"
        ;;
    *) echo "unknown backend $backend" >&2; exit 2 ;;
    esac
done

echo
echo "server memory: $ROUNDS x $SECS s, $C writers (POST /visits) + $READERS readers (GET /leads, /visits)"
printf '%-10s | %-8s | %12s | %12s\n' backend after "peak RSS MB" "RSS MB"
printf -- '-----------+----------+--------------+-------------\n'
awk '{printf "%-10s | %-8s | %12.1f | %12.1f\n", $1, $2, $3/1024, $4/1024}' "$WORK/rows"
