#!/usr/bin/env bash
# `make local-restart`: a new deployment of the api service, run by the scheduler as ECS runs
# one (new tasks up to the maximum percent, old ones drained and stopped while the minimum
# healthy percent stays healthy), without dropping a request.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
source "$root/scripts/lib.sh"
source "$root/scripts/compose-env.sh"

[ -n "$(compose ps -q api 2>/dev/null)" ] || fail "the local platform is not running: start it with 'make local-up'"
node "$root/localstack/dist/bin/rolling-restart.js" "http://${SCHEDULER_PUBLISH:-127.0.0.1:8082}"
