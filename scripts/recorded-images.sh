#!/usr/bin/env bash
# Prints the image names `make images` recorded, as NAME=value lines, but for those set in the
# environment: the Makefile exports them to its recipes.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
recorded_image_names
