#!/usr/bin/env bash
# Prints a working Python 3.10 interpreter (Rasa 3.6 supports 3.8-3.10 only).
set -u
for candidate in "${PYTHON:-}" python3.10 "$(command -v pyenv >/dev/null 2>&1 && pyenv root)/versions/"3.10*/bin/python3.10 "$HOME"/.pyenv/versions/3.10*/bin/python3.10 /usr/local/bin/python3.10 /usr/bin/python3.10; do
  [ -n "$candidate" ] || continue
  if out=$("$candidate" -c 'import sys; print(sys.version_info[:2] == (3, 10))' 2>/dev/null) && [ "$out" = "True" ]; then
    command -v "$candidate" 2>/dev/null || echo "$candidate"
    exit 0
  fi
done
echo "No Python 3.10 found. Install it (e.g. 'pyenv install 3.10') or set PYTHON=/path/to/python3.10." >&2
exit 1
