#!/usr/bin/env bash
# POST /v1/knowledge/search over HTTP against the local platform (./coditect dev) at N synthetic chunks: starts the
# platform on a fresh data directory, signs up a user and reads its tenant id, stops the platform, writes N synthetic
# chunks (384 dimensions, as `./coditect bench knowledge` makes them) for that tenant straight into the data directory
# through the knowledge store, starts the platform again (launch to /healthz, launch to the first search answer),
# then sends queries made of the chunks' words: k=10, warm-up, then one keep-alive connection and 4 concurrent ones.
# The platform's real model embeds every query, inside the latency. Prints the platform's RSS and the load average.
# Usage: ./coditect bench knowledge-http --synthetic [chunks] [queries on one connection] [queries per concurrent connection]
set -euo pipefail
cd "$(dirname "$0")/.."
chunks=${1:-100000}
single=${2:-500}
perConnection=${3:-100}
connections=4
warmup=50

echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg) ($(nproc) cores)"
echo "building the benchmarks (and what they use)..."
mvn -B -ntp -q -Dstyle.color=never -DskipTests -pl bench -am package
java_opts=()
if [ "$("$JAVA_HOME/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p')" -ge 24 ]; then
  java_opts=(--sun-misc-unsafe-memory-access=allow --enable-native-access=ALL-UNNAMED)
fi

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
data=$(mktemp -d)
base="http://127.0.0.1:$port"
dev=

# start_dev LOG: launches ./coditect dev on $data in the background and waits for /healthz; sets dev and healthz_ms
start_dev() {
  launched=$(date +%s%N)
  env PORT="$port" CODITECT_DATA_DIR="$data" CODITECT_LOG_LEVEL=WARNING CODITECT_KNOWLEDGE_PLATFORM_DOCS="$data/none" \
    ./coditect dev >"$1" 2>&1 &
  dev=$!
  for _ in $(seq 1 12000); do
    [ "$(curl -s -o /dev/null -w '%{http_code}' "$base/healthz" 2>/dev/null)" = 200 ] && break
    kill -0 "$dev" 2>/dev/null || { echo "bench: the platform stopped; its log:" >&2; tail -n 30 "$1" >&2; exit 1; }
    sleep 0.05
  done
  healthz_ms=$((($(date +%s%N) - launched) / 1000000))
}

# stop_dev: SIGTERM, whose shutdown hook closes the store and frees the data directory's lock
stop_dev() {
  [ -n "$dev" ] || return 0
  kill -TERM "$dev" 2>/dev/null || true
  wait "$dev" 2>/dev/null || true
  dev=
}
trap 'stop_dev; rm -rf "$data"' EXIT

auth() {
  curl -sf -XPOST "$base/v1/auth/$1" -H 'Content-Type: application/json' \
    -d '{"email":"bench@example.com","password":"correct horse battery staple"}' |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["accessToken"])'
}

echo "starting ./coditect dev on a fresh data directory ($data)..."
start_dev "$data/dev-1.log"
token=$(auth signup)
tenant=$(curl -sf "$base/v1/auth/session" -H "Authorization: Bearer $token" |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["session"]["tenantId"])')
echo "signed up bench@example.com: tenant $tenant; stopping the platform to fill its store"
stop_dev

queries=$((warmup + single + connections * perConnection))
"$JAVA_HOME/bin/java" "${java_opts[@]}" -Dslf4j.internal.verbosity=ERROR -cp "bench/target/coditect-bench.jar:bench/target/lib/*" \
  ai.coditect.bench.SyntheticKnowledgeFill "$data" "$tenant" "$chunks" "$data/queries.txt" "$queries" "$single"

echo "starting ./coditect dev again on the filled data directory..."
start_dev "$data/dev-2.log"
echo "launch of ./coditect dev to the first 200 from /healthz: $healthz_ms ms (JVM start, the embedded engine's recovery of the data directory, every function)"
login_started=$(date +%s%N)
token=$(auth login)
echo "log in again (the password hash takes most of it): $((($(date +%s%N) - login_started) / 1000000)) ms"
python3 - "$port" "$token" "$data/queries.txt" "$launched" "$warmup" "$single" "$connections" "$perConnection" "$chunks" <<'PY'
import http.client, json, sys, threading, time
port, token, qfile = int(sys.argv[1]), sys.argv[2], sys.argv[3]
launched, warmup, single, conns, per, chunks = (int(a) for a in sys.argv[4:10])
qs = [l.strip() for l in open(qfile) if l.strip()]
headers = {"Authorization": "Bearer " + token, "Content-Type": "application/json"}

