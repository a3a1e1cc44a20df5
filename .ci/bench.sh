#!/usr/bin/env bash
# Load-tests a release build of the gateway with wrk and prints requests/s and
# p50/p99 latency per endpoint, its share of pgbench's TPS on the same
# PostgreSQL database in the same run (select-only for reads, simple-update
# for booking: the ceiling a database-backed endpoint can reach here), and
# the statements each request sent and the round trips they took (fewer
# when pipelined), from the gateway's db_statements_total and
# db_round_trips_total.
# The gateway serves its own database, vet_bench, created afresh and seeded by
# .ci/bench/*.sql; each area adds its endpoints (and seed) below.
set -euo pipefail
cd "$(dirname "$0")/.."

PORT="${BENCH_PORT:-18081}"
METRICS="127.0.0.1:${BENCH_METRICS_PORT:-19465}"
DURATION="${BENCH_DURATION:-10s}"
CONNECTIONS="${BENCH_CONNECTIONS:-32}"
BASE="http://127.0.0.1:$PORT"
DB=vet_bench
DB_URL="postgres://postgres@127.0.0.1:5432/$DB"
# Quotas stay on (one Redis round trip per request, as in production), raised so
# the single load-generating caller measures work rather than 429s.
# Metrics on a port of the bench's own: `make run` may hold the default one.
export APP_ENV=development VET__SERVER__PORT="$PORT" VET__LOG__FILTER=warn VET__LOG__FORMAT=json \
  VET__METRICS__ADDRESS="$METRICS" \
  VET__DATABASE__URL="$DB_URL" \
  VET__RATE_LIMIT__LIMITS__ANONYMOUS__READ=1000000000 VET__RATE_LIMIT__LIMITS__PET_OWNER__READ=1000000000 \
  VET__RATE_LIMIT__LIMITS__RECEPTIONIST__WRITE=1000000000 VET__RATE_LIMIT__LIMITS__PET_OWNER__WRITE=1000000000 \
  VET__MEDIA__LOCAL_DIR=target/bench-media

# Release binaries, wherever cargo puts them.
RELEASE="${CARGO_TARGET_DIR:-target}/release"

psql_bench() { psql -q -h 127.0.0.1 -U postgres -d "$DB" -v ON_ERROR_STOP=1 "$@"; }

# statements: the gateway's db_statements_total and db_round_trips_total now.
statements() {
  curl -fsS "http://$METRICS/metrics" \
    | awk '$1 == "db_statements_total" {sent = $2} $1 == "db_round_trips_total" {trips = $2} END {print sent, trips}'
}

# row NAME WRK_OUTPUT CEILING STATEMENTS_BEFORE: one table row from a wrk run.
row() {
  local name="$1" output="$2" ceiling="$3" rps requests sent_before trips_before sent trips
  read -r sent_before trips_before <<<"$4"
  rps="$(awk '/Requests\/sec/ {print $2}' <<<"$output")"
  requests="$(awk '/requests in/ {print $1}' <<<"$output")"
  read -r sent trips <<<"$(statements)"
  per_request() { awk -v a="$1" -v b="$2" -v n="$requests" 'BEGIN { if (n > 0) printf "%.1f", (a - b) / n; else print "-" }'; }
  printf '%-34s %12s %10s %10s %7s %9s %9s %s\n' "$name" "$rps" \
    "$(awk '$1 == "50%" {print $2}' <<<"$output")" \
    "$(awk '$1 == "99%" {print $2}' <<<"$output")" \
    "$(awk -v r="$rps" -v c="$ceiling" 'BEGIN { if (c > 0) printf "%.0f%%", 100 * r / c; else print "-" }')" \
    "$(per_request "$sent" "$sent_before")" "$(per_request "$trips" "$trips_before")" \
    "$(grep -E 'Non-2xx|Socket errors' <<<"$output" || true)"
}

# measure NAME PATH [TOKEN [HEADER]]: one wrk run, one table row (share of select-only).
measure() {
  local name="$1" path="$2" token="${3:-}" header="${4:-}" headers=()
  [ -n "$token" ] && headers=(-H "Authorization: Bearer $token")
  [ -n "$header" ] && headers+=(-H "$header")
  local status
  status="$(curl -s -o /dev/null -w '%{http_code}' "${headers[@]}" "$BASE$path")"
  [ "$status" = 200 ] || { echo "$path answered $status, not 200" >&2; exit 1; }
  local before output
  before="$(statements)"
  output="$(wrk -t"$((CONNECTIONS < 2 ? 1 : 2))" -c"$CONNECTIONS" -d"$DURATION" --latency "${headers[@]}" "$BASE$path")"
  row "$name" "$output" "$SELECT_TPS" "$before"
}

mkdir -p target
.ci/services.sh fresh-database "$DB"
# One build for everything (features unified once, each dependency built once).
cargo build --quiet --release -p gateway -p clinics -p media -p chat -p emergency -p commerce -p jobs --bins --examples

