#!/usr/bin/env bash
# `make local-up`: the whole platform on this machine with Docker Compose. Idempotent: run it
# again to apply changes. Each wait has its own time budget, started when that wait starts:
#   LOCAL_UP_IMAGES_TIMEOUT    pulling or building the images        (default 2400 s)
#   LOCAL_UP_EMULATOR_TIMEOUT  the AWS emulator answering            (default 180 s)
#   LOCAL_UP_DEPLOY_TIMEOUT    the CDK deploy into the emulator      (default 300 s)
#   LOCAL_UP_TARGETS_TIMEOUT   every api task healthy behind the ALB (default 120 s)
#   LOCAL_UP_MONITOR_TIMEOUT   the monitor's first alarm round       (default 60 s)
# On failure it says which part failed. A platform it started is removed; one that was running
# before the command is left running.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
source scripts/lib.sh
source scripts/compose-env.sh

budget() { # variable, default
  local value=${!1:-$2}
  [[ $value =~ ^[1-9][0-9]*$ ]] || fail "$1=$value is not a number of seconds: set it to a whole number above 0"
  echo "$value"
}
images_budget=$(budget LOCAL_UP_IMAGES_TIMEOUT 2400)
emulator_budget=$(budget LOCAL_UP_EMULATOR_TIMEOUT 180)
deploy_budget=$(budget LOCAL_UP_DEPLOY_TIMEOUT 300)
targets_budget=$(budget LOCAL_UP_TARGETS_TIMEOUT 120)
monitor_budget=$(budget LOCAL_UP_MONITOR_TIMEOUT 60)
readonly PROGRESS_EVERY=15
started=$(date +%s)
mkdir -p .local

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

platform_running() { [ -n "$(compose ps -q 2>/dev/null)" ]; }

