#!/usr/bin/env bash
# Installs the chat widget (web/package-lock.json) and copies its prebuilt bundle where
# the API serves it. npm runs only when node_modules is missing or the lock file changed.
set -euo pipefail
cd "$(dirname "$0")/.."

WEB_DIR=web
VENDOR_DIR=api/site/static/vendor
BUNDLE=node_modules/rasa-webchat/lib/index.js
STAMP="$WEB_DIR/node_modules/.lock-sha256"

if ! command -v npm >/dev/null 2>&1; then
  echo "npm is missing: install Node.js 20 and npm (e.g. 'apt-get install -y nodejs npm')," >&2
  echo "then run 'make web' again. The chat widget of the demo page needs it." >&2
  exit 1
fi

lock_hash="$(sha256sum "$WEB_DIR/package-lock.json" | cut -d' ' -f1)"
if [ ! -f "$WEB_DIR/$BUNDLE" ] || [ "$(cat "$STAMP" 2>/dev/null)" != "$lock_hash" ]; then
  echo "== npm ci (web/)"
  # The bundle is prebuilt: no package needs its install scripts, so none may run.
  (cd "$WEB_DIR" && npm ci --ignore-scripts --no-audit --no-fund)
  echo "$lock_hash" >"$STAMP"
fi

mkdir -p "$VENDOR_DIR"
cp "$WEB_DIR/$BUNDLE" "$VENDOR_DIR/rasa-webchat.js"
cp "$WEB_DIR/node_modules/rasa-webchat/LICENSE" "$VENDOR_DIR/rasa-webchat.LICENSE"
echo "Chat widget copied to $VENDOR_DIR/rasa-webchat.js"
