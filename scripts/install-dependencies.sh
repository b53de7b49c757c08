#!/usr/bin/env bash
# Installs the Debian 12 packages imtsim needs, if any is missing: the
# build and test tools, gmsh (the example mesh), ParaView with xvfb and
# Mesa (scripts/render.py and its test, headless).
set -euo pipefail
packages=(libdeal.ii-dev numdiff cmake g++ make openmpi-bin perl
  gmsh paraview python3-paraview xvfb xauth libgl1-mesa-dri libglx-mesa0
  python3-matplotlib procps)
missing=()
for p in "${packages[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
echo "Installing: ${missing[*]}"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
$SUDO apt-get update -q
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q \
  --no-install-recommends "${missing[@]}"
