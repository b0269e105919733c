#!/usr/bin/env bash
# Makes `docker compose` work on a machine that has only Compose v1 (`docker-compose`, as in
# Debian 12): installs a Docker CLI plugin that hands every `docker compose` call to v1.
# testcontainers drives `docker compose`, so the e2e suites need this where v2 is missing.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

if docker compose version >/dev/null 2>&1; then
  say "docker compose already works: $(docker compose version)"
  exit 0
fi
need_command docker-compose "install Compose v2 (the docker-compose-plugin package) or v1 (docker-compose)"
plugin_dir=${DOCKER_CONFIG:-$HOME/.docker}/cli-plugins
mkdir -p "$plugin_dir"
cat >"$plugin_dir/docker-compose" <<'PLUGIN'
#!/bin/sh
# Docker CLI plugin: `docker compose ARGS` -> `docker-compose ARGS` (Compose v1).
if [ "$1" = docker-cli-plugin-metadata ]; then
  echo '{"SchemaVersion":"0.1.0","Vendor":"zama-api-platform","Version":"v1-shim","ShortDescription":"Docker Compose v1 behind docker compose"}'
  exit 0
fi
shift
exec docker-compose "$@"
PLUGIN
chmod +x "$plugin_dir/docker-compose"
say "installed $plugin_dir/docker-compose: docker compose now runs $(docker-compose version --short)"
