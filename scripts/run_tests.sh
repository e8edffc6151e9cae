#!/usr/bin/env bash
# Runs every test suite; the app suite runs last so that pytest's summary ends the output.
set -euo pipefail
cd "$(dirname "$0")/.."
export PYTHONPATH="$PWD"
status=0

if compgen -G "tests/stories/*.yml" >/dev/null; then
  echo "== Conversation tests (rasa test)"
  .venv-bot/bin/rasa test core --model models/lot-assistant.tar.gz --stories tests/stories \
    --out reports/rasa-test --fail-on-prediction-errors || status=1
fi

if [ -d tests/actions ]; then
  echo "== Action tests (bot env)"
  .venv-bot/bin/python -m pytest -q -p no:cacheprovider tests/actions || status=1
fi

echo "== API, end-to-end and browser tests (app env)"
.venv/bin/python -m pytest --ignore=tests/actions || status=1
exit $status
