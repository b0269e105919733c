# Sourced by the local-* scripts: the compose command, the image names and the emulator.
# shellcheck shell=bash

: "${root:?compose-env.sh is sourced by scripts that set root}"
readonly COMPOSE_PROJECT=zama-api-platform
require_docker
read -r -a compose_cmd <<<"$(compose_command)"
compose() { "${compose_cmd[@]}" -p "$COMPOSE_PROJECT" -f "$root/compose.yaml" "$@"; }

# Image names recorded by `make images` win over versions.env's public defaults (lib.sh).
load_image_names() {
  local line name
  if [ -f "$root/.local/images.env" ]; then
    while IFS= read -r line; do
      [[ $line =~ ^([A-Z_]+)=(.*)$ ]] || continue
      name=${BASH_REMATCH[1]}
      user_chose "$name" || export "$name=${BASH_REMATCH[2]}"
    done <"$root/.local/images.env"
  fi
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
