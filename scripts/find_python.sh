#!/usr/bin/env bash
# Prints the path of a working Python X.Y interpreter, or explains what is missing.
# pyenv shims answer `command -v` even when the version is not enabled, so each
# candidate is run once before it is trusted.
set -euo pipefail
want="$1"
candidates=("python$want")
if command -v pyenv >/dev/null 2>&1; then
  for dir in "$(pyenv root)"/versions/"$want".*/bin; do
    [ -x "$dir/python$want" ] && candidates+=("$dir/python$want")
  done
fi
for candidate in "${candidates[@]}"; do
  if "$candidate" -c 'import sys, venv' >/dev/null 2>&1; then
    command -v "$candidate" || echo "$candidate"
    exit 0
  fi
done
echo "error: Python $want is required but was not found (looked for python$want on PATH and in pyenv)." >&2
echo "       Install it (e.g. 'pyenv install $want' or your system's python$want package) and run make again." >&2
exit 1
