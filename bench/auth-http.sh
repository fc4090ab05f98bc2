#!/usr/bin/env bash
# Requests/s and latency of GET /v1/auth/session over HTTP against the local platform (./coditect dev),
# 64 connections, with wrk. Usage: ./coditect bench auth-http [seconds]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-15}
if ! command -v wrk >/dev/null 2>&1; then
  echo "bench: wrk is needed (apt-get install wrk)" >&2
  exit 2
fi
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
data=$(mktemp -d)
env PORT=$port CODITECT_DATA_DIR="$data" CODITECT_LOG_LEVEL=WARNING ${BENCH_STORE:+CODITECT_STORE=$BENCH_STORE} ./coditect dev >"$data/dev.log" 2>&1 &
dev=$!
trap 'kill $dev 2>/dev/null; wait $dev 2>/dev/null; rm -rf "$data"' EXIT
for _ in $(seq 1 120); do
  curl -sf "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break
  sleep 0.5
done
token=$(curl -sf -XPOST "http://127.0.0.1:$port/v1/auth/signup" -H 'Content-Type: application/json' \
  -d '{"email":"bench@example.com","password":"correct horse battery staple"}' |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["accessToken"])')
echo "GET /v1/auth/session through the Functions Framework invoker, embedded engine on disk, 64 connections, ${seconds}s"
wrk -t2 -c64 -d"${seconds}s" --latency -H "Authorization: Bearer $token" "http://127.0.0.1:$port/v1/auth/session"
