#!/usr/bin/env bash
# Matching benchmark against PostgreSQL 15 + PostGIS 3 on the same synthetic national dataset.
#
# 1. `rempla dataset generate` writes the seeded dataset as CSV tables;
# 2. the Rust engine (core/examples/matching_latency.rs) builds its index from the same seed and times a
#    sample of requests, one thread, writing their candidate sets;
# 3. a throwaway PostgreSQL cluster (temp dir, unix socket only) loads the CSV, gets the indexes a DBA
#    would create (scripts/bench/indexes.sql) and runs the equivalent SQL (scripts/bench/matching.sql) for
#    the same requests, timed inside the server (no client round trip), one worker per query;
# 4. both candidate sets (doctor, complete/partial) are compared, and p50/p99 and the ratio printed.
#
# Usage: scripts/bench-matching.sh            (full size: 50,000 doctors × 100 slots, 100,000 requests)
#        DOCTORS=5000 REQUESTS=10000 FACILITIES=1000 SAMPLE=100 scripts/bench-matching.sh   (quick)
# Environment: SEED (42), DOCTORS, SLOTS (100), FACILITIES, REQUESTS, SAMPLE (300 requests), PGPORT
# (54329), KEEP=1 keeps the work directory. Runs as root (installs packages, runs PostgreSQL as `postgres`).
set -euo pipefail
cd "$(dirname "$0")/.."

SEED="${SEED:-42}"
DOCTORS="${DOCTORS:-50000}"
SLOTS="${SLOTS:-100}"
FACILITIES="${FACILITIES:-10000}"
REQUESTS="${REQUESTS:-100000}"
SAMPLE="${SAMPLE:-300}"   # PostgreSQL needs minutes for the two-week requests: keep it modest
PGPORT="${PGPORT:-54329}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/rempla/target}"
PGBIN=/usr/lib/postgresql/15/bin

if [ ! -x "$PGBIN/initdb" ] || [ ! -e /usr/share/postgresql/15/extension/postgis.control ]; then
    echo "== installing PostgreSQL 15 and PostGIS 3"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql-15 postgresql-15-postgis-3 >/dev/null
fi

echo "== building (release)"
cargo build --release -q -p rempla-cli 2>&1 | grep -E "^error" -A5 || true
test -x "$CARGO_TARGET_DIR/release/rempla"
cargo build --release -q -p rempla-core --example matching_latency
REMPLA="$CARGO_TARGET_DIR/release/rempla"
LATENCY="$CARGO_TARGET_DIR/release/examples/matching_latency"

