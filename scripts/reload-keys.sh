#!/usr/bin/env bash
# `make reload-keys`: applies API keys changed in the Secrets Manager secret to the running local
# platform, as a rotation on AWS does with a new ECS deployment and `deck gateway sync`: resolves
# the api tasks' secrets again, loads the new consumers into the gateway (when it runs), then
# replaces the api tasks one at a time so that they read the new keys.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
source "$root/scripts/lib.sh"
source "$root/scripts/compose-env.sh"

[ -n "$(compose ps -q api 2>/dev/null)" ] || fail "the local platform is not running: start it with 'make local-up'"
gateway_admin=()
if [ -n "$(compose --profile gateway ps -q gateway 2>/dev/null)" ]; then
  gateway_admin=(-e GATEWAY_ADMIN_URL=http://gateway:8001)
else
  say "no gateway running (compose profile 'gateway'): reloading the api tasks only"
fi
compose --profile gateway run --rm --no-deps -T "${gateway_admin[@]}" gateway-config \
  node localstack/dist/bin/reload-keys.js ||
  fail "the keys could not be reloaded (see above); the platform still uses the previous keys"
"$root/scripts/local-restart.sh"
