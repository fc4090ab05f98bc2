#!/usr/bin/env bash
# Rolls a release out to the functions' Cloud Run services, and back. Used by cloudbuild.yaml; by hand too.
#
#   rollout.sh candidates            new revision of every service, no traffic, tag "candidate"
#   rollout.sh smoke URL             smoke tests (smoke.sh) against URL, when this build made candidates; on a
#                                    failure, every service back to its previous revision and exit 1
#   rollout.sh gradually 10 50 100   shift traffic step by step; after each step but the last, wait and compare
#                                    the new revision's error rate and p95 latency with the old one's; on a failed
#                                    check, a metrics query that fails, or any other error, move 100 % back to the
#                                    old revisions and exit 1
#   rollout.sh rollback [SUFFIX]     100 % to the revisions before this build (or to <service>-SUFFIX)
#   rollout.sh record                write the released image digests to gs://<project>-tfstate/releases/
#   rollout.sh web DIR               publish the web app's files to gs://<project>-web (not on the first release)
#   rollout.sh restart-keys          a new revision of every service that reads the signing keys, from the image
#                                    it serves now, with 100 % of its traffic: it reads the keys' latest version
#
# Services are found by their label app=coditect. Environment: PROJECT, REGION, REVISION_SUFFIX, DIGESTS (folder
# of <image>-name files holding image@digest), STEP_WAIT_SECONDS, MAX_ERROR_RATE_INCREASE, MAX_LATENCY_RATIO,
# CODI2_IMAGE, WORKSPACE_IMAGE_PIN ("sidecar=<ref>,theia=<ref>").

# -E: the ERR trap of "gradually" also fires for a failure inside a function or a command substitution
set -Eeuo pipefail

: "${PROJECT:?set PROJECT}"
REGION=${REGION:-europe-west1}
STATE=${STATE:-/workspace/rollout}
MIN_REQUESTS=${MIN_REQUESTS:-20}
mkdir -p "$STATE"

log() { echo "rollout: $*" >&2; }

# The services of the platform, one name a line. Read it into a variable (list=$(services)): a failed listing
# then stops the script, where "for s in $(services)" would go on with no services at all.
services() {
  gcloud run services list --project "$PROJECT" --region "$REGION" \
    --filter='metadata.labels.app=coditect' --format='value(metadata.name)'
}

# the revision that serves the service's traffic now (the largest share)
serving_revision() {
  local json
  json=$(gcloud run services describe "$1" --project "$PROJECT" --region "$REGION" --format=json)
  python3 -c '
import json, sys
traffic = json.loads(sys.argv[1])["status"].get("traffic", [])
best = max((t for t in traffic if t.get("percent")), key=lambda t: t["percent"])
print(best["revisionName"])' "$json"
}

# the image repository a service runs (functions, knowledge): its image path's last segment
image_name() {
  local image
  image=$(gcloud run services describe "$1" --project "$PROJECT" --region "$REGION" \
    --format='value(spec.template.spec.containers[0].image)')
  sed -E 's#.*/##; s#[@:].*##' <<<"$image"
}

reads_env() {
  local names
  names=$(gcloud run services describe "$1" --project "$PROJECT" --region "$REGION" \
    --format='value(spec.template.spec.containers[0].env[].name)')
  tr ';' '\n' <<<"$names" | grep -qx "$2"
}

pinned() {
  # the pinned image for $1 from WORKSPACE_IMAGE_PIN, if any
  tr ',' '\n' <<<"${WORKSPACE_IMAGE_PIN:-}" | sed -n "s#^$1=##p"
}

workspace_image() {
  local name=$1 pin
  pin=$(pinned "$name")
  if [ -n "$pin" ]; then
    echo "$pin"
  elif [ -f "$DIGESTS/$name" ]; then
    cat "$DIGESTS/$name"
  fi
}

# The first release runs before terraform has made the services, the web bucket and the deployer's grant on it
# (docs/deploy.md, step 3): it builds the images and records their digests, and nothing else.
FIRST_RELEASE="$STATE/first-release"

