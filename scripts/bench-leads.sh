#!/usr/bin/env bash
# Lead-list latency over a realistic volume, on both backends.
#
#   scripts/bench-leads.sh [LEADS] [REQUESTS]      (defaults: 100000 leads, 200 requests)
#
# For each of SQLite (a fresh file) and PostgreSQL (a fresh database on
# $PG_ADMIN_URL, default postgres://postgres@127.0.0.1:5432/test): seeds the demo data
# (`ironfield seed-demo --leads N`, timed), starts a release server, signs in as a rep and as
# the manager, and times REQUESTS sequential requests of the default list and of a filtered
# list (?stage=visited&market=...), reporting p50/p99 in milliseconds. Then shows the query
# plans and the database-side time of the same queries (SQLite `.timer` / EXPLAIN QUERY PLAN,
# PostgreSQL EXPLAIN ANALYZE).
set -euo pipefail

LEADS=${1:-100000}
REQUESTS=${2:-200}
PG_ADMIN_URL=${PG_ADMIN_URL:-postgres://postgres@127.0.0.1:5432/test}
PORT=${PORT:-18080}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BIN="$ROOT/target/release/ironfield"
WORK=$(mktemp -d)
MARKET="国际商贸城一区"
MARKET_Q=$(python3 -c 'import sys,urllib.parse;print(urllib.parse.quote(sys.argv[1]))' "$MARKET")
PASSWORD="ironfield-demo-2026"
SERVER_PID=""

cleanup() {
    if [[ -n "$SERVER_PID" ]]; then kill "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; fi
    rm -rf "$WORK"
    psql -q "$PG_ADMIN_URL" -c 'DROP DATABASE IF EXISTS ironfield_bench WITH (FORCE)' >/dev/null 2>&1 || true
}
trap cleanup EXIT

(cd "$ROOT" && cargo build --release -q)

token() { # email
    curl -sf "http://127.0.0.1:$PORT/api/v1/auth/login" -H 'content-type: application/json' \
        -d "{\"email\":\"$1\",\"password\":\"$PASSWORD\"}" |
        python3 -c 'import json,sys;print(json.load(sys.stdin)["access_token"])'
}

# Prints "p50 p99" (ms) of REQUESTS sequential GETs of $2 with token $1.
timing() {
    local tok=$1 path=$2
    for _ in $(seq "$REQUESTS"); do
        curl -s -o /dev/null -w '%{http_code} %{time_total}\n' -H "authorization: Bearer $tok" \
            "http://127.0.0.1:$PORT/api/v1$path"
    done | python3 -c '
import sys
rows = [l.split() for l in sys.stdin]
bad = [c for c, _ in rows if c != "200"]
assert not bad, f"non-200 answers: {set(bad)}"
t = sorted(float(s) * 1000 for _, s in rows)
p = lambda q: t[min(len(t) - 1, int(q * len(t)))]
print(f"p50 {p(0.50):6.2f} ms   p99 {p(0.99):6.2f} ms")'
}

run_backend() { # name url
    local name=$1 url=$2
    echo "== $name: seeding $LEADS leads"
    local start=$(date +%s.%N)
    DATABASE_URL=$url "$BIN" seed-demo --leads "$LEADS" | tail -2
    echo "   seed-demo took $(python3 -c "print(round($(date +%s.%N) - $start, 1))") s (wall, incl. migrations)"

    DATABASE_URL=$url IRONFIELD_ADDR=127.0.0.1:$PORT IRONFIELD_JWT_SECRET=bench-secret-bench-secret-bench-secret \
        IRONFIELD_ACCESS_TOKEN_TTL_SECS=3600 RUST_LOG=warn "$BIN" serve >"$WORK/$name.log" 2>&1 &
    SERVER_PID=$!
    for _ in $(seq 100); do curl -sf "http://127.0.0.1:$PORT/health/ready" >/dev/null && break; sleep 0.1; done

    local rep manager
    rep=$(token "rep01@demo.ironfield.local")
    manager=$(token "manager@demo.ironfield.local")
    for who in rep manager; do
        local tok=${!who}
        printf '   %-8s default list            ' "$who"; timing "$tok" "/leads"
        printf '   %-8s stage=visited&market    ' "$who"; timing "$tok" "/leads?stage=visited&market=$MARKET_Q"
    done
    kill "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null || true; SERVER_PID=""
}

# The SQL the list runs (as diesel writes it), for a team set and optional filters.
# (diesel binds the team list as `IN (?, ...)` on SQLite and `= ANY($1)` on PostgreSQL.)
list_sql() { # teams-in-list extra-where [pg]
    local teams="team_id IN ($1)"
    [[ ${3:-} == pg ]] && teams="team_id = ANY(ARRAY[$1])"
    echo "SELECT * FROM leads WHERE $teams AND archived_at IS NULL $2 ORDER BY created_at DESC, id DESC LIMIT 51"
}

# --- SQLite
DB="$WORK/bench.db"
run_backend sqlite "sqlite://$DB"
REP_TEAM=$(sqlite3 "$DB" "SELECT quote(team_id) FROM users WHERE email='rep01@demo.ironfield.local'")
ALL_TEAMS=$(sqlite3 "$DB" "SELECT group_concat(quote(id)) FROM teams")
echo "== sqlite: plans and database time"
for q in "$(list_sql "$REP_TEAM" "")" \
         "$(list_sql "$ALL_TEAMS" "")" \
         "$(list_sql "$REP_TEAM" "AND stage = 'visited' AND market = '$MARKET'")" \
         "$(list_sql "$ALL_TEAMS" "AND stage = 'visited' AND market = '$MARKET'")"; do
    echo "-- $q"
    sqlite3 "$DB" "EXPLAIN QUERY PLAN $q" | sed 's/^/   /'
    printf '.timer on\n%s;\n' "$q" | sqlite3 "$DB" | grep '^Run Time' | sed 's/^/   /'
done

# --- PostgreSQL
psql -q "$PG_ADMIN_URL" -c 'DROP DATABASE IF EXISTS ironfield_bench WITH (FORCE)' -c 'CREATE DATABASE ironfield_bench'
PG_URL="${PG_ADMIN_URL%/*}/ironfield_bench"
run_backend postgres "$PG_URL"
psql -q "$PG_URL" -c 'ANALYZE'
REP_TEAM=$(psql -At "$PG_URL" -c "SELECT quote_literal(team_id) FROM users WHERE email='rep01@demo.ironfield.local'")
ALL_TEAMS=$(psql -At "$PG_URL" -c "SELECT string_agg(quote_literal(id), ',') FROM teams")
echo "== postgres: plans and database time"
for q in "$(list_sql "$REP_TEAM" "" pg)" \
         "$(list_sql "$ALL_TEAMS" "" pg)" \
         "$(list_sql "$REP_TEAM" "AND stage = 'visited' AND market = '$MARKET'" pg)" \
         "$(list_sql "$ALL_TEAMS" "AND stage = 'visited' AND market = '$MARKET'" pg)"; do
    echo "-- $q"
    psql -At "$PG_URL" -c "EXPLAIN (ANALYZE, COSTS OFF) $q" | grep -v '^$' | sed 's/^/   /'
done
