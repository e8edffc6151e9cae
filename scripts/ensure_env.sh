#!/usr/bin/env bash
# Creates or updates one of the two virtual environments from its pinned requirements.
#   app: Python 3.12 (3.11 accepted) -> .venv      bot: Python 3.10 -> .venv-bot (Rasa 3.6)
set -euo pipefail
cd "$(dirname "$0")/.."
kind="$1"
case "$kind" in
  app) dir=.venv; req=requirements/app.txt; versions=(3.12 3.11) ;;
  bot) dir=.venv-bot; req=requirements/bot.txt; versions=(3.10) ;;
  *) echo "usage: $0 app|bot" >&2; exit 2 ;;
esac
if [ ! -x "$dir/bin/python" ]; then
  python=""
  for v in "${versions[@]}"; do
    python=$(scripts/find_python.sh "$v" 2>/dev/null) && break
  done
  [ -n "$python" ] || scripts/find_python.sh "${versions[0]}"  # prints the reason and fails
  echo "Creating $dir with $python"
  "$python" -m venv "$dir"
  "$dir/bin/python" -m pip install --quiet --upgrade pip
fi
echo "Installing $req into $dir"
"$dir/bin/python" -m pip install --quiet --disable-pip-version-check -r "$req"
touch "$dir/.installed"
