#!/usr/bin/env bash
# Makes sure a local PostgreSQL with pgvector and a Redis are running, then prints the
# URLs to use. Idempotent: every step checks before it acts, so re-running is cheap.
#
# pgvector is built from Debian's source package (trixie ships 0.8.x) against the
# installed server's headers, because the machine's own suite has no pgvector 0.8.
set -euo pipefail

PG_PORT="${PG_PORT:-5432}"
REDIS_PORT="${REDIS_PORT:-6379}"
PG_DB="${PG_DB:-llm_assistant_test}"
SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"

log() { printf '[setup-services] %s\n' "$*" >&2; }

pg_major() {
  if command -v pg_lsclusters >/dev/null 2>&1; then
    pg_lsclusters -h | awk 'NR==1 {print $1}'
  else
    ls /etc/postgresql 2>/dev/null | sort -n | tail -1
  fi
}

start_postgres() {
  local major; major="$(pg_major)"
  [ -n "$major" ] || { log "no PostgreSQL cluster found"; exit 1; }
  if ! pg_isready -q -h 127.0.0.1 -p "$PG_PORT"; then
    log "starting PostgreSQL $major"
    $SUDO pg_ctlcluster --skip-systemctl-redirect "$major" main start || true
    for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 -p "$PG_PORT" && break; sleep 1; done
  fi
  pg_isready -q -h 127.0.0.1 -p "$PG_PORT" || { log "PostgreSQL did not come up"; exit 1; }
}

psql_admin() { psql -v ON_ERROR_STOP=1 -qtA -h 127.0.0.1 -p "$PG_PORT" -U postgres "$@"; }

# The mirror is read from the machine's own apt configuration so that no registry
# address is written into this repository.
debian_mirror() {
  local uri=""
  if [ -f /etc/apt/sources.list.d/debian.sources ]; then
    uri="$(awk '/^URIs:/ {print $2; exit}' /etc/apt/sources.list.d/debian.sources)"
  fi
  if [ -z "$uri" ] && [ -f /etc/apt/sources.list ]; then
    uri="$(awk '/^deb / {print $2; exit}' /etc/apt/sources.list)"
  fi
  [ -n "$uri" ] || { log "cannot find a Debian mirror in the apt configuration"; exit 1; }
  printf '%s' "$uri"
}

install_pgvector() {
  local major; major="$(pg_major)"
  local sharedir; sharedir="/usr/share/postgresql/$major/extension"
  if [ -f "$sharedir/vector.control" ]; then
    log "pgvector already installed for PostgreSQL $major"
    return
  fi
  log "building pgvector from Debian's source package for PostgreSQL $major"
  local list=/etc/apt/sources.list.d/llm-assistant-pgvector-src.list
  if [ ! -f "$list" ]; then
    echo "deb-src $(debian_mirror) trixie main" | $SUDO tee "$list" >/dev/null
  fi
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq -o Dir::Etc::sourcelist="$list" -o Dir::Etc::sourceparts=- \
    -o APT::Get::List-Cleanup=0 >/dev/null
  if ! dpkg -s "postgresql-server-dev-$major" >/dev/null 2>&1 || ! dpkg -s dpkg-dev >/dev/null 2>&1; then
    $SUDO apt-get update -qq >/dev/null
    $SUDO apt-get install -y -qq "postgresql-server-dev-$major" dpkg-dev build-essential >/dev/null
  fi
  local work; work="$(mktemp -d)"
  (
    cd "$work"
    apt-get source -qq --download-only pgvector >/dev/null 2>&1 || apt-get source -qq --download-only pgvector
    dpkg-source -x ./pgvector_*.dsc src >/dev/null
    cd src
    make -s PG_CONFIG="/usr/lib/postgresql/$major/bin/pg_config" OPTFLAGS="" >/dev/null
    $SUDO make -s install PG_CONFIG="/usr/lib/postgresql/$major/bin/pg_config" >/dev/null
  )
  rm -rf "$work"
  [ -f "$sharedir/vector.control" ] || { log "pgvector build did not install"; exit 1; }
}

create_database() {
  if [ "$(psql_admin -d postgres -c "SELECT 1 FROM pg_database WHERE datname = '$PG_DB'")" != "1" ]; then
    log "creating database $PG_DB"
    psql_admin -d postgres -c "CREATE DATABASE \"$PG_DB\""
  fi
  psql_admin -d "$PG_DB" -c "CREATE EXTENSION IF NOT EXISTS vector" >/dev/null
  local version; version="$(psql_admin -d "$PG_DB" -c "SELECT extversion FROM pg_extension WHERE extname = 'vector'")"
  case "$version" in
    0.[0-7].*) log "pgvector $version is too old (need 0.8+ for iterative scans)"; exit 1 ;;
  esac
  log "pgvector $version ready in $PG_DB"
}

start_redis() {
  if ! redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping >/dev/null 2>&1; then
    log "starting Redis"
    mkdir -p /var/lib/redis /var/log/redis
    redis-server --daemonize yes --bind 127.0.0.1 -::1 --port "$REDIS_PORT" --save "" \
      --appendonly no --dir /var/lib/redis --logfile /var/log/redis/ci.log
    for _ in $(seq 1 20); do redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping >/dev/null 2>&1 && break; sleep 0.5; done
  fi
  redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping >/dev/null || { log "Redis did not come up"; exit 1; }
}

start_postgres
install_pgvector
create_database
start_redis

echo "DATABASE_URL=postgres://postgres@127.0.0.1:$PG_PORT/$PG_DB"
echo "REDIS_URL=redis://127.0.0.1:$REDIS_PORT"
