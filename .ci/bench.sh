#!/usr/bin/env bash
# Load-tests a release build of the gateway with wrk and prints requests/s and
# p50/p99 latency per endpoint, next to pgbench's select-only TPS on the same
# PostgreSQL (the ceiling any database-backed endpoint can reach here).
# Later areas add their endpoints to ENDPOINTS.
set -euo pipefail
cd "$(dirname "$0")/.."

PORT="${BENCH_PORT:-18081}"
DURATION="${BENCH_DURATION:-10s}"
CONNECTIONS="${BENCH_CONNECTIONS:-32}"
BASE="http://127.0.0.1:$PORT"
# Quotas stay on (one Redis round trip per request, as in production), raised so
# the single load-generating caller measures work rather than 429s.
export APP_ENV=development VET__SERVER__PORT="$PORT" VET__LOG__FILTER=warn VET__LOG__FORMAT=json \
  VET__RATE_LIMIT__LIMITS__ANONYMOUS__READ=1000000000 VET__RATE_LIMIT__LIMITS__PET_OWNER__READ=1000000000

# name | path | needs a token
ENDPOINTS=(
  "liveness|/health/live|no"
  "readiness (db + redis)|/health/ready|no"
  "session (JWT verify)|/api/v1/auth/session|yes"
  "users/me (JWT + db row)|/api/v1/users/me|yes"
  "openapi.json|/openapi.json|no"
)

.ci/services.sh database vet_dev
.ci/services.sh database vet_bench
cargo build --quiet --release -p gateway
./target/release/gateway migrate run >/dev/null
./target/release/gateway serve >target/bench-gateway.log 2>&1 &
GATEWAY_PID=$!
trap 'kill "$GATEWAY_PID" 2>/dev/null || true; wait "$GATEWAY_PID" 2>/dev/null || true' EXIT
for _ in $(seq 100); do curl -fsS "$BASE/health/ready" >/dev/null 2>&1 && break; sleep 0.2; done
TOKEN="$(./target/release/gateway dev-token --email bench@vet-platform.local | tail -1)"

printf '\n%-26s %12s %10s %10s\n' "endpoint" "requests/s" "p50" "p99"
printf '%-26s %12s %10s %10s\n' "--------" "----------" "---" "---"
for entry in "${ENDPOINTS[@]}"; do
  IFS='|' read -r name path auth <<<"$entry"
  headers=()
  [ "$auth" = yes ] && headers=(-H "Authorization: Bearer $TOKEN")
  status="$(curl -s -o /dev/null -w '%{http_code}' "${headers[@]}" "$BASE$path")"
  [ "$status" = 200 ] || { echo "$path answered $status, not 200" >&2; exit 1; }
  output="$(wrk -t2 -c"$CONNECTIONS" -d"$DURATION" --latency "${headers[@]}" "$BASE$path")"
  rps="$(awk '/Requests\/sec/ {print $2}' <<<"$output")"
  p50="$(awk '$1 == "50%" {print $2}' <<<"$output")"
  p99="$(awk '$1 == "99%" {print $2}' <<<"$output")"
  errors="$(grep -E 'Non-2xx|Socket errors' <<<"$output" || true)"
  printf '%-26s %12s %10s %10s %s\n' "$name" "$rps" "$p50" "$p99" "$errors"
done

pgbench -h 127.0.0.1 -U postgres -i -q -s 1 vet_bench >/dev/null 2>&1
tps="$(pgbench -h 127.0.0.1 -U postgres -S -c 8 -j 2 -T "${DURATION%s}" vet_bench 2>/dev/null \
  | awk '/^tps/ {print $3; exit}')"
printf '%-26s %12s\n\n' "pgbench select-only (TPS)" "$tps"

# The job queue: throughput with a no-op handler and enqueue-to-start latency.
cargo run --quiet --release -p jobs --example queue_bench -- "postgres://postgres@127.0.0.1:5432/vet_bench"
echo
