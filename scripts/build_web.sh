#!/usr/bin/env bash
# Installs the demo page's front-end packages (web/package-lock.json) and copies the prebuilt
# socket.io browser client where the API serves it; axe-core stays in web/node_modules, where
# the browser tests read it. npm runs only when node_modules is missing or the lock changed.
set -euo pipefail
cd "$(dirname "$0")/.."

WEB_DIR=web
VENDOR_DIR=api/site/static/vendor
CLIENT=node_modules/socket.io-client
STAMP="$WEB_DIR/node_modules/.lock-sha256"

if ! command -v npm >/dev/null 2>&1; then
  echo "npm is missing: install Node.js 20 and npm (e.g. 'apt-get install -y nodejs npm')," >&2
  echo "then run 'make web' again. The chat widget of the demo page needs it." >&2
  exit 1
fi

lock_hash="$(sha256sum "$WEB_DIR/package-lock.json" | cut -d' ' -f1)"
if [ ! -f "$WEB_DIR/$CLIENT/dist/socket.io.min.js" ] || [ "$(cat "$STAMP" 2>/dev/null)" != "$lock_hash" ]; then
  echo "== npm ci (web/)"
  # The files used are prebuilt: no package needs its install scripts, so none may run.
  (cd "$WEB_DIR" && npm ci --ignore-scripts --no-audit --no-fund)
  echo "$lock_hash" >"$STAMP"
fi

mkdir -p "$VENDOR_DIR"
rm -f "$VENDOR_DIR/rasa-webchat.js" "$VENDOR_DIR/rasa-webchat.LICENSE"
cp "$WEB_DIR/$CLIENT/dist/socket.io.min.js" "$VENDOR_DIR/socket.io.min.js"
cp "$WEB_DIR/$CLIENT/LICENSE" "$VENDOR_DIR/socket.io.LICENSE"
echo "socket.io client copied to $VENDOR_DIR/socket.io.min.js"
