#!/usr/bin/env bash
# The main job, as far as the project goes today: builds the `rempla` headless client and runs it on a
# demo doctor calendar kept in ./demo (French rules, recurring availabilities, iCalendar export).
# Later issues add the sync server with its demo dataset and the desktop app to this same command.
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
