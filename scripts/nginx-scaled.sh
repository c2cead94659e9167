#!/usr/bin/env bash
# Writes the nginx configuration of the scaled set-up into DIR/nginx.conf (called by run-scaled.sh):
#
#   scripts/nginx-scaled.sh DIR RASA_PORT "RASA_REPLICA_PORTS" ACTION_PORT "ACTION_REPLICA_PORTS"
#
# Round robin over the replicas, all on loopback. A replica that refuses connections (dead, or
# still loading its model) is skipped for 5 s and the request goes to the next one; a request
# already sent to a replica that then dies is not re-sent (it may have been processed), the
# client gets a 502. The page's socket.io WebSocket is passed through (one socket stays on one
# replica; Rasa keeps nothing per socket that another replica needs). X-Served-By names the
# replica that answered. No access log, and the error log only at "crit": nginx writes the request
# line with upstream errors, and Rasa's HTTP API takes its token in the query string.
set -euo pipefail
DIR="$1"; RASA_PORT="$2"; read -r -a RASA <<< "$3"; ACTION_PORT="$4"; read -r -a ACTIONS <<< "$5"
mkdir -p "$DIR/tmp" "$DIR/logs"
user_line=""
if [ "$(id -u)" -eq 0 ]; then
  user_line="user nobody nogroup;"
  chown nobody:nogroup "$DIR/tmp"
fi
servers() { for port in "$@"; do echo "    server 127.0.0.1:$port max_fails=1 fail_timeout=5s;"; done; }

cat > "$DIR/nginx.conf" <<CONF
# Written by scripts/nginx-scaled.sh; edit that script, not this file.
$user_line
worker_processes 1;
pid $DIR/nginx.pid;
error_log $DIR/logs/error.log ${NGINX_ERROR_LEVEL:-crit};
events { worker_connections 1024; }

http {
  access_log off;
  server_tokens off;
  client_body_temp_path $DIR/tmp/body;
  proxy_temp_path $DIR/tmp/proxy;
  fastcgi_temp_path $DIR/tmp/fastcgi;
  uwsgi_temp_path $DIR/tmp/uwsgi;
  scgi_temp_path $DIR/tmp/scgi;
  # Rasa sends the whole conversation with each action call (about 300 KB by the end of a
  # screening with its hand-off, more after corrections): kept in memory up to 1 MB.
  client_max_body_size 16m;
  client_body_buffer_size 1m;
  proxy_buffers 64 16k;          # a whole tracker without temporary files
  proxy_max_temp_file_size 0;
  proxy_http_version 1.1;
  proxy_connect_timeout 2s;
  proxy_read_timeout 90s;
  proxy_next_upstream error timeout;
  proxy_next_upstream_tries 2;

  map \$http_upgrade \$connection_upgrade { default upgrade; '' ''; }

  # No keepalive connections to the replicas: a request written to a kept-alive connection of a
  # replica that has just died is "sent", so nginx may not re-send it (it could have been
  # processed); a fresh connection to a dead replica is refused and goes to the next one.
  upstream rasa {
$(servers "${RASA[@]}")
  }
  upstream actions {
$(servers "${ACTIONS[@]}")
  }

  server {
    listen 127.0.0.1:$RASA_PORT;
    add_header X-Served-By \$upstream_addr always;
    location /socket.io/ {
      proxy_pass http://rasa;
      proxy_set_header Upgrade \$http_upgrade;
      proxy_set_header Connection \$connection_upgrade;
      proxy_set_header Host \$http_host;
      proxy_set_header Origin \$http_origin;
      proxy_read_timeout 1h;
    }
    location / {
      proxy_pass http://rasa;
      proxy_set_header Host \$http_host;
    }
  }

  server {
    listen 127.0.0.1:$ACTION_PORT;
    add_header X-Served-By \$upstream_addr always;
    location / {
      proxy_pass http://actions;
      proxy_set_header Host \$http_host;
    }
  }
}
CONF
nginx -t -q -p "$DIR" -c "$DIR/nginx.conf"