check_ports() {
  local spec port
  for spec in "EMULATOR_PUBLISH:${EMULATOR_PUBLISH:-127.0.0.1:4566}" "ALB_PUBLISH:${ALB_PUBLISH:-127.0.0.1:8080}" \
    "ALB_ADMIN_PUBLISH:${ALB_ADMIN_PUBLISH:-127.0.0.1:8081}" "SCHEDULER_PUBLISH:${SCHEDULER_PUBLISH:-127.0.0.1:8082}" \
    "CONSOLE_PUBLISH:${CONSOLE_PUBLISH:-127.0.0.1:8083}"; do
    port=${spec##*:}
    if port_in_use "$port"; then
      fail "port $port is in use by another program: stop it, or publish elsewhere with ${spec%%:*}=127.0.0.1:<port>"
    fi
  done
}

# Runs a long step in the background with its output in a log, printing every PROGRESS_EVERY
# seconds what it is doing (its last '==>' line) and for how long, and stopping it at its budget.
#   with_budget "label" seconds BUDGET_VARIABLE log command...
with_budget() {
  local label=$1 seconds=$2 variable=$3 log=$4 pid step_start now last_report status=0 doing
  shift 4
  step_start=$(date +%s)
  last_report=$step_start
  setsid -w "$@" >"$log" 2>&1 &
  pid=$!
  while kill -0 "$pid" 2>/dev/null; do
    sleep 1
    now=$(date +%s)
    if ((now - step_start >= seconds)); then
      kill -- "-$pid" 2>/dev/null || true
      wait "$pid" 2>/dev/null || true
      tail -n 10 "$log" >&2
      fail "$label did not finish within its budget of ${seconds}s ($variable; log: ${log#"$root"/}): raise $variable, or fix what the log shows"
    fi
    if ((now - last_report >= PROGRESS_EVERY)); then
      doing=$(grep -E '^==> ' "$log" | tail -n 1 | cut -c5-)
      printf '    ... %s%s (%ss so far)\n' "$label" "${doing:+: $doing}" "$((now - step_start))"
      last_report=$now
    fi
  done
  wait "$pid" || status=$?
  return "$status"
}

# An image on this machine, else pulled.
image_available() {
  docker image inspect "$1" >/dev/null 2>&1 && return
  say "pulling $1"
  with_budget "pulling $1" "$images_budget" LOCAL_UP_IMAGES_TIMEOUT .local/pull.log docker pull "$1"
}

build_registry_less_images() {
  say "images cannot be pulled here (no registry?): building the registry-less set (a first build takes minutes)"
  [ "$(id -u)" -eq 0 ] || fail "images cannot be pulled and building them needs root: run 'sudo make images', then 'make local-up'"
  with_budget "building the images" "$images_budget" LOCAL_UP_IMAGES_TIMEOUT .local/images.log scripts/build-images.sh ||
    { tail -n 10 .local/images.log >&2; fail "the images could not be built (log: .local/images.log)"; }
  grep -E '^(==> notice|    zama)' .local/images.log || true
  load_image_names
  select_emulator
}

# The gateway profile needs Kong's image, which no registry-less build can make: say so before
# anything of the platform is touched.
check_gateway_image() {
  [[ ",${COMPOSE_PROFILES:-}," == *,gateway,* ]] || return 0
  image_available "$KONG_IMAGE" ||
    fail "the gateway profile needs Kong's image KONG_IMAGE=$KONG_IMAGE, which is neither on this machine nor pullable: load it (docker load), set KONG_IMAGE to a Kong Gateway 3.x image you have, or run without COMPOSE_PROFILES=gateway"
}

ensure_images() {
  image_available "$NODE_IMAGE" || build_registry_less_images
  if ! image_available "$EMULATOR_IMAGE"; then
    if [ "$AWS_EMULATOR" = localstack ] && ! user_chose AWS_EMULATOR; then
      say "notice: LocalStack's image $EMULATOR_IMAGE cannot be had here; using moto (set AWS_EMULATOR to choose)"
      export AWS_EMULATOR=moto
      select_emulator
    fi
    image_available "$EMULATOR_IMAGE" || build_registry_less_images
    docker image inspect "$EMULATOR_IMAGE" >/dev/null 2>&1 ||
      fail "no image for the $AWS_EMULATOR emulator ($EMULATOR_IMAGE): pull it where a registry is reachable, or use AWS_EMULATOR=moto"
  fi
  say "building the api image ($API_IMAGE)"
  with_budget "building the api image" "$images_budget" LOCAL_UP_IMAGES_TIMEOUT .local/api-image.log \
    api/scripts/build-image.sh "$API_IMAGE" ||
    { tail -n 20 .local/api-image.log >&2; fail "the api image did not build (log: .local/api-image.log)"; }
}

tear_down_and_fail() { # service, message
  [ -z "${up_pid:-}" ] || kill -- "-$up_pid" 2>/dev/null || true
  printf '\n--- last lines of %s ---\n' "$1" >&2
  compose logs --no-color --tail 30 "$1" >&2 || true
  if [ -n "$was_running" ]; then
    fail "$2 (the platform that was running before is left as it is: 'make local-status' shows it, 'make local-down' removes it)"
  fi
  compose down --volumes --remove-orphans >/dev/null 2>&1 || true
  fail "$2 (the platform was removed; fix and run 'make local-up' again)"
}

container_of() { compose ps -a -q "$1" 2>/dev/null | head -n1; }
state_of() { docker inspect -f "{{$2}}" "$1" 2>/dev/null || true; } # container, template field

over_budget() { (($(date +%s) - $1 >= $2)); } # since, seconds

# compose up waits for the emulator's health check and the one-shot deploy before it starts the
# tasks and the ALB; it runs in the background so that each of those waits has its own budget.
start_platform() {
  local since id health code
  say "starting the platform (emulator: $AWS_EMULATOR, $EMULATOR_IMAGE)"
  setsid -w "${compose_cmd[@]}" -p "$COMPOSE_PROJECT" -f "$root/compose.yaml" up -d --remove-orphans \
    >.local/compose-up.log 2>&1 &
  up_pid=$!
  since=$(date +%s)
  while :; do
    id=$(container_of emulator)
    health=
    [ -n "$id" ] && health=$(state_of "$id" .State.Health.Status)
    [ "$health" = healthy ] && break
    if [ -n "$id" ] && [ "$(state_of "$id" .State.Status)" = exited ]; then
      tear_down_and_fail emulator "the $AWS_EMULATOR emulator ($EMULATOR_IMAGE) stopped while starting"
    fi
    if ! kill -0 "$up_pid" 2>/dev/null; then
      wait "$up_pid" || { tail -n 20 .local/compose-up.log >&2; tear_down_and_fail emulator "docker compose could not start the platform (log: .local/compose-up.log)"; }
      break
    fi
    over_budget "$since" "$emulator_budget" &&
      tear_down_and_fail emulator "the $AWS_EMULATOR emulator ($EMULATOR_IMAGE) did not answer within ${emulator_budget}s (LOCAL_UP_EMULATOR_TIMEOUT)"
    sleep 1
  done
  say "the $AWS_EMULATOR emulator answers ($(($(date +%s) - since))s); deploying the CDK stacks"
  since=$(date +%s)
  while kill -0 "$up_pid" 2>/dev/null; do
    id=$(container_of deploy)
    if [ -n "$id" ] && [ "$(state_of "$id" .State.Status)" = exited ]; then
      code=$(state_of "$id" .State.ExitCode)
      [ "$code" = 0 ] || tear_down_and_fail deploy "the CDK deploy into the $AWS_EMULATOR emulator failed (exit $code)"
    fi
    over_budget "$since" "$deploy_budget" &&
      tear_down_and_fail deploy "the CDK deploy did not finish within ${deploy_budget}s (LOCAL_UP_DEPLOY_TIMEOUT)"
    sleep 1
  done
  if ! wait "$up_pid"; then
    tail -n 20 .local/compose-up.log >&2
    id=$(container_of deploy)
    [ -n "$id" ] && [ "$(state_of "$id" .State.ExitCode)" != 0 ] &&
      tear_down_and_fail deploy "the CDK deploy into the $AWS_EMULATOR emulator failed"
    tear_down_and_fail emulator "docker compose could not start the platform (log: .local/compose-up.log)"
  fi
  say "CDK stacks deployed ($(($(date +%s) - since))s); waiting for the api targets to pass the ALB's health checks"
}

admin_url() { echo "http://${ALB_ADMIN_PUBLISH:-127.0.0.1:8081}"; }

wait_for_healthy_targets() {
  local since replicas healthy
  since=$(date +%s)
  replicas=$(compose ps -q api | wc -l)
  while :; do
    healthy=$(node localstack/dist/bin/target-health.js --count-healthy "$(admin_url)" 2>/dev/null || echo 0)
    [ "$healthy" -ge "$replicas" ] && [ "$replicas" -gt 0 ] && return
    over_budget "$since" "$targets_budget" &&
      tear_down_and_fail alb "only $healthy of $replicas api targets became healthy within ${targets_budget}s (LOCAL_UP_TARGETS_TIMEOUT)"
    sleep 1
  done
}

wait_for_monitor() {
  local since id
  since=$(date +%s)
  while :; do
    id=$(container_of monitor)
    [ -n "$id" ] && [ "$(state_of "$id" .State.Health.Status)" = healthy ] && return
    if [ -n "$id" ] && [ "$(state_of "$id" .State.Status)" = exited ]; then
      tear_down_and_fail monitor "the monitor (metrics, logs, alarms) stopped while starting"
    fi
    over_budget "$since" "$monitor_budget" &&
      tear_down_and_fail monitor "the monitor (metrics, logs, alarms) did not evaluate alarms within ${monitor_budget}s (LOCAL_UP_MONITOR_TIMEOUT)"
    sleep 1
  done
}

was_running=
if platform_running; then was_running=1; else check_ports; fi
check_gateway_image
ensure_images
start_platform
wait_for_healthy_targets
wait_for_monitor
say "platform healthy in $(($(date +%s) - started))s"
scripts/local-status.sh
cat <<HINT
Call the API with the demo key from the emulator's Secrets Manager ('make api-key' prints it):

  curl -s -X POST http://${ALB_PUBLISH:-127.0.0.1:8080}/api/v1/sum -H "X-API-Key: \$(make -s api-key)" \\
    -H 'Content-Type: application/json' -d '{"numbers":[1.5,2.5,3]}'

HINT
