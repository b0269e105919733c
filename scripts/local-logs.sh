#!/usr/bin/env bash
# `make logs`: follows the logs of every service of the local platform.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
source "$root/scripts/lib.sh"
source "$root/scripts/compose-env.sh"
compose logs --follow --tail 100
