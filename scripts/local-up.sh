#!/usr/bin/env bash
# `make local-up`: the whole platform on this machine with Docker Compose. Idempotent: run it
# again to apply changes. On failure it says which part failed and removes what it started.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
source scripts/lib.sh
source scripts/compose-env.sh

readonly WAIT_SECONDS=${LOCAL_UP_TIMEOUT:-180}
started=$(date +%s)

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

check_ports() {
  # Our own platform already running holds these ports: that is the idempotent case.
  [ -n "$(compose ps -q alb 2>/dev/null)" ] && return
  local spec port
  for spec in "EMULATOR_PUBLISH:${EMULATOR_PUBLISH:-127.0.0.1:4566}" "ALB_PUBLISH:${ALB_PUBLISH:-127.0.0.1:8080}" \
    "ALB_ADMIN_PUBLISH:${ALB_ADMIN_PUBLISH:-127.0.0.1:8081}"; do
    port=${spec##*:}
    if port_in_use "$port"; then
      fail "port $port is in use by another program: stop it, or publish elsewhere with ${spec%%:*}=127.0.0.1:<port>"
    fi
  done
}

image_available() {
  docker image inspect "$1" >/dev/null 2>&1 && return
  say "pulling $1"
  docker pull "$1" >/dev/null 2>&1
}

build_registry_less_images() {
  say "images cannot be pulled here (no registry?): building the registry-less set"
  [ "$(id -u)" -eq 0 ] || fail "images cannot be pulled and building them needs root: run 'sudo make images', then 'make local-up'"
  scripts/build-images.sh
  load_image_names
  select_emulator
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
  NODE_IMAGE=$NODE_IMAGE api/scripts/build-image.sh "$API_IMAGE" >.local/api-image.log 2>&1 ||
    { tail -n 20 .local/api-image.log >&2; fail "the api image did not build (log: .local/api-image.log)"; }
}

tear_down_and_fail() { # service, message
  printf '\n--- last lines of %s ---\n' "$1" >&2
  compose logs --no-color --tail 30 "$1" >&2 || true
  compose down --volumes --remove-orphans >/dev/null 2>&1 || true
  fail "$2 (the platform was removed; fix and run 'make local-up' again)"
}

container_of() { compose ps -a -q "$1" 2>/dev/null | head -n1; }

wait_for_deploy() {
  local id state code emulator_id
  while :; do
    id=$(container_of deploy)
    if [ -z "$id" ] && [ -n "${compose_failed:-}" ]; then
      tear_down_and_fail emulator "the $AWS_EMULATOR emulator ($EMULATOR_IMAGE) did not become healthy"
    fi
    if [ -n "$id" ]; then
      state=$(docker inspect -f '{{.State.Status}}' "$id")
      if [ "$state" = exited ]; then
        code=$(docker inspect -f '{{.State.ExitCode}}' "$id")
        [ "$code" = 0 ] && return
        tear_down_and_fail deploy "the CDK deploy into the $AWS_EMULATOR emulator failed (exit $code)"
      fi
    fi
    emulator_id=$(container_of emulator)
    if [ -n "$emulator_id" ] && [ "$(docker inspect -f '{{.State.Status}}' "$emulator_id")" = exited ]; then
      tear_down_and_fail emulator "the $AWS_EMULATOR emulator ($EMULATOR_IMAGE) stopped while starting"
    fi
    (($(date +%s) - started < WAIT_SECONDS)) || tear_down_and_fail deploy "the deploy did not finish within ${WAIT_SECONDS}s"
    sleep 1
  done
}

admin_url() { echo "http://${ALB_ADMIN_PUBLISH:-127.0.0.1:8081}"; }

wait_for_healthy_targets() {
  local replicas healthy
  replicas=$(compose ps -q api | wc -l)
  while :; do
    healthy=$(node localstack/dist/target-health.js --count-healthy "$(admin_url)" 2>/dev/null || echo 0)
    [ "$healthy" -ge "$replicas" ] && [ "$replicas" -gt 0 ] && return
    (($(date +%s) - started < WAIT_SECONDS)) ||
      tear_down_and_fail alb "only $healthy of $replicas api targets became healthy within ${WAIT_SECONDS}s"
    sleep 1
  done
}

wait_for_monitor() {
  local id
  while :; do
    id=$(container_of monitor)
    [ -n "$id" ] && [ "$(docker inspect -f '{{.State.Health.Status}}' "$id")" = healthy ] && return
    if [ -n "$id" ] && [ "$(docker inspect -f '{{.State.Status}}' "$id")" = exited ]; then
      tear_down_and_fail monitor "the monitor (metrics, logs, alarms) stopped while starting"
    fi
    (($(date +%s) - started < WAIT_SECONDS)) ||
      tear_down_and_fail monitor "the monitor (metrics, logs, alarms) did not evaluate alarms within ${WAIT_SECONDS}s"
    sleep 1
  done
}

check_ports
ensure_images
say "starting the platform (emulator: $AWS_EMULATOR, $EMULATOR_IMAGE)"
# compose waits for the one-shot deploy before it starts the tasks and the ALB, so a failed
# deploy or emulator shows up here; wait_for_deploy names which.
compose up -d --remove-orphans >.local/compose-up.log 2>&1 || compose_failed=1
wait_for_deploy
if [ -n "${compose_failed:-}" ]; then
  tail -n 20 .local/compose-up.log >&2
  compose down --volumes --remove-orphans >/dev/null 2>&1 || true
  fail "docker compose could not start the platform (log: .local/compose-up.log)"
fi
say "CDK stacks deployed; waiting for the api targets to pass the ALB's health checks"
wait_for_healthy_targets
wait_for_monitor
say "platform healthy in $(($(date +%s) - started))s"
scripts/local-status.sh
