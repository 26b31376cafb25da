#!/usr/bin/env bash
# Load test of POST /api/v1/visits on both backends, beside each database's own limit
# measured the same way in the same run.
#
#   bash scripts/load-visits.sh
#
# 1. builds the release binary and the two examples;
# 2. for SQLite and for PostgreSQL: starts target/release/ironfield on a free loopback port
#    over a fresh database, waits for /health/ready, runs examples/load_visits.rs against it
#    (C clients for D seconds), checks the stored count, stops the server;
# 3. the limits: pgbench with an equivalent single-row INSERT into a visits-shaped table on a
#    fresh database (C clients, -j 2, D seconds), and examples/sqlite_commit_loop.rs (one
#    INSERT per transaction, one writer, the server's pragmas, D seconds);
# 4. prints one table.
#
# Settings (environment): LOAD_CONCURRENCY (16), LOAD_DURATION_SECS (20), LOAD_LEADS (1),
# LOAD_PG (postgres://postgres@127.0.0.1:5432; databases are created and dropped there),
# LOAD_BACKENDS ("sqlite postgres"), LOAD_SERVER_RUST_LOG (warn), IRONFIELD_DB_POOL_SIZE and
# IRONFIELD_WORKERS pass through to the server (defaults: 8 connections, one worker a core).
# Everything it starts or creates is removed on exit, failure or Ctrl-C.
set -euo pipefail

cd "$(dirname "$0")/.."

C=${LOAD_CONCURRENCY:-16}
D=${LOAD_DURATION_SECS:-20}
LEADS=${LOAD_LEADS:-1}
PG=${LOAD_PG:-postgres://postgres@127.0.0.1:5432}
BACKENDS=${LOAD_BACKENDS:-sqlite postgres}
SERVER_LOG_LEVEL=${LOAD_SERVER_RUST_LOG:-warn}
ADMIN_EMAIL=load-admin@ironfield.local
ADMIN_PASSWORD=load-admin-password-$RANDOM$RANDOM
JWT_SECRET=load-test-jwt-secret-0123456789abcdef-$RANDOM$RANDOM

WORK=$(mktemp -d "${TMPDIR:-/tmp}/ironfield-load.XXXXXX")
SERVER_PID=
DATABASES=()

cleanup() {
    local status=$?
    trap - EXIT INT TERM
    if [[ -n "$SERVER_PID" ]] && kill -0 "$SERVER_PID" 2>/dev/null; then
        kill "$SERVER_PID" 2>/dev/null || true
        wait "$SERVER_PID" 2>/dev/null || true
    fi
    for db in "${DATABASES[@]}"; do
        psql "$PG/postgres" -qAtc "DROP DATABASE IF EXISTS \"$db\" WITH (FORCE)" >/dev/null 2>&1 \
            || echo "warning: could not drop database $db" >&2
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

new_pg_database() {
    local name=$1
    psql "$PG/postgres" -qAtc "CREATE DATABASE \"$name\"" >/dev/null
    DATABASES+=("$name")
}

# start_server DATABASE_URL: starts the release binary, waits until it is ready; sets BASE.
start_server() {
    local url=$1 port
    port=$(free_port)
    BASE=http://127.0.0.1:$port
    DATABASE_URL=$url IRONFIELD_ADDR=127.0.0.1:$port \
        IRONFIELD_ADMIN_EMAIL=$ADMIN_EMAIL IRONFIELD_ADMIN_PASSWORD=$ADMIN_PASSWORD \
        IRONFIELD_JWT_SECRET=$JWT_SECRET RUST_LOG=$SERVER_LOG_LEVEL \
        target/release/ironfield serve >"$WORK/server-$port.log" 2>&1 &
    SERVER_PID=$!
    local waited=0
    until curl -fsS "$BASE/health/ready" >/dev/null 2>&1; do
        if ! kill -0 "$SERVER_PID" 2>/dev/null; then
            cat "$WORK/server-$port.log" >&2
            echo "the server exited before it was ready" >&2
            return 1
        fi
        if ((waited >= 300)); then
            echo "the server was not ready after 30 s" >&2
            return 1
        fi
        sleep 0.1
        waited=$((waited + 1))
    done
}

stop_server() {
    kill "$SERVER_PID"
    wait "$SERVER_PID" 2>/dev/null || true
    SERVER_PID=
}

# run_server_load NAME DATABASE_URL: one server run; leaves the JSON in $WORK/NAME.json.
run_server_load() {
    local name=$1 url=$2
    log "$name: server over a fresh database, $C clients for $D s"
    start_server "$url"
    target/release/examples/load_visits --url "$BASE" --email "$ADMIN_EMAIL" \
        --password "$ADMIN_PASSWORD" --concurrency "$C" --duration "$D" --leads "$LEADS" \
        --database-url "$url" | tee "$WORK/$name.out"
    grep '^LOAD_RESULT ' "$WORK/$name.out" | sed 's/^LOAD_RESULT //' >"$WORK/$name.json"
    stop_server
}

log "building (release)"
cargo build --release --bin ironfield --example load_visits --example sqlite_commit_loop

for backend in $BACKENDS; do
    case $backend in
    sqlite) run_server_load sqlite "sqlite://$WORK/server.db" ;;
    postgres)
        db=ironfield_load_$$
        new_pg_database "$db"
        run_server_load postgres "$PG/$db"
        ;;
    *) echo "unknown backend $backend" >&2; exit 2 ;;
    esac
