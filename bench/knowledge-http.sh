#!/usr/bin/env bash
# POST /v1/knowledge/search over HTTP against the local platform (./coditect dev): uploads Debian's Node.js API
# docs as a zip folder, waits until every document is indexed (indexing chunks/s through the event bus), then
# sends the labelled questions one after another on one connection and prints latency percentiles (query
# embedding included). Usage: ./coditect bench knowledge-http [rounds] [corpus dir]
# At scale instead, with synthetic chunks written straight into the platform's store (knowledge-http-synthetic.sh):
# ./coditect bench knowledge-http --synthetic [chunks, default 100000]
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "${1:-}" = --synthetic ]; then
  shift
  exec bench/knowledge-http-synthetic.sh "$@"
fi
rounds=${1:-5}
corpus=${2:-/usr/share/doc/nodejs/api}
command -v zip >/dev/null 2>&1 || { echo "bench: zip is needed (apt-get install zip)" >&2; exit 2; }
[ -d "$corpus" ] || { echo "bench: no corpus at $corpus (apt-get install nodejs-doc)" >&2; exit 2; }
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
data=$(mktemp -d)
env PORT=$port CODITECT_DATA_DIR="$data" CODITECT_LOG_LEVEL=WARNING CODITECT_KNOWLEDGE_PLATFORM_DOCS="$data/none" \
  ./coditect dev >"$data/dev.log" 2>&1 &
dev=$!
trap 'kill $dev 2>/dev/null; wait $dev 2>/dev/null; rm -rf "$data"' EXIT
for _ in $(seq 1 600); do
  curl -sf "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break
  sleep 0.5
done
token=$(curl -sf -XPOST "http://127.0.0.1:$port/v1/auth/signup" -H 'Content-Type: application/json' \
  -d '{"email":"bench@example.com","password":"correct horse battery staple"}' |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["accessToken"])')
(cd "$corpus" && zip -q "$data/corpus.zip" ./*.md)
python3 - "$port" "$token" "$data/corpus.zip" "$rounds" bench/src/main/resources/knowledge/nodejs-api-questions.tsv <<'PY'
import http.client, json, sys, time
port, token, archive, rounds, questions = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5]
auth = {"Authorization": "Bearer " + token}
c = http.client.HTTPConnection("127.0.0.1", int(port), timeout=600)
start = time.perf_counter()
c.request("POST", "/v1/knowledge/documents?collection=nodejs", open(archive, "rb").read(),
          dict(auth, **{"Content-Type": "application/zip"}))
r = c.getresponse(); body = json.loads(r.read())
assert r.status == 202, body
while True:
    c.request("GET", "/v1/knowledge/documents?collection=nodejs", headers=auth)
    docs = json.loads(c.getresponse().read())["documents"]
    if all(d["status"] != "queued" for d in docs):
        break
    time.sleep(1)
took = time.perf_counter() - start
chunks = sum(d["chunks"] for d in docs)
print(f"upload + indexing through the event bus: {len(docs)} documents, {chunks} chunks in {took:.1f} s "
      f"= {chunks / took:.1f} chunks/s ({sum(d['status'] == 'failed' for d in docs)} failed)")
qs = [l.split("\t")[0] for l in open(questions) if "\t" in l and not l.startswith("#")]
lat = []
for rnd in range(rounds + 1):
    for q in qs:
        t = time.perf_counter()
        c.request("POST", "/v1/knowledge/search", json.dumps({"query": q, "k": 10}),
                  dict(auth, **{"Content-Type": "application/json"}))
        resp = c.getresponse(); resp.read()
        assert resp.status == 200
        if rnd > 0:
            lat.append((time.perf_counter() - t) * 1000)
lat.sort()
pct = lambda p: lat[min(len(lat) - 1, int(len(lat) * p / 100 + 0.999) - 1)]
print(f"POST /v1/knowledge/search over HTTP, k=10, {len(lat)} queries over {chunks} chunks, one connection, "
      f"query embedding included: p50 {pct(50):.1f} ms, p95 {pct(95):.1f} ms, p99 {pct(99):.1f} ms")
PY
