#!/usr/bin/env bash
# Builds the local API image (zama/api:local, which compose.yaml and the local profile run) with a
# plain docker build of api/Dockerfile, the same file `cdk deploy` builds as the dev and prod
# image asset:
#   1. api/scripts/bundle.mjs (npm run bundle -w api) bundles the service and its production
#      dependencies on the host into api/dist/image/, so no package manager runs in the build;
#   2. docker build --build-arg NODE_IMAGE=$NODE_IMAGE -f api/Dockerfile api/ (its .dockerignore
#      sends the bundle alone), labelled with a digest of everything the image is made of.
# An image whose label matches is left as it is: local-up does not bundle and build an unchanged
# tree again.
# Usage: api/scripts/build-image.sh [tag]   (default API_IMAGE, zama/api:local)
# Environment: NODE_IMAGE, the base image (default: versions.env's; `make images` records the
# registry-less one).
set -euo pipefail

api_dir=$(cd "$(dirname "$0")/.." && pwd)
root=$(cd "$api_dir/.." && pwd)

# shellcheck source=../../scripts/lib.sh
source "$root/scripts/lib.sh"
tag=${1:-${API_IMAGE:?}}
node_image=${NODE_IMAGE:?}

require_docker
need_command node "install Node.js 22 or newer, then npm ci at the repository root"
docker image inspect "$node_image" >/dev/null 2>&1 ||
  echo "note: base image $node_image is not on this machine; docker will try to pull it (make images builds a registry-less one)"

# Everything the image is made of: the base image, the lock file (the bundled dependencies), the
# api workspace's manifest, sources and TypeScript settings (esbuild reads them), the bundle
# script, the Dockerfile, its .dockerignore and this script.
inputs_digest() {
  {
    docker image inspect -f '{{.Id}}' "$node_image" 2>/dev/null || echo "$node_image"
    cd "$root" &&
      find package.json package-lock.json tsconfig.base.json api/package.json api/tsconfig.json \
        api/Dockerfile api/.dockerignore api/scripts/bundle.mjs api/scripts/build-image.sh api/src \
        -type f -print0 | sort -z | xargs -0 sha256sum
  } | sha256sum | cut -d' ' -f1
}
inputs=$(inputs_digest)
if [ "$(docker image inspect -f '{{index .Config.Labels "org.zama.build-inputs"}}' "$tag" 2>/dev/null)" = "$inputs" ]; then
  echo "==> $tag is up to date (nothing it is built from has changed)"
  exit 0
fi

# What the former staging build left behind (dependencies installed with npm ci) is unused now.
rm -rf "$root/.local/api-image"
echo "==> bundling api/src -> api/dist/image (esbuild, on the host)"
node "$api_dir/scripts/bundle.mjs"

echo "==> docker build -f api/Dockerfile api -> $tag (FROM $node_image)"
docker build --build-arg "NODE_IMAGE=$node_image" --label "org.zama.build-inputs=$inputs" \
  -f "$api_dir/Dockerfile" -t "$tag" "$api_dir"
size=$(docker image inspect -f '{{.Size}}' "$tag")
echo "==> $tag: $((size / 1000000)) MB"
