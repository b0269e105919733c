#!/usr/bin/env bash
# `make local-status`: the platform's containers, endpoints and the ALB's target health.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
source scripts/lib.sh
source scripts/compose-env.sh

[ -n "$(compose ps -q 2>/dev/null)" ] || fail "the local platform is not running: start it with 'make local-up'"
compose ps
alb=${ALB_PUBLISH:-127.0.0.1:8080}
cat <<TABLE

  endpoint              url
  console (dashboard)   http://${CONSOLE_PUBLISH:-127.0.0.1:8083}/
  API through the ALB   http://$alb/
  health                http://$alb/healthz
  ALB target health     http://${ALB_ADMIN_PUBLISH:-127.0.0.1:8081}/targets
  ECS service           http://${SCHEDULER_PUBLISH:-127.0.0.1:8082}/services
  scaling activities    http://${SCHEDULER_PUBLISH:-127.0.0.1:8082}/scaling-activities
  AWS emulator          http://${EMULATOR_PUBLISH:-127.0.0.1:4566} ($AWS_EMULATOR)

TABLE
# The monitor says when the emulator has forgotten the platform (a restart without its state).
monitor=$(compose ps -q monitor 2>/dev/null | head -n1)
if [ -n "$monitor" ]; then
  lost=$(docker logs --tail 500 "$monitor" 2>&1 | grep -F '"event":"platform-lost"' | tail -n1 || true)
  if [ -n "$lost" ] && [ "$(docker inspect -f '{{.State.Health.Status}}' "$monitor" 2>/dev/null)" != healthy ]; then
    printf '  monitor: %s\n\n' "$(node -e 'console.log(JSON.parse(process.argv[1]).message)' "$lost")"
  fi
  # What waits for the emulator, and what was dropped (the monitor rewrites it every second).
  docker exec "$monitor" cat /tmp/monitor-status.json 2>/dev/null | node localstack/dist/bin/monitor-status.js || true
  echo
fi
node localstack/dist/bin/target-health.js "http://${ALB_ADMIN_PUBLISH:-127.0.0.1:8081}"
echo
node localstack/dist/bin/service-status.js "http://${SCHEDULER_PUBLISH:-127.0.0.1:8082}"
