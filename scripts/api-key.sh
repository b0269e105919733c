#!/usr/bin/env bash
# `make api-key`: prints the demo API key from the running platform's emulator (the secrets
# stack's api-keys secret, read through Secrets Manager as the ECS agent reads it). Needs
# neither the AWS CLI nor credentials: it runs inside the monitor container.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
source "$root/scripts/lib.sh"
source "$root/scripts/compose-env.sh"

[ -n "$(compose ps -q monitor 2>/dev/null)" ] || fail "the local platform is not running: start it with 'make local-up'"
compose exec -T monitor node localstack/dist/bin/api-key.js