candidates() {
  : "${REVISION_SUFFIX:?set REVISION_SUFFIX}" "${DIGESTS:?set DIGESTS}"
  local s image env list
  list=$(services)
  if [ -z "$list" ]; then
    log "no services yet: the first release only builds the images and records them (docs/deploy.md, step 3)"
    touch "$FIRST_RELEASE"
    return 0
  fi
  for s in $list; do
    image=$(image_name "$s")
    if [ ! -f "$DIGESTS/$image" ]; then
      log "$s runs $image, which this build did not make: left as it is"
      continue
    fi
    serving_revision "$s" > "$STATE/$s.previous"
    env=()
    # the services that start workspaces take the new workspace images (new starts only: a cohort rollout)
    if reads_env "$s" CODITECT_SIDECAR_IMAGE; then
      local sidecar theia
      sidecar=$(workspace_image sidecar)
      theia=$(workspace_image theia)
      [ -n "$sidecar" ] && env+=("CODITECT_SIDECAR_IMAGE=$sidecar")
      [ -n "$theia" ] && env+=("CODITECT_THEIA_IMAGE=$theia")
      [ -n "${CODI2_IMAGE:-}" ] && env+=("CODITECT_CODI2_IMAGE=$CODI2_IMAGE")
    fi
    log "$s: new revision $s-$REVISION_SUFFIX of $(cat "$DIGESTS/$image"), no traffic, tag candidate"
    gcloud run deploy "$s" --project "$PROJECT" --region "$REGION" --quiet \
      --image "$(cat "$DIGESTS/$image")" --revision-suffix "$REVISION_SUFFIX" --no-traffic --tag candidate \
      ${env:+--update-env-vars "$(IFS=,; echo "${env[*]}")"}
    echo "$s-$REVISION_SUFFIX" > "$STATE/$s.new"
  done
}

# PromQL over Cloud Monitoring's Cloud Run metrics; prints one number (NaN when the query matched no data).
# Fails (status 1) when the query itself fails: no answer, an HTTP error, or an answer that is not a result.
promql() {
  local token answer
  token=$(gcloud auth print-access-token) || return 1
  answer=$(curl -sf -H "Authorization: Bearer $token" \
    "https://monitoring.googleapis.com/v1/projects/$PROJECT/location/global/prometheus/api/v1/query" \
    --data-urlencode "query=$1") || return 1
  python3 -c '
import json, sys
a = json.loads(sys.argv[1])
if a.get("status") != "success":
    sys.exit("rollout: the metrics query failed: " + str(a.get("error", a)))
r = a["data"]["result"]
print(r[0]["value"][1] if r else "NaN")' "$answer" || return 1
}

revision_figures() {
  local service=$1 revision=$2 window=$3 sel
  sel="monitored_resource=\"cloud_run_revision\",service_name=\"$service\",revision_name=\"$revision\""
  local total errors p95
  total=$(promql "sum(increase(run_googleapis_com:request_count{$sel}[$window]))") || return 1
  errors=$(promql "sum(increase(run_googleapis_com:request_count{$sel,response_code_class=\"5xx\"}[$window]))") \
    || return 1
  p95=$(promql "histogram_quantile(0.95, sum by (le) (increase(run_googleapis_com:request_latencies_bucket{$sel}[$window])))") \
    || return 1
  echo "$total $errors $p95"
}

