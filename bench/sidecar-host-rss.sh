#!/usr/bin/env bash
# Resident memory of the sidecar host (java -jar sidecar/target/coditect-sidecar.jar host, as the local platform starts
# it) with 20, 100 and 1,000 idle sidecars, each on its own two ports with its own owner. Build first
# (./coditect build). Usage: bench/sidecar-host-rss.sh [counts…]
set -euo pipefail
cd "$(dirname "$0")/.."
counts=("$@")
[ $# -eq 0 ] && counts=(20 100 1000)
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
java=${JAVA_HOME:+$JAVA_HOME/bin/}java
token=bench-$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
log=$(mktemp)
CODITECT_SIDECAR_HOST_PORT=$port CODITECT_SIDECAR_HOST_TOKEN=$token CODITECT_LOG_LEVEL=WARNING \
  "$java" -Xmx1g -XX:+ExitOnOutOfMemoryError -jar sidecar/target/coditect-sidecar.jar host >"$log" 2>&1 &
host=$!
trap 'kill $host 2>/dev/null; wait $host 2>/dev/null; rm -f "$log"' EXIT
until curl -sf "http://127.0.0.1:$port/health" >/dev/null 2>&1; do sleep 0.2; done
rss() { awk '/VmRSS/ {printf "%.0f MB", $2 / 1024}' "/proc/$host/status"; }
threads() { awk '/Threads/ {print $2}' "/proc/$host/status"; }
echo "sidecar host, no sidecars: RSS $(rss), $(threads) threads"
n=0
for target in "${counts[@]}"; do
  while [ "$n" -lt "$target" ]; do
    n=$((n + 1))
    curl -sf -o /dev/null -X PUT -H "Authorization: Bearer $token" "http://127.0.0.1:$port/v1/sidecars/ws$n" \
      -d "{\"environment\":{\"HOST\":\"127.0.0.1\",\"PORT\":\"0\",\"MANAGEMENT_PORT\":\"0\",\"THEIA_URL\":\"http://127.0.0.1:1\",\"CODITECT_OWNER_USER_ID\":\"u$n\",\"CODITECT_OWNER_TENANT_ID\":\"t$n\",\"CODITECT_ISSUER\":\"http://127.0.0.1:2\",\"CODITECT_JWKS_URL\":\"http://127.0.0.1:2/jwks\",\"CODITECT_SESSION_URL\":\"http://127.0.0.1:2/session\",\"CODITECT_ACTIVITY_URL\":\"http://127.0.0.1:2/activity\",\"CODITECT_AGENT_TOKEN\":\"t.u.bench-agent-token-of-thirty-two-chars\"}}"
  done
  sleep 5
  echo "sidecar host, $n idle sidecars: RSS $(rss), $(threads) threads"
done
