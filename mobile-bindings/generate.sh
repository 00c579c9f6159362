#!/usr/bin/env bash
# Builds rempla-ffi and generates its Kotlin and Swift bindings with the workspace's uniffi-bindgen.
# Generated code goes to build folders only (never edited by hand, never committed):
#   android/shared/build/generated/uniffi/   Kotlin (package fr.rempla.ffi)
#   ios/RemplaKit/Generated/                 Swift module RemplaFFI + C header and module map
# Usage: mobile-bindings/generate.sh [--release]
# Prints the path of the built library on its last line (other scripts read it).
set -euo pipefail
cd "$(dirname "$0")/.."

PROFILE=debug
CARGO_PROFILE_ARGS=()
if [ "${1:-}" = "--release" ]; then
  PROFILE=release
  CARGO_PROFILE_ARGS=(--release)
fi

export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/rempla/target}"
cargo build --locked "${CARGO_PROFILE_ARGS[@]}" -p rempla-ffi -p uniffi-bindgen >&2

LIB="$CARGO_TARGET_DIR/$PROFILE/librempla_ffi.so"
if [ "$(uname -s)" = "Darwin" ]; then LIB="$CARGO_TARGET_DIR/$PROFILE/librempla_ffi.dylib"; fi
BINDGEN="$CARGO_TARGET_DIR/$PROFILE/uniffi-bindgen"

KOTLIN_OUT=android/shared/build/generated/uniffi
SWIFT_OUT=ios/RemplaKit/Generated
rm -rf "$KOTLIN_OUT" "$SWIFT_OUT"
mkdir -p "$KOTLIN_OUT" "$SWIFT_OUT"

"$BINDGEN" generate --library "$LIB" --language kotlin --out-dir "$KOTLIN_OUT" --no-format >&2
"$BINDGEN" generate --library "$LIB" --language swift --out-dir "$SWIFT_OUT" --no-format >&2

echo "$LIB"
