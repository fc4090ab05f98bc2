#!/usr/bin/env bash
# Time from `./coditect dev` to the first 200 from GET /healthz: a first start on an empty data directory, then
# restarts on the same directory with nothing changed (the build is current, so no Maven runs). Each start is left
# to settle (the platform docs' background submission) before it is stopped with SIGTERM. Each line says whether
# that start had to build first (the first one may, when the build is older than the sources).
# Usage: ./coditect bench dev-restart [restarts]
set -euo pipefail
cd "$(dirname "$0")/.."
restarts=${1:-3}
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
data=$(mktemp -d)
dev=
trap '[ -n "$dev" ] && kill $dev 2>/dev/null; wait 2>/dev/null; rm -rf "$data"' EXIT
for run in $(seq 0 "$restarts"); do
  started=$(date +%s%N)
  PORT=$port CODITECT_DATA_DIR="$data" CODITECT_LOG_LEVEL=WARNING ./coditect dev >"$data/dev-$run.log" 2>&1 &
  dev=$!
  until [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/healthz")" = 200 ]; do
    kill -0 $dev 2>/dev/null || { cat "$data/dev-$run.log" >&2; exit 1; }
    sleep 0.05
  done
  took=$(( ($(date +%s%N) - started) / 1000000 ))
  what=$([ "$run" = 0 ] && echo "first start" || echo "restart $run")
  echo "$what: /healthz 200 after $took ms ($(head -1 "$data/dev-$run.log" | cut -c1-60)…; load $(cut -d' ' -f1 /proc/loadavg))"
  sleep 15
  kill $dev
  wait $dev 2>/dev/null || true
  dev=
done
