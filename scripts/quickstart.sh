#!/usr/bin/env bash
# Installs what is missing, builds, and runs the default simulation.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-dependencies.sh
scripts/build.sh
build/imtsim prm/default.prm