# Judges the new revision against the old one: status 0 when it is no worse beyond the allowances, 1 when it is
# worse, and 1 too when the figures cannot be had (a revision that cannot be judged is not promoted).
check() {
  local service=$1 new=$2 old=$3 window new_figures old_figures
  # the metrics' window: the step's wait, and at least a minute (Cloud Run's metrics are sampled each minute)
  window="$(( ${STEP_WAIT_SECONDS:-300} > 60 ? ${STEP_WAIT_SECONDS:-300} : 60 ))s"
  if ! new_figures=$(revision_figures "$service" "$new" "$window") \
      || ! old_figures=$(revision_figures "$service" "$old" "$window"); then
    log "$service: the metrics to judge $new by could not be read"
    return 1
  fi
  local new_total new_errors new_p95 old_total old_errors old_p95
  read -r new_total new_errors new_p95 <<<"$new_figures"
  read -r old_total old_errors old_p95 <<<"$old_figures"
  python3 - "$service" "$new_total" "$new_errors" "$new_p95" "$old_total" "$old_errors" "$old_p95" \
    "${MAX_ERROR_RATE_INCREASE:-0.005}" "${MAX_LATENCY_RATIO:-1.5}" "$MIN_REQUESTS" <<'PY'
import math, sys
service, nt, ne, np95, ot, oe, op95, max_inc, max_ratio, min_requests = sys.argv[1:]
f = lambda v: 0.0 if v in ("NaN", "") or math.isnan(float(v)) else float(v)
nt, ne, np95, ot, oe, op95 = map(f, (nt, ne, np95, ot, oe, op95))
if nt < float(min_requests):
    print(f"rollout: {service}: {nt:.0f} requests on the new revision, too few to judge; going on", file=sys.stderr)
    sys.exit(0)
new_rate, old_rate = ne / nt, (oe / ot if ot else 0.0)
print(f"rollout: {service}: errors {new_rate:.4f} new vs {old_rate:.4f} old; p95 {np95:.0f} ms new vs {op95:.0f} ms old",
      file=sys.stderr)
bad = new_rate > old_rate + float(max_inc)
# latency counts only when it is worse by the ratio and by at least 50 ms (small services are noisy)
bad |= op95 > 0 and np95 > op95 * float(max_ratio) and np95 - op95 > 50
sys.exit(1 if bad else 0)
PY
}

# Every service back; one that cannot be moved does not stop the others (status 1 when any could not be)
rollback() {
  local s previous suffix=${1:-} list failed=0
  list=$(services) || return 1
  for s in $list; do
    if [ -n "$suffix" ]; then
      previous="$s-$suffix"
    elif [ -f "$STATE/$s.previous" ]; then
      previous=$(cat "$STATE/$s.previous")
    else
      continue
    fi
    log "$s: 100 % back to $previous"
    gcloud run services update-traffic "$s" --project "$PROJECT" --region "$REGION" --quiet \
      --to-revisions "$previous=100" || failed=1
  done
  return "$failed"
}

# The ERR trap of "gradually": in a subshell (a command substitution) it only passes the failure on,
# so that the script itself rolls back, once.
fail_and_roll_back() {
  local status=$?
  if [ "$BASHPID" != "$$" ]; then
    exit "$status"
  fi
  trap - ERR
  log "the rollout failed (exit $status): rolling every service back"
  rollback || log "the rollback failed too: move the traffic by hand (docs/deploy.md, Rolling back by hand)"
  exit 1
}

