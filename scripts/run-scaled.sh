#!/usr/bin/env bash
# The scaled set-up on loopback, from Debian's packages: PostgreSQL (conversations and leads),
# Redis (Rasa's lock store), two Rasa replicas and two action servers behind nginx, the inbox and
# the page. Every replica is restarted by this script when it exits (as Kubernetes would restart
# a pod), so killing one is a fair test. Ctrl-C stops everything it started.
#
#   make run-scaled                     # = scripts/run-scaled.sh after install and training
#
# Environment (defaults in brackets):
#   RASA_PORT [5005], ACTION_PORT [5055]   where nginx listens for Rasa and for the action servers
#   RASA_REPLICA_PORTS ["5006 5007"], ACTION_REPLICA_PORTS ["5056 5057"]   one replica per port
#   COORDINATOR_PORT [5070], WEB_PORT [8080], REDIS_PORT [6379]
#   TRACKER_STORE_URL, DATABASE_URL        PostgreSQL databases; unset: a cluster of our own in
#                                          $SCALED_DIR/postgres on SCALED_PG_PORT [54340]
#   SCALED_DIR [var/scaled]                nginx and Redis run files, the logs of each server
#   RASA_API_TOKEN                         turns Rasa's HTTP API on (token required), as in run.sh
#   TICKET_LOCK_LIFETIME [25]              seconds a killed replica's lock outlives it (> TURN_TIMEOUT_S)
set -euo pipefail
cd "$(dirname "$0")/.."

export RASA_TELEMETRY_ENABLED=false
PY=.venv/bin/python
MODEL="${MODEL:-models/prescreen.tar.gz}"
RASA_PORT="${RASA_PORT:-5005}"
ACTION_PORT="${ACTION_PORT:-5055}"
COORDINATOR_PORT="${COORDINATOR_PORT:-5070}"
WEB_PORT="${WEB_PORT:-8080}"
REDIS_PORT="${REDIS_PORT:-6379}"
read -r -a RASA_REPLICAS <<< "${RASA_REPLICA_PORTS:-5006 5007}"
read -r -a ACTION_REPLICAS <<< "${ACTION_REPLICA_PORTS:-5056 5057}"
SCALED_DIR="$(mkdir -p "${SCALED_DIR:-var/scaled}" && cd "${SCALED_DIR:-var/scaled}" && pwd)"
LOGS="$SCALED_DIR/logs"
mkdir -p "$LOGS"
chmod 700 "$LOGS"  # $SCALED_DIR itself stays traversable: the postgres user keeps its cluster there
export TICKET_LOCK_LIFETIME="${TICKET_LOCK_LIFETIME:-25}"
export ACTION_SERVER_TOKEN="${ACTION_SERVER_TOKEN:-$("$PY" -c 'import secrets; print(secrets.token_hex(24))')}"
export ACTION_SERVER_URL="http://127.0.0.1:${ACTION_PORT}/webhook"
export LOCK_STORE_URL="redis://127.0.0.1:${REDIS_PORT}/1"

say() { echo "run-scaled: $*" >&2; }

pids=()
own_postgres=""
stop() {
  trap - INT TERM EXIT
  echo
  echo "Stopping servers..."
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  if [ -n "$own_postgres" ]; then
    PGTEST_DIR="$SCALED_DIR/postgres" scripts/ensure-postgres.sh --stop || true
  fi
  echo "Stopped."
}
trap stop INT TERM EXIT

# supervise NAME COMMAND...: runs COMMAND in the background, again whenever it exits, until stopped.
supervise() {
  local name="$1"; shift
  (
    child=""
    trap 'if [ -n "$child" ]; then kill "$child" 2>/dev/null; wait "$child" 2>/dev/null; fi; exit 0' INT TERM
    while :; do
      "$@" >>"$LOGS/$name.log" 2>&1 &
      child=$!
      set +e; wait "$child"; code=$?; set -e
      say "$name exited ($code); restarting it"
      sleep 1
    done
  ) &
  pids+=($!)
}