# The ceilings, measured first on the same database: pgbench's own tables.
pgbench -h 127.0.0.1 -U postgres -i -q -s 1 "$DB" >/dev/null 2>&1
SELECT_TPS="$(pgbench -h 127.0.0.1 -U postgres -S -c 8 -j 2 -T "${DURATION%s}" "$DB" 2>/dev/null \
  | awk '/^tps/ {print $3; exit}')"
UPDATE_TPS="$(pgbench -h 127.0.0.1 -U postgres -b simple-update -c 8 -j 2 -T "${DURATION%s}" "$DB" 2>/dev/null \
  | awk '/^tps/ {print $3; exit}')"
"$RELEASE"/gateway migrate run >/dev/null
STARTED="$(date +%s%N)"
"$RELEASE"/gateway serve >target/bench-gateway.log 2>&1 &
GATEWAY_PID=$!
trap 'kill "$GATEWAY_PID" 2>/dev/null || true; wait "$GATEWAY_PID" 2>/dev/null || true' EXIT
for _ in $(seq 1000); do curl -fsS "$BASE/health/ready" >/dev/null 2>&1 && break; sleep 0.01; done
COLD_START_MS=$((($(date +%s%N) - STARTED) / 1000000))
BENCH_EMAIL=bench@vet-platform.local
TOKEN="$("$RELEASE"/gateway dev-token --email "$BENCH_EMAIL" | tail -1)"

printf '\n%-34s %9s ms\n' "cold start to ready" "$COLD_START_MS"
printf '%-34s %12s\n' "pgbench select-only (TPS)" "$SELECT_TPS"
printf '%-34s %12s\n' "pgbench simple-update (TPS)" "$UPDATE_TPS"
printf '\n%-34s %12s %10s %10s %7s %9s %9s\n' "endpoint" "requests/s" "p50" "p99" "share" "stmts/req" "trips/req"
printf '%-34s %12s %10s %10s %7s %9s %9s\n' "--------" "----------" "---" "---" "-----" "---------" "---------"
measure "liveness" /health/live
measure "readiness (db + redis)" /health/ready
measure "session (JWT verify)" /api/v1/auth/session "$TOKEN"
measure "users/me (JWT + db row)" /api/v1/users/me "$TOKEN"
measure "openapi.json" /openapi.json
measure "openapi.json (gzip)" /openapi.json "" "Accept-Encoding: gzip"

# Clinic search: nearest 20 around Paris. The same query at 5 000 and 50 000
# clinics: a KNN index scan costs the page, not the table.
NEAREST="/api/v1/clinics?near=48.8566,2.3522&limit=20"
psql_bench -v count=5000 -f .ci/bench/seed_clinics.sql
measure "clinics nearest 20 (5 000)" "$NEAREST"
psql_bench -v count=50000 -f .ci/bench/seed_clinics.sql
measure "clinics nearest 20 (50 000)" "$NEAREST"

# Pets: one pet and the owner's list, among 100 000 pets and 1 000 000 records.
psql_bench -v owner_email="$BENCH_EMAIL" -f .ci/bench/seed_pets.sql
PET="$(psql_bench -tAc "SELECT p.id FROM pets p JOIN users u ON u.id = p.primary_owner_id \
  WHERE u.email = '$BENCH_EMAIL' ORDER BY p.id LIMIT 1")"
measure "pets/{id} (100 000 pets)" "/api/v1/pets/$PET" "$TOKEN"
measure "pets list (owner of 100)" "/api/v1/pets?limit=20" "$TOKEN"
measure "pet records page (1 M records)" "/api/v1/pets/$PET/records?limit=20" "$TOKEN"

# Emergency: the nearest clinics with a free slot (50 000 clinics, 10 000 vets
# working at the 500 nearest Paris), and routing a case over the 10 000 vets
# on call (the service a request calls, in-process: case to offers enqueued).
# Its latency target is one caller's (like routing's below); 32 callers show
# what the machine sustains.
psql_bench -f .ci/bench/seed_on_call.sql
AVAILABLE="/api/v1/clinics/nearest-available?near=48.8566,2.3522&service=consultation&within=48h"
measure "nearest available (50 000)" "$AVAILABLE"
CONNECTIONS=1 measure "  one caller" "$AVAILABLE"
"$RELEASE"/examples/route_bench "$DB_URL" 300

# Scheduling: one vet's week of availability, and booking distinct slots, over
# 1 000 000 seeded appointments.
DESK_EMAIL=bench-desk@vet-platform.local
DESK_TOKEN="$("$RELEASE"/gateway dev-token --role receptionist --email "$DESK_EMAIL" | tail -1)"
psql_bench -v desk_email="$DESK_EMAIL" -v owner_email="$BENCH_EMAIL" -f .ci/bench/seed_appointments.sql
CLINIC=00000000-0000-7000-8000-00000000c0de
SERVICE=00000000-0000-7000-8000-0000005e4c1c
VETS="$(psql_bench -tAc "SELECT string_agg(id::text, ',' ORDER BY id) FROM users WHERE clerk_id LIKE 'bench_vet_%'")"
PATIENT="$(psql_bench -tAc "SELECT pet_id FROM pet_care WHERE clinic_id = '$CLINIC' LIMIT 1")"
# Epoch arithmetic: GNU date reads 'tomorrow 00:00 + 7 days' as a UTC+7 offset.
TOMORROW="$(date -u -d 'tomorrow 00:00' +%s)"
WEEK_FROM="$(date -u -d "@$TOMORROW" +%Y-%m-%dT%H:%M:%SZ)"
WEEK_TO="$(date -u -d "@$((TOMORROW + 7 * 86400))" +%Y-%m-%dT%H:%M:%SZ)"
measure "availability 1 vet x 1 week" \
  "/api/v1/availability?clinic_id=$CLINIC&service_id=$SERVICE&vet_id=${VETS%%,*}&from=$WEEK_FROM&to=$WEEK_TO"
