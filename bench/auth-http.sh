#!/usr/bin/env bash
# Requests/s and latency of GET /v1/auth/session over HTTP against the local platform (./coditect dev, embedded
# engine on disk), 64 connections, with wrk; in the same run and under the same invoker, a trivial endpoint
# (GET /healthz), so the two can be compared: prints both rates, their ratio and both p99s.
# Usage: ./coditect bench auth-http [seconds per phase, default 15] [rounds, default 3]
#   each round also measures /healthz with the session check's Authorization header, which /healthz ignores:
#   the invoker's own cost of parsing the ~850-byte token, which the session check pays before any of its code runs
#   BENCH_STORE=memory:  another store URL
#   BENCH_JFR=dir        record the platform's JVM with JFR (profile settings) into dir/healthz-<round>.jfr and
#                        dir/session-<round>.jfr while wrk runs on each
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-15}
rounds=${2:-3}
results=()
if ! command -v wrk >/dev/null 2>&1; then
  echo "bench: wrk is needed (apt-get install wrk)" >&2
  exit 2
fi
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
data=$(mktemp -d)
# the platform docs are not indexed: that background work would fall into one of the two measurements
env PORT=$port CODITECT_DATA_DIR="$data" CODITECT_LOG_LEVEL=WARNING CODITECT_KNOWLEDGE_PLATFORM_DOCS="$data/none" \
  ${BENCH_STORE:+CODITECT_STORE=$BENCH_STORE} \
  ./coditect dev >"$data/dev.log" 2>&1 &
dev=$!
trap 'kill $dev 2>/dev/null; wait $dev 2>/dev/null; rm -rf "$data"' EXIT
for _ in $(seq 1 600); do
  curl -sf "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break
  kill -0 $dev 2>/dev/null || { cat "$data/dev.log" >&2; exit 1; }
  sleep 0.5
done
token=$(curl -sf -XPOST "http://127.0.0.1:$port/v1/auth/signup" -H 'Content-Type: application/json' \
  -d '{"email":"bench@example.com","password":"correct horse battery staple"}' |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["accessToken"])')
base="http://127.0.0.1:$port"
auth=(-H "Authorization: Bearer $token")
# signup requests the user's workspace; its start (a sidecar, an IDE) must not fall into a measurement
status=unknown
for _ in $(seq 1 360); do
  status=$(curl -sf "${auth[@]}" "$base/v1/workspaces/me" |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["workspace"]["status"].lower())' 2>/dev/null || echo unknown)
  case "$status" in running|failed|stopped) break ;; esac
  sleep 0.5
done
echo "workspace: $status"

# CPU seconds the platform's JVM has used so far (user + system); ./coditect dev execs java, so $dev is that JVM
cpu_seconds() {
  awk -v tick="$(getconf CLK_TCK)" '{sub(/.*\) /, ""); print ($12 + $13) / tick}' "/proc/$dev/stat"
}

# run NAME URL [wrk options…]: wrk -t2 -c64 for $seconds; prints its output and keeps requests/s, p99 (ms) and
# the platform's CPU time per request (ms), which the other processes on the machine disturb less than the rate
run() {
  local name=$1 url=$2 out before
  shift 2
  if [ -n "${BENCH_JFR:-}" ]; then
    mkdir -p "$BENCH_JFR"
    # ./coditect dev execs java, so $dev is the platform's JVM
    "$JAVA_HOME/bin/jcmd" $dev JFR.start name="$name-$round" settings=profile >/dev/null
  fi
  before=$(cpu_seconds)
  out=$(wrk -t2 -c64 -d"${seconds}s" --latency "$@" "$url")
  cpu[$name]=$(awk -v a="$before" -v b="$(cpu_seconds)" '{n=$1} END {printf "%.3f", (b - a) * 1000 / n}' \
    <<<"$(awk '/requests in/ {print $1}' <<<"$out")")
  if [ -n "${BENCH_JFR:-}" ]; then
    "$JAVA_HOME/bin/jcmd" $dev JFR.stop name="$name-$round" filename="$(realpath -m "$BENCH_JFR/$name-$round.jfr")" >/dev/null
  fi
  echo "$out"
  if grep -q 'Non-2xx' <<<"$out"; then
    echo "bench: $name answered errors; see above" >&2
    exit 1
  fi
  rate[$name]=$(awk '/^Requests\/sec/ {print $2}' <<<"$out")
  p99[$name]=$(awk '$1 == "99%" {v=$2; if (v ~ /us$/) {sub(/us$/,"",v); v/=1000} else if (v ~ /ms$/) {sub(/ms$/,"",v)} else if (v ~ /s$/) {sub(/s$/,"",v); v*=1000}; print v}' <<<"$out")
}
declare -A rate p99 cpu
echo "warming up: 5 s of each endpoint"
wrk -t2 -c64 -d5s "${auth[@]}" "$base/v1/auth/session" >/dev/null
wrk -t2 -c64 -d5s "$base/healthz" >/dev/null

