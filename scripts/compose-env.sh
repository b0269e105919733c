# Sourced by the local-* scripts: the compose command, the image names and the emulator.
# shellcheck shell=bash

readonly COMPOSE_PROJECT=zama-api-platform
readonly IMAGE_VARIABLES=(NODE_IMAGE PYTHON_IMAGE MOTO_IMAGE LOCALSTACK_IMAGE API_IMAGE)
require_docker
read -r -a compose_cmd <<<"$(compose_command)"
compose() { "${compose_cmd[@]}" -p "$COMPOSE_PROJECT" -f "$root/compose.yaml" "$@"; }

# What the user chose explicitly wins over recorded names and defaults.
user_choices=" "
for variable in AWS_EMULATOR "${IMAGE_VARIABLES[@]}"; do
  [ -n "${!variable:-}" ] && user_choices+="$variable "
done
user_chose() { [[ $user_choices == *" $1 "* ]]; }

# Image names recorded by `make images`, then the public defaults.
load_image_names() {
  local line name
  if [ -f "$root/.local/images.env" ]; then
    while IFS= read -r line; do
      [[ $line =~ ^([A-Z_]+)=(.*)$ ]] || continue
      name=${BASH_REMATCH[1]}
      user_chose "$name" || export "$name=${BASH_REMATCH[2]}"
    done <"$root/.local/images.env"
  fi
  export NODE_IMAGE=${NODE_IMAGE:-node:20-bookworm-slim}
  export API_IMAGE=${API_IMAGE:-zama/api:local}
}

select_emulator() {
  local assignments
  assignments=$(node "$root/localstack/dist/emulator-env.js") || exit 1
  eval "$assignments"
  export AWS_EMULATOR EMULATOR_IMAGE EMULATOR_PORT EMULATOR_HEALTH_PATH
}

load_image_names
select_emulator
