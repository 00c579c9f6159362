#!/usr/bin/env bash
# Runs every check and test of the project: formatting, lints, unit, property, integration and end-to-end
# tests. Installs what a fresh Debian machine lacks first. This is the README's test command; CI runs it.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup-debian.sh

export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/rempla/target}"
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"

echo "== desktop UI (type check, Vitest, build): before cargo, so the app embeds the real UI"
bash scripts/test-desktop.sh ui
echo "== cargo fmt --check"
cargo fmt --all -- --check
echo "== cargo clippy --all-targets -- -D warnings"
cargo clippy --workspace --all-targets --locked -- -D warnings
echo "== no import loop between the files of any crate (scripts/check-imports.py)"
python3 scripts/check-imports.py core/src core/store/src core/client/src core/cli/src mobile-bindings/src \
  desktop/src-tauri/src sync-server/src tests/src tests/support/src
echo "== fuzz targets type-check (running them needs nightly: see core/fuzz/Cargo.toml, sync-server/fuzz/Cargo.toml)"
cargo check --locked --manifest-path core/fuzz/Cargo.toml
cargo check --locked --manifest-path sync-server/fuzz/Cargo.toml
echo "== cargo test --workspace"
cargo test --workspace --locked
echo "== bench smoke runs (small sizes, debug build: a rule change that breaks a bench shows here)"
bash scripts/bench-export.sh --smoke
bash scripts/bench-feeds.sh --smoke
echo "== Kotlin layer on the JVM against the library that ships (mobile-bindings/test-kotlin.sh --release:"
echo "   bindings generated from the unstripped release build, the stripped copy loaded)"
bash mobile-bindings/test-kotlin.sh --release
echo "== desktop app end-to-end (tauri-driver + WebKitWebDriver under Xvfb, real demo server)"
bash scripts/test-desktop.sh e2e
echo "== desktop cold-start bench, smoke (debug, 30 rows, both the facility's dashboard and the doctor's month view)"
bash scripts/bench-desktop.sh --smoke
