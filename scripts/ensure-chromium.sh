#!/usr/bin/env bash
# Make Debian's Chromium available for the browser tests (tests/stack/test_web_page.py).
#
# Why: Playwright's own browser download cannot be used here, so the tests drive the Debian
# `chromium` package at /usr/bin/chromium. CJK fonts come along so the Chinese page renders (and
# its screenshot in test-artifacts/ is legible).
#
#   scripts/ensure-chromium.sh     # idempotent; prints the browser's path on stdout
#
# Installs with apt-get when something is missing (root, or sudo without a password). When it
# cannot: under CI it fails, because the browser tests must run there; on a developer machine it
# warns and exits 0, and those tests are skipped.
set -euo pipefail

CHROMIUM="${CHROMIUM_PATH:-/usr/bin/chromium}"
PACKAGES=(chromium fonts-noto-cjk fonts-liberation)

say() { echo "ensure-chromium: $*" >&2; }

have_fonts() {
  command -v fc-list >/dev/null 2>&1 && fc-list 2>/dev/null | grep -qi "Noto Sans CJK"
}

if [ -x "$CHROMIUM" ] && have_fonts; then
  echo "$CHROMIUM"
  exit 0
fi

SUDO=()
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    SUDO=(sudo -n)
  else
    if [ -n "${CI:-}" ]; then
      say "Chromium is missing and this user cannot install packages: run as root: apt-get install -y ${PACKAGES[*]}"
      exit 1
    fi
    say "Chromium is missing (${CHROMIUM}); the browser tests will be skipped. To run them: sudo apt-get install -y ${PACKAGES[*]}"
    exit 0
  fi
fi

if ! command -v apt-get >/dev/null 2>&1; then
  say "no apt-get here: install Chromium yourself and set CHROMIUM_PATH"
  if [ -n "${CI:-}" ]; then exit 1; fi
  exit 0
fi

say "installing ${PACKAGES[*]} (Debian packages)"
export DEBIAN_FRONTEND=noninteractive
"${SUDO[@]}" apt-get update -qq >&2
"${SUDO[@]}" apt-get install -y -qq --no-install-recommends "${PACKAGES[@]}" >&2

if [ ! -x "$CHROMIUM" ]; then
  say "apt-get finished but ${CHROMIUM} is still missing"
  exit 1
fi
"$CHROMIUM" --version >&2 || true
echo "$CHROMIUM"
