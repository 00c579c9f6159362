#!/usr/bin/env bash
# Calendar feed benchmark: a busy facility's subscription feed (a year of missions, day and night, on
# two sites: 1,460 events) fetched through the real router on the embedded SQLite store, full and
# `304`, against the ceiling of reading the same rows straight from the SQLite file. Bound (issue 15):
# a year of missions in under 50 ms (median, release build). See sync-server/examples/bench_feeds.rs.
#   scripts/bench-feeds.sh            # a year, 2 sites, 30 runs, release build
#   DAYS=730 SITES=4 scripts/bench-feeds.sh
#   scripts/bench-feeds.sh --smoke    # 10 days, debug build, no bound: CI runs this so the bench never rots
set -euo pipefail
cd "$(dirname "$0")/.."

export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/rempla/target}"
DAYS="${DAYS:-365}"
SITES="${SITES:-2}"
RUNS="${RUNS:-30}"
BOUND_MS="${BOUND_MS:-50}"
PROFILE=(--release)
if [ "${1:-}" = "--smoke" ]; then
  DAYS=10
  RUNS=5
  BOUND_MS=0
  PROFILE=()
fi
echo "== machine: $(nproc) cores, $(uname -m); ${DAYS} days × ${SITES} sites; ${RUNS} runs; profile ${PROFILE[*]:-debug}"
cargo run --quiet "${PROFILE[@]}" -p rempla-server --example bench_feeds -- \
  --days "$DAYS" --sites "$SITES" --runs "$RUNS" --bound-ms "$BOUND_MS"
