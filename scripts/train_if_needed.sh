#!/usr/bin/env bash
# Trains the Rasa model only when its inputs changed since the last model
# (config, domain, training data, custom NLU/policy components, pinned versions).
# Knowledge content is not an input: answers are read from knowledge/ at run time.
set -euo pipefail
cd "$(dirname "$0")/.."
model=models/lot-assistant.tar.gz
stamp=models/lot-assistant.fingerprint
fingerprint=$(
  { find config.yml domain.yml bot/data bot/nlu bot/policies requirements/bot.txt -type f 2>/dev/null \
      | LC_ALL=C sort | xargs sha256sum; } | sha256sum | cut -d' ' -f1
)
if [ "${1:-}" != "--force" ] && [ -f "$model" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$fingerprint" ]; then
  echo "Model is up to date ($model); no training needed."
  exit 0
fi
echo "Training the Rasa model (inputs changed)…"
start=$(date +%s)
PYTHONPATH=. .venv-bot/bin/rasa train --config config.yml --domain domain.yml --data bot/data \
  --out models --fixed-model-name lot-assistant --force
echo "$fingerprint" > "$stamp"
echo "Model trained in $(( $(date +%s) - start )) s."
