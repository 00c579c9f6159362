#!/usr/bin/env bash
# The desktop app's own checks: UI type check and unit tests (Vitest, Tauri IPC mocked), UI build, then
# the end-to-end test of the real app (tauri-driver + WebKitWebDriver under Xvfb against a real
# `rempla-server --demo`), screenshots of each step in $DESKTOP_SCREENSHOTS.
# `bash scripts/test-desktop.sh ui` runs the UI part, `… e2e` the end-to-end part, no argument both.
# scripts/test.sh runs the UI part first (so every cargo step embeds the real UI), the end-to-end last.
set -euo pipefail
cd "$(dirname "$0")/.."

export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/rempla/target}"
export PATH="$HOME/.cargo/bin:$PATH"
SCREENSHOTS="${DESKTOP_SCREENSHOTS:-$PWD/desktop/e2e/screenshots}"

PART="${1:-all}"
if [ "$PART" = all ] || [ "$PART" = ui ]; then
echo "== desktop UI: npm install (locked), type check, unit tests (Vitest), build"
(
  cd desktop/ui
  if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    # Not `npm ci`: it refuses a lock whose optional platform packages (rollup's) have no entries,
    # which is how npm writes locks under this machine's omit-lockfile-registry-resolved setting.
    # `npm install` installs the locked versions for this platform; the check below proves it left
    # the lock untouched.
    cp package-lock.json "${TMPDIR:-/tmp}/rempla-ui-lock.json"
    npm install --no-audit --no-fund --loglevel=error
    cmp -s package-lock.json "${TMPDIR:-/tmp}/rempla-ui-lock.json" || {
      echo "package-lock.json changed during install: commit a lock in sync with package.json" >&2
      exit 1
    }
  fi
  npx --no-install tsc --noEmit
  npx --no-install vitest run
  npx --no-install vite build --logLevel warn
)

fi
if [ "$PART" = ui ]; then exit 0; fi

echo "== desktop end-to-end: build the app and the server"
# The UI was just rebuilt into desktop/ui/dist: make sure the binary embeds this build.
touch desktop/src-tauri/build.rs
cargo build --locked -q -p rempla-desktop -p rempla-server
rm -rf "$SCREENSHOTS"
# A throwaway home for the webview's storage (the language choice lives in its localStorage): each run
# starts as a new user would, whatever an earlier run on this machine left behind.
WEB_HOME="$(mktemp -d /tmp/rempla-e2e-home.XXXXXX)"
trap 'rm -rf "$WEB_HOME"' EXIT
export XDG_DATA_HOME="$WEB_HOME/data" XDG_CACHE_HOME="$WEB_HOME/cache" XDG_CONFIG_HOME="$WEB_HOME/config"
echo "== desktop end-to-end (tauri-driver, WebKitWebDriver, Xvfb); screenshots in $SCREENSHOTS"
APP="$CARGO_TARGET_DIR/debug/rempla-desktop" SERVER_BIN="$CARGO_TARGET_DIR/debug/rempla-server" \
  SCREENSHOTS="$SCREENSHOTS" \
  DRIVER_PORT="${DRIVER_PORT:-$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')}" \
  xvfb-run -a -s "-screen 0 1400x900x24" node desktop/e2e/run.mjs
