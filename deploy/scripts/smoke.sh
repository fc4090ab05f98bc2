#!/usr/bin/env bash
# Smoke test of a release candidate through the load balancer: signup, login, session check, JWKS, logout, and
# the account removed again. Usage: smoke.sh https://candidate.<domain>
set -euo pipefail
BASE=${1:?usage: smoke.sh <base url>}
EMAIL="smoke-$(date +%s)-$RANDOM@example.com"
PASSWORD="smoke $(head -c 18 /dev/urandom | base64 | tr -d '/+=')"
BODY=$(mktemp)

fail() { echo "smoke: FAILED: $*" >&2; cat "$BODY" >&2 || true; exit 1; }

call() {
  # call METHOD PATH [JSON] [TOKEN] -> prints the status, body in $BODY
  local method=$1 path=$2 json=${3:-} token=${4:-} args=()
  [ -n "$json" ] && args+=(-H 'Content-Type: application/json' --data "$json")
  [ -n "$token" ] && args+=(-H "Authorization: Bearer $token")
  curl -s -o "$BODY" -w '%{http_code}' --max-time 60 -X "$method" "${args[@]}" "$BASE$path"
}

json_field() { python3 -c "import json,sys; d=json.load(open('$BODY')); print($1)"; }

# a new revision may start cold: wait for it to answer at all (JWKS is cheap and public)
for i in $(seq 1 30); do
  [ "$(call GET /.well-known/jwks.json)" = 200 ] && break
  [ "$i" = 30 ] && fail "JWKS never answered 200"
  sleep 2
done
[ "$(json_field 'len(d["keys"]) > 0 and all("d" not in k for k in d["keys"])')" = True ] \
  || fail "JWKS has no keys, or shows a private part"
echo "smoke: JWKS ok"

[ "$(call POST /v1/auth/signup "{\"email\":\"$EMAIL\",\"password\":\"$PASSWORD\",\"name\":\"Smoke\"}")" = 201 ] \
  || fail "signup"
echo "smoke: signup ok"

[ "$(call POST /v1/auth/login "{\"email\":\"$EMAIL\",\"password\":\"$PASSWORD\"}")" = 200 ] || fail "login"
TOKEN=$(json_field 'd["accessToken"]')
echo "smoke: login ok"

[ "$(call GET /v1/auth/session "" "$TOKEN")" = 200 ] || fail "session check"
[ "$(json_field 'd["session"]["userId"] != ""')" = True ] || fail "session check body"
echo "smoke: session check ok"

[ "$(call POST /v1/auth/logout "" "$TOKEN")" = 204 ] || fail "logout"
[ "$(call GET /v1/auth/session "" "$TOKEN")" = 401 ] || fail "a logged-out session was still accepted"
echo "smoke: logout ok"

# leave nothing behind where the platform can delete accounts
[ "$(call POST /v1/auth/login "{\"email\":\"$EMAIL\",\"password\":\"$PASSWORD\"}")" = 200 ] || fail "second login"
TOKEN=$(json_field 'd["accessToken"]')
status=$(call DELETE /v1/account "{\"password\":\"$PASSWORD\"}" "$TOKEN")
case "$status" in
  202|204) echo "smoke: account removed" ;;
  404|405) echo "smoke: this release cannot delete accounts; $EMAIL stays" ;;
  *) fail "account deletion answered $status" ;;
esac
echo "smoke: passed"