WORK="$(mktemp -d /tmp/rempla-bench.XXXXXX)"
chmod 755 "$WORK"
PGRUN="$WORK/pgrun"   # data, socket and log, owned by postgres
mkdir "$PGRUN" && chown postgres: "$PGRUN"
cleanup() {
    if [ -f "$PGRUN/data/postmaster.pid" ]; then
        runuser -u postgres -- "$PGBIN/pg_ctl" -D "$PGRUN/data" -m immediate stop >/dev/null 2>&1 || true
    fi
    if [ "${KEEP:-0}" = 1 ]; then echo "work directory kept: $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT

echo "== dataset (seed $SEED: $DOCTORS doctors × $SLOTS slots, $FACILITIES facilities, $REQUESTS requests)"
"$REMPLA" dataset generate --seed "$SEED" --doctors "$DOCTORS" --slots-per-doctor "$SLOTS" \
    --facilities "$FACILITIES" --requests "$REQUESTS" --csv "$WORK/csv"

echo "== Rust engine (one thread)"
"$LATENCY" --seed "$SEED" --doctors "$DOCTORS" --slots "$SLOTS" --facilities "$FACILITIES" \
    --requests "$REQUESTS" --sample "$SAMPLE" --out "$WORK/rust" | tee "$WORK/rust.log"
chmod -R a+rX "$WORK"

echo "== PostgreSQL $("$PGBIN/postgres" --version | awk '{print $3}') + PostGIS: throwaway cluster in $PGRUN"
runuser -u postgres -- "$PGBIN/initdb" -D "$PGRUN/data" -A trust -U postgres >/dev/null
runuser -u postgres -- "$PGBIN/pg_ctl" -D "$PGRUN/data" -l "$PGRUN/log" -w start -o \
    "-k $PGRUN -p $PGPORT -c listen_addresses='' -c shared_buffers=1GB -c work_mem=64MB \
     -c maintenance_work_mem=1GB -c effective_cache_size=4GB -c random_page_cost=1.1 -c jit=off \
     -c max_parallel_workers_per_gather=0 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" >/dev/null
psql() { runuser -u postgres -- /usr/bin/psql -X -q -v ON_ERROR_STOP=1 -h "$PGRUN" -p "$PGPORT" -U postgres "$@"; }
psql -d postgres -c "CREATE DATABASE bench"
psql -d bench -f scripts/bench/matching.sql >/dev/null
start=$(date +%s)
for t in doctors:"id,verified,active,specialties,intern_until,lat,lon,radius_km,departments,languages" \
         slots:"doctor_id,starts,ends,status,kind" busy:"doctor_id,starts,ends" \
         requests:"id,specialty,department,zone,lat,lon,thesed_only,languages" \
         shifts:"request_id,idx,kind,starts,ends" declines:"request_id,doctor_id"; do
    psql -d bench -c "\\copy ${t%%:*}(${t#*:}) FROM '$WORK/csv/${t%%:*}.csv' WITH (FORMAT csv)"
done
echo "loaded in $(( $(date +%s) - start )) s; creating indexes"
start=$(date +%s)
psql -d bench -f scripts/bench/indexes.sql >/dev/null
echo "indexes in $(( $(date +%s) - start )) s"

psql -d bench >/dev/null <<SQL
SET plan_cache_mode = force_custom_plan;
CREATE TABLE sample (ord serial, id uuid);
\\copy sample(id) FROM '$WORK/rust/sample_requests.txt'
CREATE TABLE pg_results (request_id uuid, doctor_id uuid, status text);
CREATE TABLE pg_timing (request_id uuid, micros float8);
DO \$\$
DECLARE s record; t0 timestamptz; maxr float8; ids uuid[]; statuses text[];
BEGIN
    SELECT max(radius_km) * 1000.0 INTO maxr FROM doctors;
    FOR s IN SELECT id FROM sample ORDER BY ord LOOP
        t0 := clock_timestamp();
        SELECT array_agg(m.doctor_id), array_agg(m.status) INTO ids, statuses FROM match_request(s.id, maxr) m;
        INSERT INTO pg_timing VALUES (s.id, extract(epoch FROM clock_timestamp() - t0) * 1e6);
        INSERT INTO pg_results SELECT s.id, u.d, u.st FROM unnest(ids, statuses) AS u(d, st);
        COMMIT;  -- results of finished requests stay readable if the run is stopped
    END LOOP;
END \$\$;
SQL
psql -d bench -At -F $'\t' -c "SELECT request_id, doctor_id, status FROM pg_results" > "$WORK/pg_candidates.tsv"
read -r PG_P50 PG_P99 PG_MEAN < <(psql -d bench -At -F ' ' -c \
    "SELECT round(percentile_cont(0.5) WITHIN GROUP (ORDER BY micros)::numeric, 1),
            round(percentile_cont(0.99) WITHIN GROUP (ORDER BY micros)::numeric, 1),
            round(avg(micros)::numeric, 1) FROM pg_timing")

echo "== same candidate sets?"
sort "$WORK/rust/rust_candidates.tsv" > "$WORK/a.tsv"
sort "$WORK/pg_candidates.tsv" > "$WORK/b.tsv"
only_rust=$(comm -23 "$WORK/a.tsv" "$WORK/b.tsv" | wc -l)
only_pg=$(comm -13 "$WORK/a.tsv" "$WORK/b.tsv" | wc -l)
echo "rows: rust $(wc -l < "$WORK/a.tsv"), postgres $(wc -l < "$WORK/b.tsv"); only in rust: $only_rust; only in postgres: $only_pg"
if [ "$only_rust" != 0 ] || [ "$only_pg" != 0 ]; then
    echo "first differences:"; diff "$WORK/a.tsv" "$WORK/b.tsv" | head -10 || true
fi

RUST_LINE=$(grep '^match_request:' "$WORK/rust.log")
RUST_P50=$(sed -E 's/.*p50=([0-9.]+)µs.*/\1/' <<< "$RUST_LINE")
RUST_P99=$(sed -E 's/.*p99=([0-9.]+)µs.*/\1/' <<< "$RUST_LINE")
RUST_MEAN=$(sed -E 's/.*mean=([0-9.]+)µs.*/\1/' <<< "$RUST_LINE")
echo "== per request, $SAMPLE requests, one core each (machine: $(nproc) cores)"
printf '%-22s %12s %12s %12s\n' "" "p50 (µs)" "p99 (µs)" "mean (µs)"
printf '%-22s %12s %12s %12s\n' "rempla (Rust, index)" "$RUST_P50" "$RUST_P99" "$RUST_MEAN"
printf '%-22s %12s %12s %12s\n' "PostgreSQL + PostGIS" "$PG_P50" "$PG_P99" "$PG_MEAN"
awk -v a="$PG_P50" -v b="$RUST_P50" -v c="$PG_P99" -v d="$RUST_P99" -v e="$PG_MEAN" -v f="$RUST_MEAN" \
    'BEGIN { printf "speed-up: p50 %.0f×, p99 %.0f×, mean %.0f×\n", a / b, c / d, e / f }'
[ "$only_rust" = 0 ] && [ "$only_pg" = 0 ]