# rounds, the two endpoints in alternating order: the machine's load moving between two phases moves their ratio,
# so each round gives one ratio and the summary their median
ratios=() cpu_ratios=() header_ratios=()
for round in $(seq 1 "$rounds"); do
  if [ $((round % 2)) -eq 1 ]; then order=(healthz session headers); else order=(session healthz headers); fi
  for name in "${order[@]}"; do
    echo
    echo "== round $round: load $(cut -d' ' -f1-3 /proc/loadavg)"
    if [ "$name" = healthz ]; then
      echo "== GET /healthz (trivial endpoint, same invoker), 64 connections, ${seconds}s"
      run healthz "$base/healthz"
    elif [ "$name" = headers ]; then
      echo "== GET /healthz with the session check's Authorization header (which /healthz ignores: the invoker's cost of parsing it), 64 connections, ${seconds}s"
      run headers "$base/healthz" "${auth[@]}"
    else
      echo "== GET /v1/auth/session (token verified, session read, last access recorded), ${BENCH_STORE:-embedded engine on disk}, 64 connections, ${seconds}s"
      run session "$base/v1/auth/session" "${auth[@]}"
    fi
  done
  summary=$(awk -v s="${rate[session]}" -v h="${rate[healthz]}" -v sp="${p99[session]}" -v hp="${p99[healthz]}" \
    -v sc="${cpu[session]}" -v hc="${cpu[healthz]}" -v a="${rate[headers]}" -v ac="${cpu[headers]}" \
    -v r="$round" 'BEGIN {
    printf "round %d: session check %.0f req/s, p99 %.1f ms, %.3f ms CPU/request; ", r, s, sp, sc
    printf "healthz %.0f req/s, p99 %.1f ms, %.3f ms CPU/request; ", h, hp, hc
    printf "ratio %.2f, CPU ratio %.2f; ", s / h, sc / hc
    printf "healthz with the same header %.0f req/s, %.3f ms CPU/request\n", a, ac
  }')
  results+=("$summary")
  ratios+=("$(awk -v s="${rate[session]}" -v h="${rate[healthz]}" 'BEGIN {printf "%.2f", s / h}')")
  header_ratios+=("$(awk -v s="${rate[session]}" -v h="${rate[headers]}" 'BEGIN {printf "%.2f", s / h}')")
  cpu_ratios+=("$(awk -v s="${cpu[session]}" -v h="${cpu[healthz]}" 'BEGIN {printf "%.2f", s / h}')")
done
echo
echo "load: $(uptime)"
printf '%s\n' "${results[@]}"
median() { printf '%s\n' "$@" | sort -n | awk '{v[NR]=$1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }
echo "ratio $(median "${ratios[@]}") (median of the rounds' requests/s of the session check / of healthz: ${ratios[*]})"
echo "CPU per request, session check / healthz: median $(median "${cpu_ratios[@]}") (${cpu_ratios[*]})"
echo "against /healthz with the same Authorization header: median $(median "${header_ratios[@]}") (${header_ratios[*]})"
