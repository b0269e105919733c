#!/usr/bin/env bash
# Stops a make target with one clear line when Docker cannot be used.
#   --compose-cli  also require `docker compose` (testcontainers drives that command)
set -euo pipefail
source "$(dirname "$0")/lib.sh"
require_docker
if [ "${1:-}" = --compose-cli ] && ! docker compose version >/dev/null 2>&1; then
  if command -v docker-compose >/dev/null 2>&1; then
    fail "the e2e suites drive 'docker compose' (v2) and this machine has only docker-compose v1: install Compose v2, or run scripts/install-compose-v1-plugin.sh to let 'docker compose' call v1"
  fi
  fail "Docker Compose is not installed: install the compose plugin (v2)"
fi
