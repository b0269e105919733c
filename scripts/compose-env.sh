# Sourced by the local-* scripts: the compose command, the image names and the emulator.
# shellcheck shell=bash

: "${root:?compose-env.sh is sourced by scripts that set root}"
readonly COMPOSE_PROJECT=zama-api-platform
require_docker
read -r -a compose_cmd <<<"$(compose_command)"
compose() { "${compose_cmd[@]}" -p "$COMPOSE_PROJECT" -f "$root/compose.yaml" "$@"; }

load_image_names() {
  local name value
  while IFS='=' read -r name value; do export "$name=$value"; done < <(recorded_image_names)
}

select_emulator() {
  local assignments
  assignments=$(node "$root/localstack/dist/bin/emulator-env.js") || exit 1
  eval "$assignments"
  export AWS_EMULATOR EMULATOR_IMAGE EMULATOR_PORT EMULATOR_HEALTH_PATH
}

load_image_names
export NODE_IMAGE API_IMAGE KONG_IMAGE
select_emulator
# compose.yaml hands this file to the ALB and the scheduler; compose refuses to start without it.
"$root/scripts/alb-admin-token.sh"
