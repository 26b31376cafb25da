#!/usr/bin/env bash
# Month-end progress and leaderboard latency as the visit table grows, on both backends.
#
#   scripts/bench-progress.sh [VISITS ...]      (default: 100000 1000000)
#
# For each visit count and each backend (a fresh SQLite file; a fresh PostgreSQL database on
# $PG_ADMIN_URL): seeds `seed-demo --leads 20000 --reps 150 --visits N` (three teams of 50
# reps; visits spread over 120 days, so about a quarter fall in the current month), starts a
# release server, signs in as the manager and times REQUESTS sequential requests of
# `GET /targets/{this month}/progress?team_id=<a 50-rep team>` and of the leaderboard,
# reporting p50/p95/p99 in milliseconds (the goals are stated at p95). BACKENDS="sqlite postgres" (default) picks backends.
#
# FIXED_MONTH=1: the month held fixed while the table grows. Visits are spread over
# 120 x VISITS/100000 days instead of 120, so every run has this month's visits of the 100k
# run (about VISITS x days-so-far-this-month / days) and only the history around them grows:
# if the cost follows the month's rows, not the table, the figures stay flat.
set -euo pipefail

COUNTS=("${@:-100000 1000000}")
read -r -a COUNTS <<<"${COUNTS[*]}"
REQUESTS=${REQUESTS:-50}
PG_ADMIN_URL=${PG_ADMIN_URL:-postgres://postgres@127.0.0.1:5432/test}
PORT=${PORT:-18081}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BIN="$ROOT/target/release/ironfield"
WORK=$(mktemp -d)
PASSWORD="ironfield-demo-2026"
PERIOD=$(TZ=Asia/Shanghai date +%Y-%m)
SERVER_PID=""

cleanup() {
    if [[ -n "$SERVER_PID" ]]; then kill "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; fi
    rm -rf "$WORK"
    psql -q "$PG_ADMIN_URL" -c 'DROP DATABASE IF EXISTS ironfield_bench_progress WITH (FORCE)' >/dev/null 2>&1 || true
}
trap cleanup EXIT

(cd "$ROOT" && cargo build --release -q)

api() { # token path
    curl -sf -H "authorization: Bearer $1" "http://127.0.0.1:$PORT/api/v1$2"
}

timing() { # token path
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
print(f"p50 {p(0.50):7.2f} ms   p95 {p(0.95):7.2f} ms   p99 {p(0.99):7.2f} ms")'
}

run() { # name url visits
    local name=$1 url=$2 visits=$3 start
    echo "== $name, $visits visits"
    start=$(date +%s.%N)
    local days=120
    if [[ -n ${FIXED_MONTH:-} ]]; then days=$((120 * visits / 100000)); fi
    echo "   visits spread over $days days"
    DATABASE_URL=$url "$BIN" seed-demo --leads 20000 --reps 150 --visits "$visits" --visit-days "$days" 2>/dev/null | tail -2 | head -1
    echo "   seeding took $(python3 -c "print(round($(date +%s.%N) - $start, 1))") s"
    DATABASE_URL=$url IRONFIELD_ADDR=127.0.0.1:$PORT IRONFIELD_JWT_SECRET=bench-secret-bench-secret-bench-secret \
        IRONFIELD_ACCESS_TOKEN_TTL_SECS=3600 RUST_LOG=warn "$BIN" serve >"$WORK/$name.log" 2>&1 &
    SERVER_PID=$!
    for _ in $(seq 100); do curl -sf "http://127.0.0.1:$PORT/health/ready" >/dev/null && break; sleep 0.1; done
    local tok team month_visits
    tok=$(curl -sf "http://127.0.0.1:$PORT/api/v1/auth/login" -H 'content-type: application/json' \
        -d "{\"email\":\"manager@demo.ironfield.local\",\"password\":\"$PASSWORD\"}" |
        python3 -c 'import json,sys;print(json.load(sys.stdin)["access_token"])')
    team=$(api "$tok" "/teams?limit=200" | python3 -c '
import json,sys
teams = json.load(sys.stdin)["items"]
print(next(t["id"] for t in teams if t["parent_id"]))')
    month_visits=$(api "$tok" "/targets/$PERIOD/progress?team_id=$team" |
        python3 -c 'import json,sys;r=json.load(sys.stdin);print(len(r["reps"]), "reps,", r["teams"][0]["metrics"]["visits"]["actual"], "team visits this month")')
    echo "   team viewed: $month_visits"
    printf '   progress     '; timing "$tok" "/targets/$PERIOD/progress?team_id=$team"
    printf '   leaderboard  '; timing "$tok" "/leaderboard?period=$PERIOD&metric=visits&team_id=$team"
    printf '   branch-wide progress '; timing "$tok" "/targets/$PERIOD/progress"
    kill "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null || true; SERVER_PID=""
}

BACKENDS=${BACKENDS:-sqlite postgres}
for visits in "${COUNTS[@]}"; do
    if [[ " $BACKENDS " == *" sqlite "* ]]; then
        rm -f "$WORK"/bench.db*
        run sqlite "sqlite://$WORK/bench.db" "$visits"
    fi
    if [[ " $BACKENDS " == *" postgres "* ]]; then
        psql -q "$PG_ADMIN_URL" -c 'DROP DATABASE IF EXISTS ironfield_bench_progress WITH (FORCE)' -c 'CREATE DATABASE ironfield_bench_progress'
        run postgres "${PG_ADMIN_URL%/*}/ironfield_bench_progress" "$visits"
    fi
done
