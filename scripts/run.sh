#!/usr/bin/env bash
# Starts every server on loopback, prints where to find them, and stops them all on Ctrl-C.
# Called by `make run` after install and training; ports come from the environment.
# Conversations are durable (endpoints.yml): the SQLite file var/conversations.db unless
# TRACKER_STORE_URL says otherwise, so stopping and starting again loses nobody's answers.
set -euo pipefail
cd "$(dirname "$0")/.."

export RASA_TELEMETRY_ENABLED=false
ACTION_PORT="${ACTION_PORT:-5055}"
RASA_PORT="${RASA_PORT:-5005}"
export ACTION_SERVER_URL="${ACTION_SERVER_URL:-http://127.0.0.1:${ACTION_PORT}/webhook}"
# A fresh shared secret between Rasa and the action server, unless one is given.
export ACTION_SERVER_TOKEN="${ACTION_SERVER_TOKEN:-$(.venv/bin/python -c 'import secrets; print(secrets.token_hex(24))')}"
MODEL="${MODEL:-models/prescreen.tar.gz}"
PY=.venv/bin/python

pids=()
stop() {
  trap - INT TERM EXIT
  echo
  echo "Stopping servers..."
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  echo "Stopped."
}
trap stop INT TERM EXIT

# The lead database: create or migrate it before anything writes to it.
"$PY" -m bot.cli db-upgrade >/dev/null

"$PY" -m bot.action_server --port "$ACTION_PORT" &
pids+=($!)

"$PY" -m bot.cli serve-coordinator --port "${COORDINATOR_PORT:-5070}" &
pids+=($!)

api_args=()
if [ -n "${RASA_API_TOKEN:-}" ]; then
  api_args=(--enable-api --auth-token "$RASA_API_TOKEN")
fi
.venv/bin/rasa run --model "$MODEL" --endpoints endpoints.yml --credentials credentials.yml \
  --interface "${BIND_HOST:-127.0.0.1}" --port "$RASA_PORT" "${api_args[@]}" &
pids+=($!)

WEB_PORT="${WEB_PORT:-8080}"
WEB_HOST="${BIND_HOST:-127.0.0.1}" WEB_PORT="$WEB_PORT" RASA_URL="http://127.0.0.1:${RASA_PORT}" \
  "$PY" -m bot.web.server &
pids+=($!)

# Wait until Rasa answers, then say where everything is.
for _ in $(seq 1 180); do
  if "$PY" - "$RASA_PORT" <<'PYEOF' 2>/dev/null; then break; fi
import sys, urllib.request
urllib.request.urlopen(f"http://127.0.0.1:{sys.argv[1]}/", timeout=1)
PYEOF
  sleep 1
done
echo
echo "Pre-screening assistant is up:"
echo "  Web page:       http://127.0.0.1:${WEB_PORT}/"
echo "  REST channel:   http://127.0.0.1:${RASA_PORT}/webhooks/rest/webhook"
echo "  Action server:  http://127.0.0.1:${ACTION_PORT}/health"
echo "  Coordinator inbox: http://127.0.0.1:${COORDINATOR_PORT:-5070}/  (accounts with two-factor sign-in: .venv/bin/python -m bot.cli add-coordinator NAME)"
echo "  Conversations:  ${TRACKER_STORE_URL:-var/conversations.db} (kept ${CONVERSATION_RETENTION_DAYS:-30} days after the last message)"
if [ -n "${RASA_API_TOKEN:-}" ]; then echo "  Rasa HTTP API:  on (token required)"; else echo "  Rasa HTTP API:  off (set RASA_API_TOKEN to enable)"; fi
echo "Press Ctrl-C to stop."
wait -n "${pids[@]}"
