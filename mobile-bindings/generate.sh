#!/usr/bin/env bash
# Builds rempla-ffi and generates its Kotlin and Swift bindings with the workspace's uniffi-bindgen.
# Generated code goes to build folders only (never edited by hand, never committed):
#   android/shared/build/generated/uniffi/   Kotlin (package fr.rempla.ffi)
#   ios/RemplaKit/Generated/                 Swift module RemplaFFI + C header and module map
# Usage: mobile-bindings/generate.sh [--release]
# Prints the path of the built library on its last line (other scripts read it).
#
# --release builds with the `release-ffi` profile (the release profile, unstripped: uniffi-bindgen reads
# the bindings' metadata from the library's symbols, which a stripped build has lost), generates from
# that library, then writes the stripped copy that ships (`librempla_ffi.stripped.so`/`.dylib`) and
# prints its path.
set -euo pipefail
cd "$(dirname "$0")/.."

PROFILE=debug
CARGO_PROFILE_ARGS=()
if [ "${1:-}" = "--release" ]; then
  PROFILE=release-ffi
  CARGO_PROFILE_ARGS=(--profile release-ffi)
fi

export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/rempla/target}"
cargo build --locked "${CARGO_PROFILE_ARGS[@]}" -p rempla-ffi -p uniffi-bindgen >&2

EXT=so
if [ "$(uname -s)" = "Darwin" ]; then EXT=dylib; fi
LIB="$CARGO_TARGET_DIR/$PROFILE/librempla_ffi.$EXT"
BINDGEN="$CARGO_TARGET_DIR/$PROFILE/uniffi-bindgen"

KOTLIN_OUT=android/shared/build/generated/uniffi
SWIFT_OUT=ios/RemplaKit/Generated
rm -rf "$KOTLIN_OUT" "$SWIFT_OUT"
mkdir -p "$KOTLIN_OUT" "$SWIFT_OUT"

"$BINDGEN" generate --library "$LIB" --language kotlin --out-dir "$KOTLIN_OUT" --no-format >&2
"$BINDGEN" generate --library "$LIB" --language swift --out-dir "$SWIFT_OUT" --no-format >&2

if [ "$PROFILE" = release-ffi ]; then
  SHIPPED="$CARGO_TARGET_DIR/$PROFILE/librempla_ffi.stripped.$EXT"
  if [ "$EXT" = dylib ]; then
    strip -x -o "$SHIPPED" "$LIB"
  else
    strip --strip-unneeded -o "$SHIPPED" "$LIB"
  fi
  echo "bindings generated from the unstripped $LIB; stripped copy for shipping: $SHIPPED" >&2
  LIB="$SHIPPED"
fi

echo "$LIB"
