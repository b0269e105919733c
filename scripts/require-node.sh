#!/usr/bin/env bash
# Stops with one clear line when Node.js or npm is missing or too old.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
readonly MINIMUM=22
need_command node "install Node.js $MINIMUM or newer, 24 LTS recommended (.nvmrc; https://nodejs.org/)"
need_command npm "install npm (it ships with Node.js)"
major=$(node -p 'process.versions.node.split(".")[0]')
[ "$major" -ge "$MINIMUM" ] ||
  fail "Node.js $(node --version) is too old: this project needs Node.js $MINIMUM or newer (24 LTS, see .nvmrc): install it (e.g. 'nvm install'), or put the pinned one first on PATH with: export PATH=\"\$(scripts/provide-node.sh):\$PATH\""
