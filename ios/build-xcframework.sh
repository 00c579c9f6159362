#!/usr/bin/env bash
# macOS + Xcode only (not runnable on the Linux build machine): builds librempla_ffi.a for iOS devices and
# simulators, generates the Swift bindings, and packs ios/RemplaKit/RemplaFFIFFI.xcframework.
#   rustup target add aarch64-apple-ios aarch64-apple-ios-sim x86_64-apple-ios
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/rempla/target}"

# Host build + Swift/Kotlin generation (the generated Swift does not depend on the target).
bash mobile-bindings/generate.sh --release >/dev/null

for target in aarch64-apple-ios aarch64-apple-ios-sim x86_64-apple-ios; do
  cargo build --locked --release -p rempla-ffi --target "$target"  # static libraries: stripped when the app links
done

OUT=ios/RemplaKit
WORK="$CARGO_TARGET_DIR/xcframework"
rm -rf "$WORK" "$OUT/RemplaFFIFFI.xcframework"
mkdir -p "$WORK/headers" "$WORK/sim"
# Two uniffi components (rempla-ffi and rempla-core) share the C module RemplaFFIFFI: both headers, and
# the core header added to the one generated module map.
cp "$OUT/Generated/RemplaFFIFFI.h" "$OUT/Generated/RemplaCoreFFI.h" "$WORK/headers/"
sed 's|^\( *\)header "RemplaFFIFFI.h"|&\n\1header "RemplaCoreFFI.h"|' "$OUT/Generated/RemplaFFIFFI.modulemap" \
  > "$WORK/headers/module.modulemap"
lipo -create \
  "$CARGO_TARGET_DIR/aarch64-apple-ios-sim/release/librempla_ffi.a" \
  "$CARGO_TARGET_DIR/x86_64-apple-ios/release/librempla_ffi.a" \
  -output "$WORK/sim/librempla_ffi.a"
xcodebuild -create-xcframework \
  -library "$CARGO_TARGET_DIR/aarch64-apple-ios/release/librempla_ffi.a" -headers "$WORK/headers" \
  -library "$WORK/sim/librempla_ffi.a" -headers "$WORK/headers" \
  -output "$OUT/RemplaFFIFFI.xcframework"
echo "ios/RemplaKit/RemplaFFIFFI.xcframework ready; open the app (README, section iOS)."
