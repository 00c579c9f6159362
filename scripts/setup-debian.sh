#!/usr/bin/env bash
# Installs what a fresh Debian machine lacks to build and test Rempla. Idempotent: every step checks first,
# so running it again costs a few seconds. Used by scripts/test.sh and scripts/run.sh.
set -euo pipefail

log() { printf '\033[1;34m[setup]\033[0m %s\n' "$*"; }

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

# postgresql: the sync server's storage suite also runs against a throwaway PostgreSQL cluster.
# default-jdk-headless, libjna-java and npm (for the kotlinc of the npm package kotlin-compiler): the Kotlin
# layer of the phone apps is tested on a plain JVM (mobile-bindings/test-kotlin.sh). An npm already on the
# PATH (e.g. from nodejs.org) is kept.
# libwebkit2gtk-4.1-dev, libxdo-dev, librsvg2-dev: the desktop app (Tauri 2 on WebKitGTK);
# webkit2gtk-driver (WebKitWebDriver), xvfb and xauth: its end-to-end tests on a virtual display.
apt_packages=(build-essential pkg-config ca-certificates curl python3 python3-pip python3-venv postgresql
  default-jdk-headless libjna-java libwebkit2gtk-4.1-dev libxdo-dev librsvg2-dev libssl-dev file
  webkit2gtk-driver xvfb xauth)
command -v npm >/dev/null 2>&1 || apt_packages+=(npm)
missing=()
for pkg in "${apt_packages[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if [ "${#missing[@]}" -gt 0 ]; then
  log "apt-get install ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi

if ! command -v cargo >/dev/null 2>&1; then
  echo "cargo is missing: install Rust with rustup (https://rustup.rs), then run this again." >&2
  exit 1
fi

# tauri-driver: the WebDriver bridge of Tauri apps (end-to-end tests of desktop/), built once into
# ~/.cargo/bin.
if ! command -v tauri-driver >/dev/null 2>&1 && [ ! -x "$HOME/.cargo/bin/tauri-driver" ]; then
  log "cargo install tauri-driver --locked"
  cargo install tauri-driver --locked --quiet
fi

# Python is only used to check interoperability with other tools: the `icalendar` package reads our
# .ics, `recurring-ical-events` expands them as subscribing calendar programs do.
PYTHON="${PYTHON:-python3}"
if ! "$PYTHON" -c 'import icalendar, recurring_ical_events' 2>/dev/null; then
  log "pip install icalendar recurring-ical-events"
  "$PYTHON" -m pip install --quiet --disable-pip-version-check icalendar recurring-ical-events 2>/dev/null \
    || "$PYTHON" -m pip install --quiet --disable-pip-version-check --break-system-packages icalendar recurring-ical-events
fi
log "ok"