scripts/ensure-servers.sh redis nginx postgresql

# 1. PostgreSQL: the databases given, or a cluster of our own.
if [ -z "${TRACKER_STORE_URL:-}" ] || [ -z "${DATABASE_URL:-}" ]; then
  own_postgres=1
  pg() { PGTEST_DIR="$SCALED_DIR/postgres" PGTEST_PORT="${SCALED_PG_PORT:-54340}" PGTEST_DB="$1" \
           TEST_DATABASE_URL="" scripts/ensure-postgres.sh; }
  export TRACKER_STORE_URL="${TRACKER_STORE_URL:-$(pg conversations)}"
  export DATABASE_URL="${DATABASE_URL:-$(pg leads)}"
fi
export TRACKER_STORE_URL DATABASE_URL
"$PY" -m bot.cli db-upgrade >/dev/null
"$PY" -m bot.tracker_db >/dev/null  # the events table once, before the replicas race to create it

# 2. Redis, for Rasa's lock store only: nothing persisted.
mkdir -p "$SCALED_DIR/redis"
redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --protected-mode yes --save "" --appendonly no \
  --dir "$SCALED_DIR/redis" --loglevel warning --daemonize no >>"$LOGS/redis.log" 2>&1 &
pids+=($!)

# 3. Action servers and Rasa replicas, each restarted when it exits.
for port in "${ACTION_REPLICAS[@]}"; do
  supervise "action-$port" "$PY" -m bot.action_server --port "$port"
done
api_args=()
if [ -n "${RASA_API_TOKEN:-}" ]; then api_args=(--enable-api --auth-token "$RASA_API_TOKEN"); fi
for port in "${RASA_REPLICAS[@]}"; do
  supervise "rasa-$port" .venv/bin/rasa run --model "$MODEL" --endpoints endpoints.yml \
    --credentials credentials.yml --interface 127.0.0.1 --port "$port" "${api_args[@]}"
done

# 4. nginx in front of both (scripts/nginx-scaled.sh writes its configuration).
NGINX_DIR="$SCALED_DIR/nginx"
scripts/nginx-scaled.sh "$NGINX_DIR" "$RASA_PORT" "${RASA_REPLICAS[*]}" "$ACTION_PORT" "${ACTION_REPLICAS[*]}"
nginx -p "$NGINX_DIR" -c "$NGINX_DIR/nginx.conf" -g "daemon off;" >>"$LOGS/nginx.log" 2>&1 &
pids+=($!)

# 5. The inbox and the page (the page talks to Rasa through nginx).
"$PY" -m bot.cli serve-coordinator --port "$COORDINATOR_PORT" >>"$LOGS/coordinator.log" 2>&1 &
pids+=($!)
WEB_HOST="127.0.0.1" WEB_PORT="$WEB_PORT" RASA_URL="http://127.0.0.1:${RASA_PORT}" \
  "$PY" -m bot.web.server >>"$LOGS/web.log" 2>&1 &
pids+=($!)

# Wait until every replica answers, then say where everything is.
for port in "${RASA_REPLICAS[@]}" "${ACTION_REPLICAS[@]}"; do
  for _ in $(seq 1 300); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then break; fi
    sleep 1
  done
done
echo
echo "Pre-screening assistant (scaled) is up:"
echo "  Web page:       http://127.0.0.1:${WEB_PORT}/"
echo "  REST channel:   http://127.0.0.1:${RASA_PORT}/webhooks/rest/webhook  (nginx -> Rasa on ${RASA_REPLICAS[*]})"
echo "  Action servers: http://127.0.0.1:${ACTION_PORT}/health  (nginx -> ${ACTION_REPLICAS[*]})"
echo "  Coordinator inbox: http://127.0.0.1:${COORDINATOR_PORT}/"
echo "  Conversations:  PostgreSQL; locks: Redis on 127.0.0.1:${REDIS_PORT}; logs: $LOGS"
echo "Press Ctrl-C to stop."
wait -n "${pids[@]}"
