#!/usr/bin/env bash
# `make local-down`: removes the local platform's containers, networks and volumes.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
source "$root/scripts/lib.sh"
source "$root/scripts/compose-env.sh"
compose down --volumes --remove-orphans
