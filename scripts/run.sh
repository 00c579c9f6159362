#!/usr/bin/env bash
# The main job, as far as the project goes today: builds the `rempla` headless client and runs it on a
# demo doctor calendar kept in ./demo (French rules, recurring availabilities, iCalendar export).
# Then starts the sync server on its demo dataset (REMPLA_SERVE=1 keeps it running only) and opens the
# desktop app (Tauri) signed in to the demo facility CH de Lannion; closing the app stops the server.
# Without a display the app runs under Xvfb for REMPLA_DESKTOP_SECONDS (20) and the log shows it signed
# in. REMPLA_DESKTOP=0 skips the app. REMPLA_DESKTOP_ROLE=doctor opens it signed in as the demo doctor
# medecin01@demo.rempla.fr instead (her calendar, proposals, missions).
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup-debian.sh

export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/rempla/target}"
cargo build --release --locked -p rempla-cli
REMPLA="$CARGO_TARGET_DIR/release/rempla"

DEMO_DIR="${REMPLA_DEMO_DIR:-demo}"
mkdir -p "$DEMO_DIR"
STORE="$DEMO_DIR/calendrier.sqlite3"
rm -f "$STORE" "$STORE-wal" "$STORE-shm"

echo "== Numéro RPPS"
"$REMPLA" rpps check 10000001916
echo
echo "== Jours fériés 2027 en Moselle (57)"
"$REMPLA" holidays 2027 --department 57
echo
echo "== Délai de réponse d'une proposition envoyée le vendredi 30 avril 2027 à 16 h, Martinique"
"$REMPLA" deadline --sent 2027-04-30T16:00:00-04:00 --department 972
echo
echo "== Calendrier de démonstration d'une remplaçante ($STORE)"
"$REMPLA" calendar --store "$STORE" add --date 2027-03-27 --kind night --department 22 --note "Nuit au CH de Lannion"
"$REMPLA" calendar --store "$STORE" add --date 2027-03-01 --kind day --department 22 \
  --repeat "FREQ=WEEKLY;BYDAY=MO,TU;COUNT=20" --except 2027-03-09
"$REMPLA" calendar --store "$STORE" add --date 2027-03-28 --kind garde-day --department 22
"$REMPLA" calendar --store "$STORE" list --from 2027-03-01 --to 2027-04-01
"$REMPLA" calendar --store "$STORE" export --output "$DEMO_DIR/disponibilites.ics"
echo
echo "Export iCalendar écrit dans $DEMO_DIR/disponibilites.ics (à importer dans Google Agenda, Thunderbird…)."

echo
echo "== Serveur de synchronisation sur son jeu de démonstration (rempla-server --demo)"
cargo build --release --locked -p rempla-server
SERVER="$CARGO_TARGET_DIR/release/rempla-server"
SERVER_DATA="$DEMO_DIR/serveur"
if [ "${REMPLA_SERVE:-0}" = 1 ]; then
  # Keep the demo server in the foreground (Ctrl-C to stop) for the desktop app and phones.
  exec "$SERVER" --demo --data "$SERVER_DATA" --listen "127.0.0.1:${REMPLA_DEMO_PORT:-8080}"
fi
PORT="${REMPLA_DEMO_PORT:-$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')}"
RUST_LOG=warn "$SERVER" --demo --data "$SERVER_DATA" --listen "127.0.0.1:$PORT" >"$DEMO_DIR/serveur.log" 2>&1 &
SERVER_PID=$!
trap 'kill "$SERVER_PID" 2>/dev/null || true' EXIT
for _ in $(seq 100); do
  curl -fsS "http://127.0.0.1:$PORT/v1/ready" >/dev/null 2>&1 && break
  sleep 0.2
done
grep -v '^\s*$' "$DEMO_DIR/serveur.log" | grep -v 'INFO\|WARN' || true
python3 - "http://127.0.0.1:$PORT" <<'PY'
import json, sys, urllib.request
base = sys.argv[1]
def post(path, body, token=None):
    req = urllib.request.Request(base + path, json.dumps(body).encode(), {"content-type": "application/json"})
    if token:
        req.add_header("authorization", "Bearer " + token)
    return json.load(urllib.request.urlopen(req))
login = post("/v1/auth/login", {"email": "coordination@ch-lannion.demo.rempla.fr", "password": "demo-rempla-2026",
    "device_id": "0190f5d2-0000-7000-8000-000000000001", "device_name": "run.sh", "platform": "cli"})
page = post("/v1/sync/pull", {"protocol": 1}, login["token"])
print("Connexion de %s : %d demande(s) ouverte(s) synchronisée(s)" % (login["memberships"][0]["facility_name"], len(page["changes"])))
PY

if [ "${REMPLA_DESKTOP:-1}" = 1 ]; then
  echo
  if [ "${REMPLA_DESKTOP_ROLE:-facility}" = doctor ]; then
    echo "== Application de bureau (Tauri), espace médecin : connectée en tant que medecin01@demo.rempla.fr"
    DESKTOP_EMAIL="medecin01@demo.rempla.fr"
  else
    echo "== Application de bureau des établissements (Tauri), connectée à l'établissement de démonstration"
    echo "   (l'espace médecin : REMPLA_DESKTOP_ROLE=doctor ./scripts/run.sh, connecté en tant que medecin01@demo.rempla.fr)"
    DESKTOP_EMAIL="coordination@ch-lannion.demo.rempla.fr"
  fi
  (cd desktop/ui && { [ -d node_modules ] || npm install --no-audit --no-fund --loglevel=error; } && npx --no-install vite build --logLevel warn)
  cargo build --release --locked -p rempla-desktop
  APP="$CARGO_TARGET_DIR/release/rempla-desktop"
  export REMPLA_DESKTOP_SERVER="http://127.0.0.1:$PORT" REMPLA_DESKTOP_EMAIL="$DESKTOP_EMAIL"
  export REMPLA_DESKTOP_PASSWORD="demo-rempla-2026" REMPLA_DESKTOP_ACCEPT_TERMS=1
  export REMPLA_DESKTOP_DATA="$DEMO_DIR/bureau"
  rm -rf "$REMPLA_DESKTOP_DATA"
  if [ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]; then
    echo "Fenêtre ouverte : fermez-la pour arrêter la démonstration."
    "$APP" || true
  else
    echo "Pas d'écran : l'application tourne ${REMPLA_DESKTOP_SECONDS:-20} s sous Xvfb (journal : $DEMO_DIR/bureau.log)."
    RUST_LOG=info timeout "${REMPLA_DESKTOP_SECONDS:-20}" xvfb-run -a "$APP" >"$DEMO_DIR/bureau.log" 2>&1 || true
    grep -E "signed in|local store" "$DEMO_DIR/bureau.log" | sed 's/\x1b\[[0-9;]*m//g' || true
  fi
fi
kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null || true
echo "Serveur arrêté. Pour le garder en marche : REMPLA_SERVE=1 ./scripts/run.sh  (ou $SERVER --demo --data $SERVER_DATA)"
