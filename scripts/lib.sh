# shellcheck shell=bash
# Shared helpers for the scripts behind the Makefile. Every failure is one line
# on stderr that says what is wrong and what to do, never a stack trace.

# What the user set in the environment wins over recorded image names and versions.env.
user_choices=" "
for variable in AWS_EMULATOR NODE_IMAGE PYTHON_IMAGE MOTO_IMAGE LOCALSTACK_IMAGE API_IMAGE KONG_IMAGE; do
  [ -n "${!variable:-}" ] && user_choices+="$variable "
done
user_chose() { [[ $user_choices == *" $1 "* ]]; }

# The pinned versions and public image names, where the environment does not set them.
load_versions() { # file
  local line
  while IFS= read -r line; do
    [[ $line =~ ^([A-Z_0-9]+)=(.*)$ ]] || continue
    # Not exported: a script that sources this file must not pass them on as if the user had
    # set them (compose-env.sh exports what compose needs).
    [ -n "${!BASH_REMATCH[1]:-}" ] || printf -v "${BASH_REMATCH[1]}" '%s' "${BASH_REMATCH[2]}"
  done <"$1"
}
load_versions "$(dirname "${BASH_SOURCE[0]}")/../versions.env"

# The image names `make images` recorded for registry-less builds, as NAME=value lines, but for
# those the user set: they win over versions.env's public defaults. The one reader of the file,
# for compose-env.sh and (through scripts/recorded-images.sh) the Makefile.
recorded_image_names() {
  local file line
  file="$(dirname "${BASH_SOURCE[0]}")/../.local/images.env"
  [ -f "$file" ] || return 0
  while IFS= read -r line; do
    [[ $line =~ ^([A-Z_]+)=(.*)$ ]] || continue
    user_chose "${BASH_REMATCH[1]}" || printf '%s=%s\n' "${BASH_REMATCH[1]}" "${BASH_REMATCH[2]}"
  done <"$file"
}

say() { printf '==> %s\n' "$*"; }

fail() {
  printf 'error: %s\n' "$*" >&2
  exit 1
}

need_command() { # command, how to get it
  command -v "$1" >/dev/null 2>&1 || fail "$1 is not installed: $2"
}

require_docker() {
  need_command docker "install Docker (https://docs.docker.com/engine/install/) or, on Debian, 'apt-get install -y docker.io'"
  local err
  err=$(docker info --format '{{.ServerVersion}}' 2>&1 >/dev/null) ||
    case "$err" in
    *permission\ denied*) fail "Docker is running but this user may not use it: add yourself to the 'docker' group or use sudo" ;;
    *) fail "Docker is installed but its engine is not running: start it (e.g. 'sudo systemctl start docker' or 'sudo dockerd &')" ;;
    esac
}

# The compose command the user has: v2 plugin first, v1 binary second.
compose_command() {
  if docker compose version >/dev/null 2>&1; then
    echo "docker compose"
  elif command -v docker-compose >/dev/null 2>&1; then
    echo "docker-compose"
  else
    fail "Docker Compose is not installed: install the compose plugin (v2) or docker-compose (v1)"
  fi
}

# Runs a command and prints how long it took: timed "label" command args...
timed() {
  local label=$1 start status=0
  shift
  start=$(date +%s)
  "$@" || status=$?
  printf '    [%s: %ss]\n' "$label" "$(($(date +%s) - start))"
  return "$status"
}
