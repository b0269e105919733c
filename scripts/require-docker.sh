#!/usr/bin/env bash
# Stops a make target with one clear line when Docker cannot be used.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
require_docker
