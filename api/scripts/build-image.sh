#!/usr/bin/env bash
# Builds the API image without a registry and without running npm inside the build:
#   1. npm ci --omit=dev for the api workspace, from the repository's lock file, into
#      .local/api-image (a staging directory);
#   2. tsc compiles api/src to api/dist on the host;
#   3. docker build copies the staged dependencies and dist/ onto $NODE_IMAGE.
# Usage: api/scripts/build-image.sh [tag]   (default zama/api:local)
# Environment: NODE_IMAGE, the base image (default: versions.env's; `make images` records the
# registry-less one).
set -euo pipefail

api_dir=$(cd "$(dirname "$0")/.." && pwd)
root=$(cd "$api_dir/.." && pwd)
stage="$root/.local/api-image"

# shellcheck source=../../scripts/lib.sh
source "$root/scripts/lib.sh"
tag=${1:-${API_IMAGE:?}}
node_image=${NODE_IMAGE:?}

require_docker
need_command npm "install Node.js 22 or newer (npm ships with it)"
docker image inspect "$node_image" >/dev/null 2>&1 ||
  echo "note: base image $node_image is not on this machine; docker will try to pull it (make images builds a registry-less one)"

# Everything the image is made of: the base image, the lock file, the api workspace's manifest,
# sources and build settings, the Dockerfile and this script. The image carries the digest as a
# label, so an unchanged tree is not staged, compiled and built again on every local-up.
inputs_digest() {
  {
    docker image inspect -f '{{.Id}}' "$node_image" 2>/dev/null || echo "$node_image"
    cd "$root" &&
      find package.json package-lock.json tsconfig.base.json versions.env api/package.json api/tsconfig.build.json \
        api/Dockerfile api/scripts/build-image.sh api/src -type f -print0 | sort -z | xargs -0 sha256sum
  } | sha256sum | cut -d' ' -f1
}
inputs=$(inputs_digest)
if [ "$(docker image inspect -f '{{index .Config.Labels "org.zama.build-inputs"}}' "$tag" 2>/dev/null)" = "$inputs" ]; then
  echo "==> $tag is up to date (nothing it is built from has changed)"
  exit 0
fi

echo "==> staging production dependencies (npm ci --omit=dev -w api) in ${stage#"$root"/}"
rm -rf "$stage"
mkdir -p "$stage"
cp "$root/package.json" "$root/package-lock.json" "$stage/"
# npm ci checks the lock file against every workspace's manifest, so all of them come along;
# only the api workspace is installed.
for manifest in "$root"/*/package.json; do
  workspace=$(basename "$(dirname "$manifest")")
  [ "$workspace" = node_modules ] && continue
  mkdir -p "$stage/$workspace"
  cp "$manifest" "$stage/$workspace/package.json"
done
(cd "$stage" && npm ci --omit=dev --workspace api --ignore-scripts --no-audit --no-fund --loglevel=error)
# The workspace's own link (node_modules/@zama/api -> ../../api) means nothing in the image.
rm -f "$stage/node_modules/@zama/api"
mkdir -p "$stage/api/node_modules"

echo "==> compiling api/src -> api/dist"
rm -rf "$api_dir/dist"
(cd "$root" && npm run build --workspace api --silent)
mkdir -p "$stage/api/dist"
(cd "$api_dir/dist" && find . -name '*.js' -exec cp --parents {} "$stage/api/dist/" \;)
cp "$api_dir/Dockerfile" "$stage/Dockerfile"

echo "==> docker build -> $tag (FROM $node_image)"
docker build --build-arg "NODE_IMAGE=$node_image" --label "org.zama.build-inputs=$inputs" -t "$tag" "$stage"
size=$(docker image inspect -f '{{.Size}}' "$tag")
echo "==> $tag: $((size / 1000000)) MB"
