#!/usr/bin/env bash
# Time to a usable IDE with ./coditect dev, as a new user meets it: the first run (no IDE build cached, no data)
# and a later run (the platform restarted; the workspace comes back). "Usable" means the workspace is running and
# its IDE answers through the sidecar with the user's token. Usage: ./coditect bench ide-start [ide cache dir]
# (default: a new, empty cache, so the first run builds the IDE; pass ~/.cache/coditect/ide to time a cached one).
set -euo pipefail
cd "$(dirname "$0")/.."
PORT=${PORT:-8093}
cache=${1:-}
own_cache=""
if [ -z "$cache" ]; then cache=$(mktemp -d); own_cache=$cache; fi
data=$(mktemp -d)
log=$(mktemp)
base="http://127.0.0.1:$PORT"
email="bench-$(date +%s)@example.com"
password="correct horse battery staple"
pid=""
trap '[ -n "$pid" ] && kill -TERM "$pid" 2>/dev/null; wait 2>/dev/null; rm -rf "$data" $own_cache' EXIT

now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }
json() { sed -n "s/.*\"$1\":\"\([^\"]*\)\".*/\1/p"; }

start() {
  CODITECT_DATA_DIR="$data" CODITECT_IDE_CACHE="$cache" PORT=$PORT ./coditect dev >>"$log" 2>&1 &
  pid=$!
  until curl -sf "$base/healthz" >/dev/null; do sleep 0.2; kill -0 "$pid" || { cat "$log"; exit 1; }; done
}

usable() { # waits until the workspace runs and its IDE answers; prints the URL
  local token=$1 url="" status=""
  while :; do
    body=$(curl -s "$base/v1/workspaces/me" -H "Authorization: Bearer $token")
    status=$(json status <<<"$body")
    url=$(json url <<<"$body")
    if [ "$status" = running ] && [ -n "$url" ] \
       && [ "$(curl -s -o /dev/null -w '%{http_code}' "$url" -H "Authorization: Bearer $token")" = 200 ]; then
      echo "$url"; return
    fi
    [ "$status" = failed ] && { echo "workspace failed: $body" >&2; exit 1; }
    sleep 0.2
  done
}

t0=$(now)
start
up=$(since "$t0")
t1=$(now)
token=$(curl -s -X POST "$base/v1/auth/signup" -H 'Content-Type: application/json' \
  -d "{\"email\":\"$email\",\"password\":\"$password\"}" | json accessToken)
url=$(usable "$token")
echo "first run:  platform up ${up} s after ./coditect dev; signup to a usable IDE $(since "$t1") s; total $(since "$t0") s ($url)"

kill -TERM "$pid"; wait "$pid" || true; pid=""
t0=$(now)
start
up=$(since "$t0")
token=$(curl -s -X POST "$base/v1/auth/login" -H 'Content-Type: application/json' \
  -d "{\"email\":\"$email\",\"password\":\"$password\"}" | json accessToken)
again=$(usable "$token")
echo "later run:  platform up ${up} s after ./coditect dev; the workspace back and its IDE usable $(since "$t0") s after start (same URL: $([ "$again" = "$url" ] && echo yes || echo "no, $again"))"
