#!/usr/bin/env bash
# `make alerts`: the alarm notifications the alerts topic delivered to the local inbox queue.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
source "$root/scripts/lib.sh"
source "$root/scripts/compose-env.sh"

[ -n "$(compose ps -q monitor 2>/dev/null)" ] || fail "the local platform is not running: start it with 'make local-up'"
compose exec -T -e NODE_NO_WARNINGS=1 monitor node localstack/dist/bin/alerts-inbox.js
