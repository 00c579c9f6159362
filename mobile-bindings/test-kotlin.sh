#!/usr/bin/env bash
# The Kotlin layer, tested on a plain JVM against the real library (no Android SDK, no Gradle):
#   1. builds rempla-ffi and generates the Kotlin bindings (generate.sh);
#   2. compiles bindings + android/shared (view models) + its tests with kotlinc (npm `kotlin-compiler`);
#   3. builds rempla-server and starts it (SQLite in a temp dir, demo dataset, a free loopback port) for the
#      scenarios that sync through a real server; stopped on exit;
#   4. runs the test runner with the JDK and JNA, the library in a linux-x86-64/ folder on the classpath.
# Installs what is missing first (Debian default-jdk-headless and libjna-java, kotlinc into a cache dir),
# idempotently. The runner prints `N passed, M failed` and exits non-zero on a failure.
# --release tests the library that ships: built by `generate.sh --release` (bindings generated from the
# unstripped release build, the stripped copy loaded here) — what CI runs.
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '\033[1;34m[kotlin]\033[0m %s\n' "$*"; }
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

# --- toolchain -------------------------------------------------------------------------------------
missing=()
for pkg in default-jdk-headless libjna-java; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if [ "${#missing[@]}" -gt 0 ]; then
  log "apt-get install ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi
JNA_JAR=/usr/share/java/jna.jar

KOTLIN_VERSION="${KOTLIN_VERSION:-2.4.20}"
KOTLIN_CACHE="${REMPLA_CACHE:-$HOME/.cache/rempla}/kotlinc-$KOTLIN_VERSION"
KOTLIN_HOME="$KOTLIN_CACHE/node_modules/kotlin-compiler"
if [ ! -x "$KOTLIN_HOME/bin/kotlinc" ]; then
  if ! command -v npm >/dev/null 2>&1; then
    log "apt-get install npm"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq npm >/dev/null
  fi
  log "npm install kotlin-compiler@$KOTLIN_VERSION into $KOTLIN_CACHE"
  mkdir -p "$KOTLIN_CACHE"
  npm install --silent --no-audit --no-fund --prefix "$KOTLIN_CACHE" "kotlin-compiler@$KOTLIN_VERSION"
fi
KOTLINC="$KOTLIN_HOME/bin/kotlinc"

# --- library and bindings ----------------------------------------------------------------------------
GENERATE_ARGS=()
if [ "${1:-}" = "--release" ]; then GENERATE_ARGS=(--release); fi
LIB="$(bash mobile-bindings/generate.sh "${GENERATE_ARGS[@]}" | tail -n 1)"
log "library under test: $LIB"

BUILD=mobile-bindings/build/kotlin-jvm
rm -rf "$BUILD"
mkdir -p "$BUILD/native/linux-x86-64"
# JNA finds the library by its canonical name (the release path's copy is `….stripped.so`).
cp "$LIB" "$BUILD/native/linux-x86-64/librempla_ffi.so"

SOURCES=(android/shared/build/generated/uniffi)
SOURCES+=(android/shared/src/main/kotlin android/shared/src/test/kotlin)

log "kotlinc (bindings + shared + tests)"
"$KOTLINC" -nowarn -jvm-target 17 \
  -cp "$JNA_JAR:$KOTLIN_HOME/lib/kotlin-test.jar" \
  -d "$BUILD/classes" "${SOURCES[@]}"

# --- a real sync server --------------------------------------------------------------------------------
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/rempla/target}"
log "cargo build rempla-server"
cargo build --locked -p rempla-server >&2
SERVER_BIN="$CARGO_TARGET_DIR/debug/rempla-server"

SERVER_DATA="$(mktemp -d -t rempla-kotlin-server.XXXXXX)"
SERVER_PID=""
cleanup() {
  if [ -n "$SERVER_PID" ]; then kill "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; fi
  rm -rf "$SERVER_DATA"
}
trap cleanup EXIT
PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
log "rempla-server --demo on 127.0.0.1:$PORT (data $SERVER_DATA)"
RUST_LOG="${RUST_LOG:-warn}" "$SERVER_BIN" --demo --listen "127.0.0.1:$PORT" --data "$SERVER_DATA" \
  >"$SERVER_DATA/server.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 1 300); do
  if curl -fsS "http://127.0.0.1:$PORT/v1/ready" >/dev/null 2>&1; then break; fi
  if ! kill -0 "$SERVER_PID" 2>/dev/null; then cat "$SERVER_DATA/server.log" >&2; exit 1; fi
  sleep 0.2
done
curl -fsS "http://127.0.0.1:$PORT/v1/ready" >/dev/null

log "run tests"
java -Xmx256m \
  -Drempla.server="http://127.0.0.1:$PORT" -Drempla.serverData="$SERVER_DATA" \
  -cp "$BUILD/classes:$BUILD/native:$JNA_JAR:$KOTLIN_HOME/lib/kotlin-stdlib.jar:$KOTLIN_HOME/lib/kotlin-test.jar" \
  fr.rempla.shared.JvmTestsKt
