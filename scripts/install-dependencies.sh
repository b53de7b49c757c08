#!/usr/bin/env bash
# Installs the Debian 12 packages imtsim needs, if any is missing.
set -euo pipefail
packages=(libdeal.ii-dev numdiff cmake g++ make openmpi-bin perl)
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
