#!/usr/bin/env bash
# Privacy export benchmark: the server's peak memory (RSS, sampled every 10 ms from /proc) while it
# streams `GET /v1/me/export` for a full vault, once alone and four at once (four doctors), against a
# real `rempla-server` process on its embedded SQLite store. Bound (issue "Trust"): 64 MiB above the
# idle server. The ceiling it is compared with: reading and decoding the same stored documents straight
# from the SQLite file (no ZIP, no HTTP), reported as a time ratio.
#   scripts/bench-export.sh                  # 500 MB vaults (50 × 10 MB documents), release build
#   VAULT_MB=100 EXPORTS=2 scripts/bench-export.sh
#   scripts/bench-export.sh --smoke          # 4 MB vaults, debug build: CI runs this so the bench never rots
set -euo pipefail
cd "$(dirname "$0")/.."

export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/rempla/target}"
VAULT_MB="${VAULT_MB:-500}"
EXPORTS="${EXPORTS:-4}"
PROFILE="${PROFILE:-release}"
BOUND_MIB="${BOUND_MIB:-64}"
if [ "${1:-}" = "--smoke" ]; then
  VAULT_MB=4
  EXPORTS=2
  PROFILE=debug
fi

echo "== machine: $(nproc) cores, $(uname -m); vault ${VAULT_MB} MB × ${EXPORTS} doctors; profile ${PROFILE}"
if [ "$PROFILE" = release ]; then
  cargo build --release --quiet -p rempla-server
else
  cargo build --quiet -p rempla-server
fi
BIN="$CARGO_TARGET_DIR/$PROFILE/rempla-server"

WORK="$(mktemp -d /tmp/rempla-bench-export.XXXXXX)"
SERVER_PID=""
cleanup() {
  [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
mkdir -p "$WORK/data"
RUST_LOG=warn "$BIN" --listen "127.0.0.1:$port" --data "$WORK/data" --jobs-interval-secs 0 \
  >"$WORK/server.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 100); do
  curl -fsS "http://127.0.0.1:$port/v1/ready" >/dev/null 2>&1 && break
  sleep 0.1
done

python3 - "http://127.0.0.1:$port" "$WORK/data" "$SERVER_PID" "$VAULT_MB" "$EXPORTS" "$BOUND_MIB" <<'PY'
import base64, email, glob, http.client, io, json, os, re, sqlite3, sys, threading, time, uuid, zipfile

base, data_dir, pid, vault_mb, exports, bound_mib = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]), int(sys.argv[6])
host = base.split("//")[1]
outbox = os.path.join(data_dir, "outbox")
DOC = 10_000_000 if vault_mb >= 10 else 1_000_000

def call(method, path, body=None, token=None, raw=None, ctype="application/json"):
    conn = http.client.HTTPConnection(host, timeout=600)
    headers = {"content-type": ctype}
    if token:
        headers["authorization"] = "Bearer " + token
    conn.request(method, path, body=raw if raw is not None else (None if body is None else json.dumps(body)), headers=headers)
    res = conn.getresponse()
    data = res.read()
    conn.close()
    return res.status, (json.loads(data) if data and res.getheader("content-type", "").startswith("application/json") else data)

def rpps(payload):
    total = 0
    for i, d in enumerate(reversed([int(c) for c in payload])):
        if i % 2 == 0:
            d *= 2
            d = d - 9 if d > 9 else d
        total += d
    return payload + str((10 - total % 10) % 10)

def activation_token(mail):
    for path in sorted(glob.glob(outbox + "/*.eml"), key=os.path.getmtime, reverse=True):
        msg = email.message_from_binary_file(open(path, "rb"))
        if mail not in (msg["To"] or ""):
            continue
        for part in msg.walk():
            if part.get_content_type() == "text/plain":
                m = re.search(r"token=([A-Za-z0-9_-]+)", part.get_payload(decode=True).decode())
                if m:
                    return m.group(1)
    raise SystemExit("no activation mail for " + mail)

def doctor(n):
    mail, password = "export%d@example.fr" % n, "banc-d-essai-2026"
    status, body = call("POST", "/v1/accounts/doctors", {"email": mail, "password": password,
        "rpps": rpps("10000%05d" % (n + 300)), "first_name": "Banc", "last_name": "Export%d" % n,
        "specialties": ["urgences"]})
    assert status == 202, (status, body)
    assert call("POST", "/v1/accounts/activate", {"token": activation_token(mail)})[0] == 204
    status, body = call("POST", "/v1/auth/login", {"email": mail, "password": password,
        "device_id": str(uuid.uuid4()), "device_name": "bench", "platform": "cli"})
    assert status == 200, body
    token = body["token"]
    _, terms = call("GET", "/v1/terms/current")
    assert call("POST", "/v1/terms/accept", {"version": terms["version"], "sha256": terms["sha256"]}, token)[0] == 204
    return token

