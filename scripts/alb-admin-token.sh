#!/usr/bin/env bash
# Writes the simulated ALB's admin token into .local/alb-admin-token unless one is there, readable
# by its owner only. compose.yaml hands that file to the ALB and the scheduler; registering or
# deregistering targets by hand needs it too:
#   curl -H "Authorization: Bearer $(cat .local/alb-admin-token)" ...
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
token_file="$root/.local/alb-admin-token"
if [ ! -s "$token_file" ]; then
  mkdir -p "$root/.local"
  (umask 077 && od -An -N32 -tx1 /dev/urandom | tr -d ' \n' >"$token_file")
fi
