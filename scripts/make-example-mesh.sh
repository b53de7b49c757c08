#!/usr/bin/env bash
# Regenerates the example Gmsh mesh prm/meshes/notched_sample.msh from its
# .geo script with Debian's gmsh (apt-get install gmsh). Usage:
#   scripts/make-example-mesh.sh [output.msh]
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-prm/meshes/notched_sample.msh}"
gmsh -3 -format msh22 -o "$out" prm/meshes/notched_sample.geo > /dev/null
echo "wrote $out"
