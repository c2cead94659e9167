#!/usr/bin/env bash
# Make a PostgreSQL server reachable for the lead-store tests and print its URL on stdout.
#
# Why: the store must behave the same on PostgreSQL as on SQLite, so the tests need a real
# server, on a developer's machine and in CI alike, without anyone setting one up by hand.
#
#   export TEST_DATABASE_URL="$(scripts/ensure-postgres.sh)"   # idempotent
#   scripts/ensure-postgres.sh --stop                          # stop the throwaway cluster
#
# 1. If $TEST_DATABASE_URL is set and answers, print it and stop there.
# 2. Otherwise install the Debian `postgresql` package when no server binaries exist (root only),
#    initdb a throwaway cluster under /tmp as the `postgres` user (initdb refuses root), start it
#    on 127.0.0.1 (port $PGTEST_PORT, default 54329, or the next free one) with trust auth on
#    loopback only, create the database, and print postgresql://postgres@127.0.0.1:PORT/leads_test.
# Diagnostics go to stderr so that stdout is only the URL.
set -euo pipefail

PGTEST_DIR="${PGTEST_DIR:-/tmp/leads-pgtest}"
PGTEST_PORT="${PGTEST_PORT:-54329}"
PGTEST_DB="${PGTEST_DB:-leads_test}"
DATA_DIR="$PGTEST_DIR/data"
PORT_FILE="$PGTEST_DIR/port"

say() { echo "ensure-postgres: $*" >&2; }

find_bindir() {
  local d
  if command -v pg_config >/dev/null 2>&1; then
    d="$(pg_config --bindir 2>/dev/null || true)"
    if [ -n "$d" ] && [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ]; then echo "$d"; return 0; fi
  fi
  for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
    if [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ]; then echo "$d"; return 0; fi
  done
  d="$(dirname "$(command -v initdb 2>/dev/null || echo /nonexistent/initdb)")"
  if [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ]; then echo "$d"; return 0; fi
  return 1
}

# Run a command as the cluster owner: `postgres` when we are root, ourselves otherwise.
as_owner() {
  if [ "$(id -u)" -eq 0 ]; then
    if command -v runuser >/dev/null 2>&1; then
      (cd / && runuser -u postgres -- "$@")
    else
      local q; q="$(printf '%q ' "$@")"
      (cd / && su postgres -s /bin/sh -c "$q")
    fi
  else
    (cd / && "$@")
  fi
}

port_in_use() {
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

url_for() {
  echo "postgresql://postgres@127.0.0.1:$1/$PGTEST_DB"
}

url_reachable() {
  local url="$1"
  if command -v psql >/dev/null 2>&1; then
    PGCONNECT_TIMEOUT=5 psql "$url" -qtAc 'select 1' >/dev/null 2>&1
  elif command -v pg_isready >/dev/null 2>&1; then
    pg_isready -q -d "$url" -t 5
  else
    return 1
  fi
}

cluster_running() {
  [ -f "$DATA_DIR/PG_VERSION" ] && as_owner "$BINDIR/pg_ctl" -D "$DATA_DIR" status >/dev/null 2>&1
}

if [ "${1:-}" = "--stop" ]; then
  if BINDIR="$(find_bindir)" && cluster_running; then
    as_owner "$BINDIR/pg_ctl" -D "$DATA_DIR" -m fast -w stop >&2
    say "stopped the cluster in $DATA_DIR"
  else
    say "no throwaway cluster running in $DATA_DIR"
  fi
  exit 0
fi

# 1. An existing server, if one is configured and answers.
if [ -n "${TEST_DATABASE_URL:-}" ]; then
  if url_reachable "$TEST_DATABASE_URL"; then
    echo "$TEST_DATABASE_URL"
    exit 0
  fi
  say "TEST_DATABASE_URL is set but not reachable; starting a throwaway cluster instead"
fi

# 2. Server binaries, from Debian packages if missing.
if ! BINDIR="$(find_bindir)"; then
  if [ "$(id -u)" -ne 0 ]; then
    say "PostgreSQL server binaries are missing and we are not root: install the 'postgresql' package"
    exit 1
  fi
  say "installing PostgreSQL from Debian packages"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update >&2
  apt-get install -y --no-install-recommends postgresql >&2
  BINDIR="$(find_bindir)" || { say "postgresql installed but initdb/pg_ctl not found"; exit 1; }
fi

if [ "$(id -u)" -eq 0 ] && ! id postgres >/dev/null 2>&1; then
  useradd --system --no-create-home --shell /usr/sbin/nologin postgres
fi

# 3. The throwaway cluster.
mkdir -p "$PGTEST_DIR"
if [ "$(id -u)" -eq 0 ]; then chown postgres:postgres "$PGTEST_DIR"; fi
chmod 700 "$PGTEST_DIR"

init_cluster() {
  if [ "${1:-}" = fresh ] || [ ! -f "$DATA_DIR/PG_VERSION" ]; then
    rm -rf "$DATA_DIR"
    say "initdb in $DATA_DIR"
    as_owner "$BINDIR/initdb" -D "$DATA_DIR" -U postgres -A trust --encoding=UTF8 --locale=C.UTF-8 >&2 \
      || { rm -rf "$DATA_DIR"; as_owner "$BINDIR/initdb" -D "$DATA_DIR" -U postgres -A trust --encoding=UTF8 --locale=C >&2; }
  fi
}

start_cluster() {
  as_owner "$BINDIR/pg_ctl" -D "$DATA_DIR" -l "$PGTEST_DIR/server.log" -w -t 60 \
    -o "-h 127.0.0.1 -p $1 -k $PGTEST_DIR" start >&2
}

init_cluster

cluster_answers() {
  [ -f "$PORT_FILE" ] && as_owner "$BINDIR/psql" -h 127.0.0.1 -p "$(cat "$PORT_FILE")" -U postgres -d postgres \
    -qtAc 'select 1' >/dev/null 2>&1
}

if cluster_answers; then
  PORT="$(cat "$PORT_FILE")"
else
  if cluster_running; then
    # pg_ctl thinks it runs but it does not answer (e.g. its postmaster was killed): stop it.
    as_owner "$BINDIR/pg_ctl" -D "$DATA_DIR" -m immediate -w -t 10 stop >&2 || true
  fi
  PORT="$PGTEST_PORT"
  for _ in $(seq 1 50); do
    port_in_use "$PORT" || break
    PORT=$((PORT + 1))
  done
  if port_in_use "$PORT"; then say "no free port from $PGTEST_PORT"; exit 1; fi
  say "starting PostgreSQL on 127.0.0.1:$PORT"
  if ! start_cluster "$PORT"; then
    # A throwaway cluster left broken by a killed run: start again from scratch.
    say "start failed; re-initialising $DATA_DIR"
    init_cluster fresh
    start_cluster "$PORT"
  fi
  echo "$PORT" | as_owner tee "$PORT_FILE" >/dev/null
fi

PSQL=("$BINDIR/psql" -h 127.0.0.1 -p "$PORT" -U postgres -d postgres -qtA)
if [ "$(as_owner "${PSQL[@]}" -c "select 1 from pg_database where datname = '$PGTEST_DB'")" != "1" ]; then
  as_owner "${PSQL[@]}" -c "create database \"$PGTEST_DB\"" >&2
fi

url_for "$PORT"