gradually() {
  local step s new old last=${*: -1} list
  if ! ls "$STATE"/*.new > /dev/null 2>&1; then
    log "no candidate revisions (the first release, or nothing this build made runs in a service): nothing to roll out"
    return 0
  fi
  # whatever fails from here on (a check, gcloud, the network), no service is left with split traffic
  trap fail_and_roll_back ERR
  for step in "$@"; do
    list=$(services)
    for s in $list; do
      [ -f "$STATE/$s.new" ] || continue
      new=$(cat "$STATE/$s.new")
      old=$(cat "$STATE/$s.previous")
      log "$s: $step % to $new"
      if [ "$step" -ge 100 ]; then
        gcloud run services update-traffic "$s" --project "$PROJECT" --region "$REGION" --quiet \
          --to-revisions "$new=100"
      else
        gcloud run services update-traffic "$s" --project "$PROJECT" --region "$REGION" --quiet \
          --to-revisions "$new=$step,$old=$((100 - step))"
      fi
    done
    [ "$step" = "$last" ] && break
    log "waiting ${STEP_WAIT_SECONDS:-300} s at $step %"
    sleep "${STEP_WAIT_SECONDS:-300}"
    for s in $list; do
      [ -f "$STATE/$s.new" ] || continue
      if ! check "$s" "$(cat "$STATE/$s.new")" "$(cat "$STATE/$s.previous")"; then
        trap - ERR
        log "$s: the new revision is worse than the old one at $step %, or could not be judged: rolling every service back"
        rollback || log "the rollback failed too: move the traffic by hand (docs/deploy.md, Rolling back by hand)"
        exit 1
      fi
    done
  done
  trap - ERR
  log "released: every service at 100 % on its new revision"
}

smoke() {
  local url=${1:?smoke needs the candidate URL}
  if ! ls "$STATE"/*.new > /dev/null 2>&1; then
    log "no candidate revisions (the first release: terraform creates the services); nothing to smoke-test"
    return 0
  fi
  if ! bash "$(dirname "$0")/smoke.sh" "$url"; then
    log "the candidates failed the smoke tests: every service stays on (and is pinned to) its previous revision"
    rollback
    exit 1
  fi
}

record() {
  : "${DIGESTS:?set DIGESTS}" "${RELEASE:?set RELEASE}"
  python3 - "$DIGESTS" > "$STATE/release.auto.tfvars.json" <<'PY'
import json, os, sys
d = sys.argv[1]
names = {"functions": "functions_image", "knowledge": "knowledge_image", "sidecar": "sidecar_image", "theia": "theia_image"}
print(json.dumps({var: open(os.path.join(d, n)).read().strip() for n, var in names.items() if os.path.exists(os.path.join(d, n))}, indent=2))
PY
  gcloud storage cp "$STATE/release.auto.tfvars.json" "gs://$PROJECT-tfstate/releases/$RELEASE.auto.tfvars.json"
  gcloud storage cp "$STATE/release.auto.tfvars.json" "gs://$PROJECT-tfstate/releases/current.auto.tfvars.json"
}

web() {
  local dist=${1:?web needs the folder of the built web app}
  if [ -f "$FIRST_RELEASE" ]; then
    log "the first release: gs://$PROJECT-web comes with terraform's full apply (docs/deploy.md, step 7); the next release publishes the web app"
    return 0
  fi
  gcloud storage rsync --recursive --delete-unmatched-destination-objects "$dist" "gs://$PROJECT-web"
}

# Key rotation (docs/deploy.md): each service that reads CODITECT_SIGNING_KEYS or CODITECT_PUBLIC_KEYS gets a new
# revision of the image it serves now (not the service's template, which may be a rolled-back candidate's), and
# all its traffic; its instances start anew and read the secrets' latest versions.
restart_keys() {
  local s list revision image suffix
  suffix="k-$(date -u +%Y%m%d%H%M%S)"
  list=$(services)
  for s in $list; do
    reads_env "$s" CODITECT_SIGNING_KEYS || reads_env "$s" CODITECT_PUBLIC_KEYS || continue
    revision=$(serving_revision "$s")
    image=$(gcloud run revisions describe "$revision" --project "$PROJECT" --region "$REGION" \
      --format='value(spec.containers[0].image)')
    log "$s: new revision $s-$suffix of $image (serving: $revision), 100 %"
    gcloud run deploy "$s" --project "$PROJECT" --region "$REGION" --quiet \
      --image "$image" --revision-suffix "$suffix" --no-traffic
    gcloud run services update-traffic "$s" --project "$PROJECT" --region "$REGION" --quiet \
      --to-revisions "$s-$suffix=100"
  done
}

cmd=${1:-}
[ $# -gt 0 ] && shift
case "$cmd" in
  candidates) candidates ;;
  smoke) smoke "$@" ;;
  gradually) gradually "$@" ;;
  rollback) rollback "${1:-}" ;;
  record) record ;;
  web) web "$@" ;;
  restart-keys) restart_keys ;;
  *) sed -n '2,19p' "$0" >&2; exit 2 ;;
esac
