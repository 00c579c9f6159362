#!/usr/bin/env bash
# Cold start of the desktop app to an interactive dashboard with 1,000 open requests.
# Starts `rempla-server --demo`, posts COUNT (1000) requests for CH de Lannion through core's client
# (desktop/src-tauri/examples/seed_requests.rs), then launches the real app through tauri-driver under
# Xvfb: once on an empty local store (sign-in and first sync), then RUNS (3) times on the filled store.
#   scripts/bench-desktop.sh                 # release build
#   PROFILE=debug COUNT=1000 scripts/bench-desktop.sh
#   ROLE=doctor scripts/bench-desktop.sh     # the doctor's month view: COUNT availabilities of the demo
#                                            # doctor medecin01 (seed_availabilities) and COUNT requests
#                                            # of Lannion cached on her store by the first sync
#   scripts/bench-desktop.sh --smoke         # CI: debug build, 30 rows, 1 run, both roles (must not rot)
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/rempla/target}"
export PATH="$HOME/.cargo/bin:$PATH"
if [ "${1:-}" = "--smoke" ]; then
  for role in facility doctor; do
    ROLE=$role PROFILE=debug COUNT=30 RUNS=1 bash "$0"
  done
  exit 0
fi
PROFILE="${PROFILE:-release}"
COUNT="${COUNT:-1000}"
ROLE="${ROLE:-facility}"
flag=(); [ "$PROFILE" = release ] && flag=(--release)

echo "== machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo 2>/dev/null | cut -d: -f2- | xargs || echo '?')"
(cd desktop/ui && { [ -d node_modules ] || npm install --no-audit --no-fund --loglevel=error; } && npx --no-install vite build --logLevel warn)
touch desktop/src-tauri/build.rs  # embed the UI just built
cargo build --locked -q "${flag[@]}" -p rempla-desktop -p rempla-server
cargo build --locked -q "${flag[@]}" -p rempla-desktop --example seed_requests --example seed_availabilities
BIN="$CARGO_TARGET_DIR/$PROFILE"

WORK="$(mktemp -d /tmp/rempla-bench-desktop.XXXXXX)"
PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
RUST_LOG=warn "$BIN/rempla-server" --demo --data "$WORK/server" --listen "127.0.0.1:$PORT" >"$WORK/server.log" 2>&1 &
SERVER_PID=$!
trap 'kill "$SERVER_PID" 2>/dev/null || true; rm -rf "$WORK"' EXIT
for _ in $(seq 150); do curl -fsS "http://127.0.0.1:$PORT/v1/ready" >/dev/null 2>&1 && break; sleep 0.2; done

EMAIL=coordination@ch-lannion.demo.rempla.fr
echo "== posting $COUNT requests for CH de Lannion"
REMPLA_PASSWORD=demo-rempla-2026 "$BIN/examples/seed_requests" "http://127.0.0.1:$PORT" "$EMAIL" "$COUNT"

if [ "$ROLE" = doctor ]; then
  EMAIL=medecin01@demo.rempla.fr
  echo "== adding $COUNT availabilities to $EMAIL's calendar"
  REMPLA_PASSWORD=demo-rempla-2026 "$BIN/examples/seed_availabilities" "http://127.0.0.1:$PORT" "$EMAIL" "$COUNT" 22
fi

echo "== cold start ($PROFILE build, $ROLE), Xvfb 1400×900"
APP="$BIN/rempla-desktop" SERVER="http://127.0.0.1:$PORT" EMAIL="$EMAIL" PASSWORD=demo-rempla-2026 \
  DATA="$WORK/app" COUNT="$COUNT" RUNS="${RUNS:-3}" ROLE="$ROLE" \
  xvfb-run -a -s "-screen 0 1400x900x24" node desktop/e2e/bench.mjs
# What the local store held for the runs (the app's own SQLite file).
python3 - "$WORK/app" <<'PY'
import glob, sqlite3, sys
for path in glob.glob(sys.argv[1] + "/**/*.sqlite3", recursive=True):
    db = sqlite3.connect(path)
    tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    counts = {t: db.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in ("request_cache", "availability") if t in tables}
    print(f"== local store {path.split('/')[-1]}: " + ", ".join(f"{v} {k}" for k, v in counts.items()))
PY
