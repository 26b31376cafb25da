#!/usr/bin/env bash
# How many SQL statements one `POST /visits/batch` sends to PostgreSQL, and how long it takes.
#
#   scripts/batch-statements.sh [SIZE]          (default 500 visits, all on one lead)
#   scripts/batch-statements.sh single          (one `POST /visits` as the load test sends it,
#                                               after a warm-up visit)
#
# Starts a release server (IRONFIELD_BIN, default target/release/ironfield; not built here) on
# a fresh PostgreSQL database whose sessions log every statement (`ALTER DATABASE .. SET
# log_statement = 'all'`), sets up a team, a rep and a lead through the API, then sends one
# batch and counts the statements the server ran for it (from the cluster's log, this database
# only, between two markers). Then sends the same batch again (every item a replay) and counts
# that too. STMTS_SHOW=1 also prints the statements of the first send. PG_LOG: the cluster's
# log file (default /var/log/postgresql/postgresql-15-main.log, written by the default
# `log_line_prefix`, which names user@database). Loopback only.
set -euo pipefail
cd "$(dirname "$0")/.."

SIZE=${1:-500}
SERVER_BIN=${IRONFIELD_BIN:-${CARGO_TARGET_DIR:-target}/release/ironfield}
PG=${LOAD_PG:-postgres://postgres@127.0.0.1:5432}
PG_LOG=${PG_LOG:-/var/log/postgresql/postgresql-15-main.log}
DB=ironfield_stmts_$$
WORK=$(mktemp -d)
SERVER_PID=
ADMIN_EMAIL=stmts-admin@ironfield.local
ADMIN_PASSWORD=stmts-admin-password-$RANDOM$RANDOM

cleanup() {
    if [[ -n "$SERVER_PID" ]]; then kill "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; fi
    psql "$PG/postgres" -qAtc "DROP DATABASE IF EXISTS \"$DB\" WITH (FORCE)" >/dev/null 2>&1 || true
    rm -rf "$WORK"
}
trap cleanup EXIT
[[ -n ${STMTS_DEBUG:-} ]] && set -x

psql "$PG/postgres" -qAtc "CREATE DATABASE \"$DB\"" >/dev/null
psql "$PG/postgres" -qAtc "ALTER DATABASE \"$DB\" SET log_statement = 'all'" >/dev/null
PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
BASE=http://127.0.0.1:$PORT/api/v1
DATABASE_URL=$PG/$DB IRONFIELD_ADDR=127.0.0.1:$PORT IRONFIELD_ADMIN_EMAIL=$ADMIN_EMAIL \
    IRONFIELD_ADMIN_PASSWORD=$ADMIN_PASSWORD IRONFIELD_JWT_SECRET=stmts-jwt-secret-0123456789abcdef-$RANDOM \
    RUST_LOG=warn "$SERVER_BIN" serve >"$WORK/server.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 300); do curl -fsS "http://127.0.0.1:$PORT/health/ready" >/dev/null 2>&1 && break; sleep 0.1; done

json() { python3 -c "import json,sys; print(json.load(sys.stdin)$1)"; }
post() { # token path body
    curl -fsS -H "authorization: Bearer $1" -H 'content-type: application/json' -d "$3" "$BASE$2"
}
login() { curl -fsS -H 'content-type: application/json' -d "{\"email\":\"$1\",\"password\":\"$2\"}" "$BASE/auth/login" | json '["access_token"]'; }

admin=$(login "$ADMIN_EMAIL" "$ADMIN_PASSWORD") || { tail -5 "$WORK/server.log" >&2; exit 1; }
team=$(post "$admin" /teams '{"name":"Statements"}' | json '["id"]')
post "$admin" /users "{\"email\":\"rep@stmts.ironfield.dev\",\"name\":\"rep\",\"role\":\"rep\",\"team_id\":\"$team\",\"password\":\"stmts-password-1\"}" >/dev/null
rep=$(login rep@stmts.ironfield.dev stmts-password-1)
lead=$(post "$rep" /leads '{"company_name":"Statement stall","market":"一区","stall_no":"S-1"}' | json '["id"]')
# `single`: one visit to POST /visits, the body the load test's visits scenario sends.
if [[ $SIZE == single ]]; then
    SIZE=1
    ENDPOINT=/visits
else
    ENDPOINT=/visits/batch
fi
python3 - "$lead" "$SIZE" "$ENDPOINT" >"$WORK/batch.json" <<'PY'
import datetime, json, sys, uuid
lead, size, endpoint = sys.argv[1], int(sys.argv[2]), sys.argv[3]
at = (datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(minutes=1)).isoformat()
visits = [{"id": str(uuid.uuid4()), "lead_id": lead, "visited_at": at,
    "purpose": "follow_up", "outcome": "interested"} for _ in range(size)]
print(json.dumps(visits[0] if endpoint == "/visits" else {"visits": visits}))
PY

mark() { psql "$PG/$DB" -qAtc "SELECT 'stmts-mark-$1'" >/dev/null; }
statements() { # between marks $1 and $2: statements of this database, the markers left out
    awk -v db="@$DB " -v a="stmts-mark-$1" -v b="stmts-mark-$2" '
        index($0, db) && index($0, a) { on = 1; next }
        index($0, db) && index($0, b) { on = 0 }
        on && index($0, db) && /(LOG: +(statement|execute [^:]*):)/ { print }' "$PG_LOG"
}
count() { statements "$@" | wc -l; }
send() { # name
    mark "$1-start"
    curl -sS -o "$WORK/$1.out" -w '%{time_total}' -H "authorization: Bearer $rep" \
        -H 'content-type: application/json' --data-binary "@$WORK/batch.json" "$BASE$ENDPOINT"
    mark "$1-end"
}
if [[ $ENDPOINT == /visits ]]; then
    # A warm-up visit first: the one counted is a rep's next visit, not the first request
    # after the set-up changed the directory (teams, users), which reads it again.
    python3 -c 'import json, sys, uuid; v = json.load(sys.stdin); v["id"] = str(uuid.uuid4()); print(json.dumps(v))' \
        <"$WORK/batch.json" >"$WORK/warm-up.json"
    curl -fsS -o /dev/null -H "authorization: Bearer $rep" -H 'content-type: application/json' \
        --data-binary "@$WORK/warm-up.json" "$BASE$ENDPOINT"
fi
first=$(send first) || { cat "$WORK/first.out" "$WORK/server.log" >&2; exit 1; }
sleep 0.5
if [[ $ENDPOINT == /visits ]]; then
    created=$(grep -c '"id"' "$WORK/first.out" || true)
else
    created=$(json '["results"]' <"$WORK/first.out" | python3 -c 'import sys; print(sys.stdin.read().count("created"))')
fi
again=$(send again)
sleep 0.5
if [[ $ENDPOINT == /visits ]]; then
    duplicate=$(grep -c '"id"' "$WORK/again.out" || true)
else
    duplicate=$(json '["results"]' <"$WORK/again.out" | python3 -c 'import sys; print(sys.stdin.read().count("duplicate"))')
fi
[[ -n ${STMTS_SHOW:-} ]] && statements first-start first-end | sed -E 's/^.*LOG: +//'
n1=$(count first-start first-end)
n2=$(count again-start again-end)
printf 'POST %s, %d visits (%d created): %d statements (%.2f per item), %.0f ms\n' "$ENDPOINT" "$SIZE" "$created" "$n1" "$(python3 -c "print($n1 / $SIZE)")" "$(python3 -c "print($first * 1000)")"
printf 'the same again (%d duplicate): %d statements, %.0f ms\n' "$duplicate" "$n2" "$(python3 -c "print($again * 1000)")"
