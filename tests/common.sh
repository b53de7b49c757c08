# Sourced by the script-driven tests (tests/*.sh) after their usage line,
# with the script's own arguments IMTSIM SOURCE_DIR WORK_DIR: sets exe, src
# and work, makes WORK_DIR afresh and enters it, and lets Open MPI's mpirun
# run as root with more ranks than cores (CI containers: 2 cores, root).
# The tests' inline Python imports tests/check.py (PYTHONPATH).
set -euo pipefail
exe=$1
src=$2
work=$3
rm -rf "$work"
mkdir -p "$work"
cd "$work"
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
export OMPI_MCA_rmaps_base_oversubscribe=1
export PYTHONPATH="$src/tests${PYTHONPATH:+:$PYTHONPATH}"