def search(c, q):
    c.request("POST", "/v1/knowledge/search", json.dumps({"query": q, "k": 10}), headers)
    r = c.getresponse(); body = r.read()
    if r.status != 200:
        raise SystemExit(f"bench: search answered {r.status}: {body[:300]!r}")
    return json.loads(body)["hits"]

def pct(lat, p):
    s = sorted(lat)
    return s[min(len(s) - 1, int(len(s) * p / 100 + 0.999) - 1)]

def line(lat):
    return f"p50 {pct(lat, 50):.1f} ms, p95 {pct(lat, 95):.1f} ms, p99 {pct(lat, 99):.1f} ms"

def load():
    return "load average " + " ".join(open("/proc/loadavg").read().split()[:3])

c = http.client.HTTPConnection("127.0.0.1", port, timeout=900)
t = time.perf_counter()
hits = search(c, qs[0])
first = (time.perf_counter() - t) * 1000
print(f"first search answer {(time.time_ns() - launched) / 1e6:.0f} ms after launch; the request itself {first:.0f} ms "
      f"(model load, cold load of the tenant's {chunks:,} vectors and terms, query embedding); {len(hits)} hits")
retrievers = {}
for q in qs[1:warmup]:
    for h in search(c, q):
        for r in h["retrievers"]:
            retrievers[r] = retrievers.get(r, 0) + 1
print(f"warm-up: {warmup} queries; hits found per retriever {json.dumps(retrievers, sort_keys=True)}")

sock = c.sock
before = load()
lat = []
start = time.perf_counter()
for q in qs[warmup:warmup + single]:
    t = time.perf_counter()
    search(c, q)
    lat.append((time.perf_counter() - t) * 1000)
took = time.perf_counter() - start
print(f"POST /v1/knowledge/search over HTTP, k=10, {len(lat)} queries over {chunks:,} chunks x 384 dims, one "
      f"keep-alive connection, query embedding by the platform's model included: {line(lat)} "
      f"({len(lat) / took:.1f} queries/s; {before} -> {load()})")

# the same queries one retriever at a time: vector (embedding, int8 scan, chunk reads) and keyword (BM25 and chunk
# reads, neither the model nor the scan); both with HTTP and the session check
def by_mode(mode):
    out = []
    for q in qs[warmup:warmup + single]:
        t = time.perf_counter()
        c.request("POST", "/v1/knowledge/search", json.dumps({"query": q, "k": 10, "mode": mode}), headers)
        r = c.getresponse(); r.read()
        if r.status != 200:
            raise SystemExit(f"bench: {mode} search answered {r.status}")
        out.append((time.perf_counter() - t) * 1000)
    return out
vec = by_mode("vector")
print(f"  the same queries with mode vector (query embedding + int8 scan + chunk reads), one connection: {line(vec)}")
kw = by_mode("keyword")
print(f"  the same queries with mode keyword (no query embedding, no int8 scan), one connection: {line(kw)} "
      f"({load()})")
if c.sock is not sock:
    raise SystemExit("bench: the platform closed the keep-alive connection")
c.close()

rest = qs[warmup + single:]
results = [[] for _ in range(conns)]
def worker(n):
    w = http.client.HTTPConnection("127.0.0.1", port, timeout=900)
    for q in rest[n * per:(n + 1) * per]:
        t = time.perf_counter()
        search(w, q)
        results[n].append((time.perf_counter() - t) * 1000)
    w.close()
threads = [threading.Thread(target=worker, args=(n,)) for n in range(conns)]
before = load()
start = time.perf_counter()
for th in threads: th.start()
for th in threads: th.join()
took = time.perf_counter() - start
allLat = [x for r in results for x in r]
if len(allLat) != conns * per:
    raise SystemExit("bench: a concurrent connection failed")
print(f"the same over {conns} concurrent keep-alive connections, {len(allLat)} queries: {line(allLat)} "
      f"({len(allLat) / took:.1f} queries/s; {before} -> {load()})")
PY
kib() { awk -v k="$1" '$1 == k":" { printf "%.0f MiB", $2 / 1024 }' "/proc/$dev/status"; }
echo "platform memory after the load: VmRSS $(kib VmRSS), peak VmHWM $(kib VmHWM) (the whole JVM: every function, the model, the tenant's indexes, and the embedded engine holding the store in memory)"
# RSS counts garbage too (the default heap may grow to a quarter of the RAM): also the live heap after a full GC
if "$JAVA_HOME/bin/jcmd" "$dev" GC.run >/dev/null 2>&1; then
  echo "live heap after a full GC: $("$JAVA_HOME/bin/jcmd" "$dev" GC.heap_info | awk '/total/ { for (i = 1; i <= NF; i++) if ($i == "used") { sub("K,?", "", $(i + 1)); printf "%.0f MiB", $(i + 1) / 1024 } exit }'), VmRSS then $(kib VmRSS)"
fi
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
