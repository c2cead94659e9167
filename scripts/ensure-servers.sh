#!/usr/bin/env bash
# Make sure the servers of the scaled set-up are installed: Debian's redis-server, nginx and
# postgresql. Installs the missing ones with apt-get (root only) WITHOUT starting Debian's own
# services (which would listen on every interface): `make run-scaled` and the tests start their
# own copies on loopback. Prints nothing on stdout; diagnostics go to stderr.
#
#   scripts/ensure-servers.sh            # all three
#   scripts/ensure-servers.sh redis nginx
set -euo pipefail

say() { echo "ensure-servers: $*" >&2; }

have_postgres() {
  command -v pg_ctl >/dev/null 2>&1 || ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1
}

wanted=("$@")
[ ${#wanted[@]} -gt 0 ] || wanted=(redis nginx postgresql)

missing=()
for name in "${wanted[@]}"; do
  case "$name" in
    redis) command -v redis-server >/dev/null 2>&1 || missing+=(redis-server) ;;
    nginx) command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || missing+=(nginx-light) ;;
    postgresql) have_postgres || missing+=(postgresql) ;;
    *) say "unknown server '$name' (redis, nginx, postgresql)"; exit 2 ;;
  esac
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
  say "missing ${missing[*]} and not root: install them with apt-get install ${missing[*]}"
  exit 1
fi

say "installing ${missing[*]} from Debian packages (their system services are not started)"
# policy-rc.d exit code 101 means "do not start services" to invoke-rc.d during the install.
policy=/usr/sbin/policy-rc.d
made_policy=""
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\nexit 101\n' > "$policy"
  chmod 755 "$policy"
  made_policy=1
fi
cleanup() { if [ -n "$made_policy" ]; then rm -f "$policy"; fi; }
trap cleanup EXIT

export DEBIAN_FRONTEND=noninteractive
if ! apt-get install -y --no-install-recommends "${missing[@]}" >&2; then
  apt-get update >&2
  apt-get install -y --no-install-recommends "${missing[@]}" >&2
fi
