#!/usr/bin/env bash
# The load harness, one command: builds release, then per backend starts the server over a
# fresh database, runs the scenarios of crates/loadtest against it, and measures the
# database's own limit for the visit transaction in the same run.
#
#   scripts/load.sh [sqlite|postgres|both]        (default both)
#
# Scenarios (crates/loadtest/src/main.rs): visits (single POSTs), batch200 (phone syncs) and
# batch500_alone, refresh (a team lead's progress, leaderboard, filtered lead lists), login.
# Limits: PostgreSQL: pgbench, C clients, the same transaction as one visit (INSERT visit +
# UPDATE lead, each client on its own lead) on the server's database right after its run;
# SQLite: crates/loadtest/src/bin/sqlite-commit-loop.rs, one writer, the server's pragmas, on
# the server's database file after it stopped.
#
# Settings (environment): LOAD_CONCURRENCY (64), LOAD_REPS (1: how many reps the visits
# clients sign in as), LOAD_DURATION_SECS (20), LOAD_SCENARIOS
# (visits,batch,refresh,login), LOAD_PG (postgres://postgres@127.0.0.1:5432; a database is
# created there and dropped), IRONFIELD_DB_POOL_SIZE / IRONFIELD_WORKERS pass through,
# IRONFIELD_BIN (a server binary to measure instead of building target/release/ironfield).
# Everything it starts or creates is removed on exit. Loopback only.
set -euo pipefail
cd "$(dirname "$0")/.."

# IRONFIELD_BIN: the server binary to measure (skips the build), e.g. a copy of an earlier
# build for a before/after in one sitting.
SERVER_BIN=${IRONFIELD_BIN:-target/release/ironfield}

WHICH=${1:-both}
C=${LOAD_CONCURRENCY:-64}
REPS=${LOAD_REPS:-1}
D=${LOAD_DURATION_SECS:-20}
SCENARIOS=${LOAD_SCENARIOS:-visits,batch,refresh,login}
PG=${LOAD_PG:-postgres://postgres@127.0.0.1:5432}
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

start_server() {
    local url=$1 port
    port=$(free_port)
    BASE=http://127.0.0.1:$port
    DATABASE_URL=$url IRONFIELD_ADDR=127.0.0.1:$port \
        IRONFIELD_ADMIN_EMAIL=$ADMIN_EMAIL IRONFIELD_ADMIN_PASSWORD=$ADMIN_PASSWORD \
        IRONFIELD_JWT_SECRET=$JWT_SECRET RUST_LOG=${LOAD_SERVER_RUST_LOG:-warn} \
        "$SERVER_BIN" serve >"$WORK/server.log" 2>&1 &
    SERVER_PID=$!
    for _ in $(seq 300); do
        curl -fsS "$BASE/health/ready" >/dev/null 2>&1 && return 0
        kill -0 "$SERVER_PID" 2>/dev/null || { cat "$WORK/server.log" >&2; return 1; }
        sleep 0.1
    done
    echo "the server was not ready after 30 s" >&2
    return 1
}

stop_server() {
    kill "$SERVER_PID"
    wait "$SERVER_PID" 2>/dev/null || true
    SERVER_PID=
}

scenarios() {
    local backend=$1
    log "$backend: $C clients, $D s per scenario: $SCENARIOS (load: $(cut -d' ' -f1-3 /proc/loadavg))"
    target/release/ironfield-loadtest --url "$BASE" --email "$ADMIN_EMAIL" \
        --password "$ADMIN_PASSWORD" --concurrency "$C" --duration "$D" --reps "$REPS" \
        --server-pid "$SERVER_PID" --scenarios "$SCENARIOS" |
        sed -n 's/^LOAD_RESULT //p' | jq -c --arg b "$backend" '. + {backend: $b}' >>"$WORK/results.jsonl"
}

pgbench_limit() {
    local url=$1
    psql "$url" -qAt -v ON_ERROR_STOP=1 >/dev/null <<SQL
CREATE TABLE bench_leads AS
  SELECT row_number() OVER (ORDER BY created_at DESC) - 1 AS n, id, owner_id, team_id
  FROM (SELECT * FROM leads ORDER BY created_at DESC LIMIT $C) l;
SQL
    # One visit as the server stores it: INSERT the visit, UPDATE the lead, one transaction;
    # client k works its own lead, as the server's clients do.
    cat >"$WORK/visit.sql" <<'SQL'
\set n :client_id % 64
BEGIN;
INSERT INTO visits (id, rep_id, team_id, lead_id, seller_account_id, visited_at, business_date, received_at, location_lat, location_lng, location_accuracy_m, location_check, market, district, stall_no, purpose, outcome, notes, next_follow_up_at, duration_minutes, created_at, updated_at, version)
  SELECT gen_random_uuid()::text, owner_id, team_id, id, NULL, now()::timestamp, current_date::text, now()::timestamp, NULL, NULL, NULL, 'unverifiable', '一区', NULL, 'L-1', 'follow_up', 'interested', NULL, NULL, NULL, now()::timestamp, now()::timestamp, 1 FROM bench_leads WHERE n = :n;
UPDATE leads SET last_visit_at = CASE WHEN last_visit_at IS NULL OR last_visit_at < now()::timestamp THEN now()::timestamp ELSE last_visit_at END, stage = CASE WHEN stage IN ('new', 'contacted') THEN 'visited' ELSE stage END, updated_at = now()::timestamp, version = version + 1 WHERE id = (SELECT id FROM bench_leads WHERE n = :n);
END;
SQL
    sed -i "s/% 64/% $C/" "$WORK/visit.sql"
    log "postgres limit: pgbench -n -c $C -j 2 -T $D (load: $(cut -d' ' -f1-3 /proc/loadavg))"
    (cd "$WORK" && pgbench -n -c "$C" -j 2 -T "$D" -f visit.sql -l --log-prefix=tx "$url") >"$WORK/pgbench.out"
    cat "$WORK"/tx.* | awk '{print $3/1000}' | sort -n >"$WORK/pgbench.lat"
    local tps n failed
    tps=$(sed -nE 's/^tps = ([0-9.]+).*/\1/p' "$WORK/pgbench.out" | head -1)
    failed=$(sed -nE 's/^number of failed transactions: ([0-9]+).*/\1/p' "$WORK/pgbench.out")
    n=$(wc -l <"$WORK/pgbench.lat")
    pct() { awk -v p="$1" -v n="$n" 'BEGIN{r=int(p*n/100); if (r<p*n/100) r++; if (r<1) r=1} NR==r {print; exit}' "$WORK/pgbench.lat"; }
    jq -nc --argjson tps "$tps" --argjson n "$n" --argjson e "${failed:-0}" \
        --argjson p50 "$(pct 50)" --argjson p95 "$(pct 95)" --argjson p99 "$(pct 99)" \
        '{backend: "postgres", scenario: "pgbench_visit_tx", requests: $n, per_s: $tps, items_per_s: $tps,
          p50_ms: $p50, p95_ms: $p95, p99_ms: $p99, errors: $e}' >>"$WORK/results.jsonl"
}