def pdf(n, size):
    head = b"%%PDF-1.4\n1 0 obj << /Length %d >> stream\n" % size
    tail = b"\nendstream endobj\ntrailer << >>\n%%EOF\n"
    return head + os.urandom(size - len(head) - len(tail)) + tail

def rss_kib():
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0

t0 = time.perf_counter()
tokens = [doctor(n) for n in range(exports)]
per_vault = max(1, vault_mb * 1_000_000 // DOC)
for token in tokens:
    for i in range(per_vault):
        status, body = call("POST", "/v1/me/documents?kind=diploma&name=diplome-%d.pdf" % i, token=token,
                            raw=pdf(i, DOC), ctype="application/pdf")
        assert status == 201, (status, body)
vault_bytes = per_vault * DOC
print("seeded %d vaults of %d documents (%.0f MB each) in %.1f s" % (exports, per_vault, vault_bytes / 1e6, time.perf_counter() - t0))

def export(token, out):
    conn = http.client.HTTPConnection(host, timeout=600)
    conn.request("GET", "/v1/me/export", headers={"authorization": "Bearer " + token})
    res = conn.getresponse()
    assert res.status == 200, (res.status, res.read()[:300])
    total, tail, sink = 0, b"", (io.BytesIO() if out is not None else None)
    while True:
        chunk = res.read(1 << 20)
        if not chunk:
            break
        total += len(chunk)
        tail = (tail + chunk)[-65536:]
        if sink is not None:
            sink.write(chunk)
    conn.close()
    assert b"PK\x05\x06" in tail, "the archive ends with its central directory"
    if out is not None:
        out.append(sink.getvalue())
    return total

def measured(tokens, keep):
    peak = [rss_kib()]
    done = threading.Event()
    def sample():
        while not done.is_set():
            peak[0] = max(peak[0], rss_kib())
            time.sleep(0.01)
    sampler = threading.Thread(target=sample)
    sampler.start()
    sizes, archives = [0] * len(tokens), ([] if keep else None)
    def run(i):
        sizes[i] = export(tokens[i], archives)
    start = time.perf_counter()
    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(tokens))]
    for t in threads: t.start()
    for t in threads: t.join()
    elapsed = time.perf_counter() - start
    done.set(); sampler.join()
    return peak[0], elapsed, sizes, archives

time.sleep(1)
idle = rss_kib()
smoke = vault_mb < 10
peak1, one_s, sizes, archives = measured(tokens[:1], smoke)
if smoke:
    names = zipfile.ZipFile(io.BytesIO(archives[0])).namelist()
    docs = [n for n in names if n.startswith("documents/") and not n.endswith("/")]
    assert len(docs) == per_vault and "data.json" in names, names
    assert zipfile.ZipFile(io.BytesIO(archives[0])).testzip() is None
peakn, many_s, many_sizes, _ = measured(tokens, False)

# The ceiling: the same documents read and decoded straight from the SQLite file.
db = sqlite3.connect(os.path.join(data_dir, "rempla.sqlite3"))
start = time.perf_counter()
raw = 0
for (content,) in db.execute("SELECT c.content FROM document_chunks c JOIN documents d ON d.id = c.document_id "
                             "JOIN accounts a ON a.doctor_id = d.doctor_id WHERE a.email = 'export0@example.fr' "
                             "ORDER BY c.document_id, c.seq"):
    raw += len(base64.b64decode(content))
raw_s = time.perf_counter() - start
assert raw == vault_bytes, (raw, vault_bytes)

mib = lambda kib: kib / 1024
print("idle server RSS            : %7.1f MiB" % mib(idle))
print("1 export  (%4.0f MB ZIP)    : peak %7.1f MiB = idle + %5.1f MiB, %.2f s (%.0f MB/s)" % (
    sizes[0] / 1e6, mib(peak1), mib(peak1 - idle), one_s, sizes[0] / 1e6 / one_s))
print("%d exports at once          : peak %7.1f MiB = idle + %5.1f MiB, %.2f s" % (
    exports, mib(peakn), mib(peakn - idle), many_s))
print("ceiling: raw read + base64 decode of the same vault from SQLite: %.2f s -> export/ceiling = %.2f×" % (
    raw_s, one_s / raw_s))
print("bound: idle + %d MiB -> %s" % (bound_mib, "OK" if max(peak1, peakn) - idle <= bound_mib * 1024 else "EXCEEDED"))
if max(peak1, peakn) - idle > bound_mib * 1024:
    sys.exit(1)
PY