before="$(statements)"
output="$(BENCH_TOKEN="$DESK_TOKEN" BENCH_PET="$PATIENT" BENCH_SERVICE="$SERVICE" BENCH_VETS="$VETS" \
  BENCH_THREADS=2 BENCH_FROM="$TOMORROW" \
  wrk -t2 -c"$CONNECTIONS" -d"$DURATION" --latency -s .ci/bench/book.lua "$BASE")"
row "book distinct slots (1 M held)" "$output" "$UPDATE_TPS" "$before"
booked="$(psql_bench -tAc "SELECT count(*) FROM appointments WHERE starts_at > now()")"
printf '%-34s %12s\n' "  appointments booked in the run" "$booked"

# Commerce: the shop's search over 100 000 products (words, then filters only),
# and checkouts of one product by 16 buyers at once (in-process, like routing:
# the cart line, then the checkout's one transaction).
psql_bench -f .ci/bench/seed_products.sql
measure "products search q= (100 000)" "/api/v1/products?q=senior%20kibble&limit=20"
measure "products filters (100 000)" "/api/v1/products?species=dog&in_stock=true&max_price=20&limit=20"
CONNECTIONS=1 measure "  one caller, q=" "/api/v1/products?q=senior%20kibble&limit=20"
"$RELEASE"/examples/checkout_bench "$DB_URL" 16 "${DURATION%s}"

# The gateway's memory after the HTTP load above (now, and its peak).
memory() { awk -v key="$1:" '$1 == key {printf "%.0f", $2 / 1024}' "/proc/$GATEWAY_PID/status"; }
printf '%-34s %9s MB (peak %s MB)\n' "gateway RSS after the HTTP load" "$(memory VmRSS)" "$(memory VmHWM)"

# Chat: fan-out latency from a send to the socket, on one gateway and across
# two sharing Postgres and Redis; idle sockets one gateway holds, and its memory.
VET__SERVER__PORT=$((PORT + 1)) VET__METRICS__ADDRESS=127.0.0.1:0 "$RELEASE"/gateway serve \
  >target/bench-gateway-b.log 2>&1 &
SECOND_PID=$!
trap 'kill "$GATEWAY_PID" "$SECOND_PID" 2>/dev/null || true; wait 2>/dev/null || true' EXIT
for _ in $(seq 100); do curl -fsS "http://127.0.0.1:$((PORT + 1))/health/ready" >/dev/null 2>&1 && break; sleep 0.2; done
CONVERSATION="$(curl -fsS -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
  -d "{\"clinic_id\":\"$CLINIC\"}" "$BASE/api/v1/chat/conversations" | jq -r .id)"
BENCH_BASE="$BASE" BENCH_BASE_B="http://127.0.0.1:$((PORT + 1))" BENCH_OWNER_TOKEN="$TOKEN" BENCH_DESK_TOKEN="$DESK_TOKEN" \
  BENCH_CONVERSATION="$CONVERSATION" BENCH_IDLE_SOCKETS="${BENCH_IDLE_SOCKETS:-5000}" BENCH_PID="$GATEWAY_PID" \
  "$RELEASE"/examples/ws_bench

# Media: cleaning a 12-megapixel photo, and streaming uploads of it.
"$RELEASE"/examples/media_bench target/bench-12mp.jpg
speeds=()
for _ in 1 2 3 4 5; do
  speeds+=("$(curl -s -o /dev/null -w '%{speed_upload}' -H "Authorization: Bearer $TOKEN" \
    -F "file=@target/bench-12mp.jpg" "$BASE/api/v1/media?purpose=pet_photo")")
done
printf '%-34s %12s MB/s (%s MB file, curl over loopback)\n' "upload, streamed to storage" \
  "$(printf '%s\n' "${speeds[@]}" | awk '{ sum += $1 } END { printf "%.1f", sum / NR / 1e6 }')" \
  "$(du -m target/bench-12mp.jpg | cut -f1)"

echo

echo "plan of the nearest-20 search at 50 000 clinics:"
"$RELEASE"/examples/search_plan "$DB_URL" 48.8566,2.3522 | sed 's/^/  /'
echo

# The job queue: throughput with a no-op handler and enqueue-to-start latency,
# on a queue of its own (the one above holds the bookings' reminders).
.ci/services.sh fresh-database vet_bench_jobs
"$RELEASE"/examples/queue_bench "postgres://postgres@127.0.0.1:5432/vet_bench_jobs"
echo
