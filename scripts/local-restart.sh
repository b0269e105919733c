#!/usr/bin/env bash
# `make local-restart`: replaces the api tasks one at a time, as an ECS deployment does,
# without dropping a request (deregister, drain, stop, start, wait until healthy).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
source "$root/scripts/lib.sh"
source "$root/scripts/compose-env.sh"

[ -n "$(compose ps -q api 2>/dev/null)" ] || fail "the local platform is not running: start it with 'make local-up'"
node "$root/localstack/dist/bin/rolling-restart.js" "$COMPOSE_PROJECT" "http://${ALB_ADMIN_PUBLISH:-127.0.0.1:8081}"