done

# PostgreSQL's limit: the same table, one INSERT per transaction, C clients.
if [[ " $BACKENDS " == *" postgres "* ]]; then
    db=ironfield_pgbench_$$
    new_pg_database "$db"
    # The visits migration itself, its foreign keys stripped (the other tables are not there).
    sed -E 's/ REFERENCES [a-z_]+ \([a-z_]+\)//' \
        migrations/postgres/2026-11-25-000004_visits/up.sql >"$WORK/visits.sql"
    psql "$PG/$db" -qAt -v ON_ERROR_STOP=1 -f "$WORK/visits.sql" >/dev/null
    cat >"$WORK/insert.sql" <<'SQL'
INSERT INTO visits (id, rep_id, team_id, lead_id, seller_account_id, visited_at, business_date, received_at, location_lat, location_lng, location_accuracy_m, location_check, market, district, stall_no, purpose, outcome, notes, next_follow_up_at, duration_minutes, created_at, updated_at, version) VALUES (gen_random_uuid()::text, '0193a1b2-0000-7000-8000-000000000001', '0193a1b2-0000-7000-8000-000000000002', '0193a1b2-0000-7000-8000-000000000003', NULL, now()::timestamp, current_date::text, now()::timestamp, NULL, NULL, NULL, 'unverifiable', NULL, NULL, NULL, 'follow_up', 'interested', NULL, NULL, NULL, now()::timestamp, now()::timestamp, 1);
SQL
    log "postgres limit: pgbench -n -c $C -j 2 -T $D -f insert.sql"
    (cd "$WORK" && pgbench -n -c "$C" -j 2 -T "$D" -f insert.sql -l --log-prefix=txlog \
        "$PG/$db") | tee "$WORK/pgbench.out"
    # Per-transaction log: client, transaction, latency in µs, ...
    cat "$WORK"/txlog.* | awk '{print $3}' | sort -n >"$WORK/pgbench.lat"
    n=$(wc -l <"$WORK/pgbench.lat")
    tps=$(sed -nE 's/^tps = ([0-9.]+).*/\1/p' "$WORK/pgbench.out" | head -1)
    failed=$(sed -nE 's/^number of failed transactions: ([0-9]+).*/\1/p' "$WORK/pgbench.out")
    pct() { awk -v p="$1" -v n="$n" 'BEGIN{r=int(p*n/100); if (r<p*n/100) r++; if (r<1) r=1} NR==r {printf "%.3f", $1/1000; exit}' "$WORK/pgbench.lat"; }
    jq -n --argjson tps "$tps" --argjson p50 "$(pct 50)" --argjson p99 "$(pct 99)" \
        --argjson errors "${failed:-0}" --argjson n "$n" \
        '{commits: $n, commits_per_s: $tps, p50_ms: $p50, p99_ms: $p99, errors: $errors}' \
        >"$WORK/pgbench.json"
fi

# SQLite's limit: one writer, one INSERT per transaction, the server's pragmas, same disk.
if [[ " $BACKENDS " == *" sqlite "* ]]; then
    log "sqlite limit: commit loop for $D s"
    target/release/examples/sqlite_commit_loop --path "$WORK/commit-loop.db" --duration "$D" \
        | tee "$WORK/commit-loop.out"
    grep '^COMMIT_LOOP_RESULT ' "$WORK/commit-loop.out" | sed 's/^COMMIT_LOOP_RESULT //' \
        >"$WORK/commit-loop.json"
fi

echo
echo "POST /api/v1/visits, $C clients, $D s, $LEADS lead(s); limits measured in the same run"
printf '%-10s | %-28s | %9s | %9s | %9s | %7s\n' backend what "per s" "p50 ms" "p99 ms" errors
printf -- '-----------+------------------------------+-----------+-----------+-----------+--------\n'
row() {
    local backend=$1 what=$2 file=$3 rate=$4
    [[ -f "$file" ]] || return 0
    jq -r --arg b "$backend" --arg w "$what" --arg r "$rate" \
        '[$b, $w, .[$r], .p50_ms, .p99_ms, .errors] |
         "\(.[0]) | \(.[1]) | \(.[2]) | \(.[3]) | \(.[4]) | \(.[5])"' "$file" |
        awk -F' \\| ' '{printf "%-10s | %-28s | %9.0f | %9.2f | %9.2f | %7d\n", $1, $2, $3, $4, $5, $6}'
}
row sqlite "server visits" "$WORK/sqlite.json" visits_per_s
row sqlite "limit: commit loop (1 wr)" "$WORK/commit-loop.json" commits_per_s
row postgres "server visits" "$WORK/postgres.json" visits_per_s
row postgres "limit: pgbench INSERT" "$WORK/pgbench.json" commits_per_s
