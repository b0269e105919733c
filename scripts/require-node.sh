#!/usr/bin/env bash
# Stops with one clear line when Node.js or npm is missing or too old.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
need_command node "install Node.js 20 or newer (https://nodejs.org/)"
need_command npm "install npm (it ships with Node.js)"
major=$(node -p 'process.versions.node.split(".")[0]')
[ "$major" -ge 20 ] || fail "Node.js $(node --version) is too old: install Node.js 20 or newer"
