#!/usr/bin/env bash
# Sync server benchmark: push throughput (ops/s) and pull latency for 10,000 changes, on SQLite and on
# PostgreSQL, against real `rempla-server` processes built in release mode. One client on loopback,
# batches of 500 ops (the protocol maximum), pages of 1,000 changes (the maximum). Prints the core count.
#   scripts/bench-sync.sh                 # both backends
#   BENCH_CHANGES=2000 scripts/bench-sync.sh sqlite
set -euo pipefail
cd "$(dirname "$0")/.."

export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/rempla/target}"
CHANGES="${BENCH_CHANGES:-10000}"
BACKENDS=("${@:-sqlite postgres}")
read -r -a BACKENDS <<<"${BACKENDS[*]}"

echo "== machine: $(nproc) cores, $(uname -m), $(grep -m1 'model name' /proc/cpuinfo 2>/dev/null | cut -d: -f2- | xargs || echo '?')"
echo "== cargo build --release -p rempla-server"
cargo build --release --quiet -p rempla-server
BIN="$CARGO_TARGET_DIR/release/rempla-server"

WORK="$(mktemp -d /tmp/rempla-bench.XXXXXX)"
chmod 755 "$WORK"
SERVER_PID=""
PG_CTL=""
PG_DATA=""
as_pg() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
cleanup() {
  [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null || true
  [ -n "$PG_CTL" ] && as_pg "$PG_CTL" -D "$PG_DATA" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

start_postgres() {
  local initdb
  initdb="$(ls -d /usr/lib/postgresql/*/bin/initdb 2>/dev/null | sort -V | tail -1)"
  if [ -z "$initdb" ]; then
    bash scripts/setup-debian.sh >/dev/null
    initdb="$(ls -d /usr/lib/postgresql/*/bin/initdb | sort -V | tail -1)"
  fi
  PG_CTL="$(dirname "$initdb")/pg_ctl"
  PG_DATA="$WORK/pg"
  mkdir -p "$PG_DATA"
  [ "$(id -u)" -eq 0 ] && chown -R postgres:postgres "$WORK"
  as_pg "$initdb" -A trust -U postgres -D "$PG_DATA" >/dev/null
  local port
  port="$(free_port)"
  as_pg "$PG_CTL" -w -D "$PG_DATA" -l "$WORK/pg.log" \
    -o "-p $port -k $WORK -c listen_addresses=127.0.0.1 -c synchronous_commit=on" start >/dev/null
  psql -q -h 127.0.0.1 -p "$port" -U postgres -c 'CREATE DATABASE bench' >/dev/null
  echo "postgres://postgres@127.0.0.1:$port/bench"
}

run_backend() {
  local backend="$1" port data url=""
  port="$(free_port)"
  data="$WORK/data-$backend"
  mkdir -p "$data"
  local args=(--listen "127.0.0.1:$port" --data "$data")
  if [ "$backend" = postgres ]; then
    url="$(start_postgres)"
    args+=(--database-url "$url")
  fi
  RUST_LOG=warn "$BIN" "${args[@]}" >"$WORK/server-$backend.log" 2>&1 &
  SERVER_PID=$!
  for _ in $(seq 100); do
    curl -fsS "http://127.0.0.1:$port/v1/ready" >/dev/null 2>&1 && break
    sleep 0.1
  done
  echo "== $backend"
  python3 - "http://127.0.0.1:$port" "$data/outbox" "$CHANGES" <<'PY'
import email, glob, http.client, json, re, statistics, sys, time, uuid

base, outbox, changes = sys.argv[1], sys.argv[2], int(sys.argv[3])
host = base.split("//")[1]
conn = http.client.HTTPConnection(host, timeout=120)

def call(method, path, body=None, token=None):
    headers = {"content-type": "application/json"}
    if token:
        headers["authorization"] = "Bearer " + token
    conn.request(method, path, body=None if body is None else json.dumps(body), headers=headers)
    res = conn.getresponse()
    data = res.read()
    return res.status, (json.loads(data) if data else None)

def rpps(payload):
    digits = [int(c) for c in payload]
    total = 0
    for i, d in enumerate(reversed(digits)):
        if i % 2 == 0:
            d *= 2
            d = d - 9 if d > 9 else d
        total += d
    return payload + str((10 - total % 10) % 10)

mail = "bench@example.fr"
password = "banc-d-essai-2026"
status, body = call("POST", "/v1/accounts/doctors", {"email": mail, "password": password,
    "rpps": rpps("1000000191"), "first_name": "Banc", "last_name": "Essai", "specialties": ["urgences"]})
assert status == 202, (status, body)
token = None
for path in glob.glob(outbox + "/*.eml"):
    msg = email.message_from_binary_file(open(path, "rb"))
    for part in msg.walk():
        if part.get_content_type() == "text/plain":
            m = re.search(r"token=([A-Za-z0-9_-]+)", part.get_payload(decode=True).decode())
            token = m.group(1) if m else token
assert token, "no activation mail in the outbox"
assert call("POST", "/v1/accounts/activate", {"token": token})[0] == 204
device = str(uuid.uuid4())
status, body = call("POST", "/v1/auth/login", {"email": mail, "password": password, "device_id": device,
    "device_name": "bench", "platform": "cli"})
assert status == 200, body
bearer = body["token"]
doctor = body["doctor_id"]
_, terms = call("GET", "/v1/terms/current")
assert call("POST", "/v1/terms/accept", {"version": terms["version"], "sha256": terms["sha256"]}, bearer)[0] == 204

dev_hex = uuid.UUID(device).hex
def op(i):
    rid = str(uuid.uuid4())
    day = i % 360
    start = 1_800_000_000 + day * 86400
    iso = lambda t: time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t))
    now = int(time.time() * 1000)
    return {"op_id": str(uuid.uuid4()), "entity": "availability", "entity_id": rid, "kind": "upsert",
            "fields": {"id": rid, "doctor_id": doctor, "interval": {"start": iso(start), "end": iso(start + 43200)},
                       "zone": "Europe/Paris", "kind": "night", "status": "open", "note": "banc %d" % i},
            "hlc": "%016x-%08x-%s" % (now, i, dev_hex)}

batches = [[op(i) for i in range(j, min(j + 500, changes))] for j in range(0, changes, 500)]
latencies = []
t0 = time.perf_counter()
for batch in batches:
    s = time.perf_counter()
    status, body = call("POST", "/v1/sync/push", {"protocol": 1, "device_id": device, "ops": batch}, bearer)
    latencies.append(time.perf_counter() - s)
    assert status == 200, body
    assert all(r["status"] == "applied" for r in body["results"]), body["results"][:3]
push_s = time.perf_counter() - t0
print("push : %d ops in %.2f s = %.0f ops/s (batches of 500: median %.0f ms, max %.0f ms)" % (
    changes, push_s, changes / push_s, statistics.median(latencies) * 1000, max(latencies) * 1000))

pages = []
cursor = None
received = 0
t0 = time.perf_counter()
while True:
    s = time.perf_counter()
    status, body = call("POST", "/v1/sync/pull", {"protocol": 1, "cursor": cursor, "limit": 1000}, bearer)
    pages.append(time.perf_counter() - s)
    assert status == 200, body
    received += len(body["changes"])
    cursor = body["cursor"]
    if not body["has_more"]:
        break
full_s = time.perf_counter() - t0
assert received == changes, (received, changes)
empty = []
for _ in range(50):
    s = time.perf_counter()
    call("POST", "/v1/sync/pull", {"protocol": 1, "cursor": cursor}, bearer)
    empty.append(time.perf_counter() - s)
print("pull : %d changes in %.2f s (%d pages of 1,000: median %.1f ms, max %.1f ms); "
      "up-to-date pull median %.2f ms" % (received, full_s, len(pages), statistics.median(pages) * 1000,
      max(pages) * 1000, statistics.median(empty) * 1000))
PY
  kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null || true
  SERVER_PID=""
}

for backend in "${BACKENDS[@]}"; do
  run_backend "$backend"
done