if [[ -z ${IRONFIELD_BIN:-} ]]; then
    log "building (release)"
    cargo build --release -p ironfield -p ironfield-loadtest --bins
fi

if [[ $WHICH == sqlite || $WHICH == both ]]; then
    start_server "sqlite://$WORK/server.db"
    scenarios sqlite
    stop_server
    log "sqlite limit: commit loop, $D s (load: $(cut -d' ' -f1-3 /proc/loadavg))"
    target/release/sqlite-commit-loop --path "$WORK/server.db" --duration "$D" --leads "$C" |
        sed -n 's/^LOAD_RESULT //p' | jq -c '. + {backend: "sqlite"}' >>"$WORK/results.jsonl"
fi
if [[ $WHICH == postgres || $WHICH == both ]]; then
    db=ironfield_load_$$
    psql "$PG/postgres" -qAtc "CREATE DATABASE \"$db\"" >/dev/null
    DATABASES+=("$db")
    start_server "$PG/$db"
    scenarios postgres
    stop_server
    pgbench_limit "$PG/$db"
fi

echo
echo "$C clients, $D s per scenario; $(nproc) cores; load at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-9s %-19s %9s %9s %8s %8s %8s %8s %7s %8s\n' backend scenario req/s items/s p50ms p95ms p99ms maxms errors rss_mb
jq -r '[.backend, .scenario, .per_s, .items_per_s, .p50_ms, .p95_ms, .p99_ms, (.max_ms // 0), .errors, (.peak_rss_mb // 0)] | @tsv' \
    "$WORK/results.jsonl" |
    awk -F'\t' '{printf "%-9s %-19s %9.0f %9.0f %8.1f %8.1f %8.1f %8.1f %7d %8.1f\n", $1,$2,$3,$4,$5,$6,$7,$8,$9,$10}'
for b in sqlite postgres; do
    jq -rs --arg b "$b" '
      (map(select(.backend == $b and .scenario == "visits")) | first | .items_per_s) as $s |
      (map(select(.backend == $b and (.scenario == "pgbench_visit_tx" or .scenario == "sqlite_commit_loop"))) | first | .per_s) as $l |
      if $s and $l then "\($b): server visits/s over the database limit = \($s / $l * 100 | round / 100)" else empty end' \
        "$WORK/results.jsonl"
done
if [[ -n "${LOAD_RESULTS_OUT:-}" ]]; then cp "$WORK/results.jsonl" "$LOAD_RESULTS_OUT"; fi
