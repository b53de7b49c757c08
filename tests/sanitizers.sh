#!/bin/bash
# A Debug build (deal.II's debug library, with its assertions) of imtsim with
# AddressSanitizer and UndefinedBehaviorSanitizer on our code, run on a subset
# of the regression tests, 2D and 3D, serial and on 2 ranks: each must exit 0
# (its own verification checks included) with no sanitizer report and no
# deal.II assertion. Leak detection is off: Open MPI's own allocations at
# exit are not ours.
# Usage: sanitizers.sh SOURCE_DIR WORK_DIR
set -euo pipefail
src=$1
work=$2
mkdir -p "$work"
cd "$work"
cmake -S "$src" -B build -DCMAKE_BUILD_TYPE=Debug -DIMTSIM_SANITIZE=ON \
  >configure.log
cmake --build build --target imtsim-test-runner -j 2 >build.log 2>&1 ||
  { tail -50 build.log; exit 1; }
if grep -q "warning:" build.log; then
  grep -A3 "warning:" build.log | head -40
  echo "FAIL: warnings in the sanitizer build"
  exit 1
fi
export ASAN_OPTIONS=detect_leaks=0:abort_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
runner=$PWD/build/imtsim-test-runner
status=0
# run NAME RANKS [ARGS...]: tests/NAME.prm on RANKS ranks in run_NAME.RANKS
# (kept if ARGS has --restart, which continues the run before).
run() {
  local name=$1 ranks=$2
  shift 2
  if [[ " $* " != *" --restart "* ]]; then
    rm -rf "run_$name.$ranks" && mkdir "run_$name.$ranks"
  fi
  cd "run_$name.$ranks"
  local cmd=("$runner" "$src/tests/$name.prm" "$@")
  if [ "$ranks" -gt 1 ]; then cmd=(mpirun -np "$ranks" "${cmd[@]}"); fi
  if "${cmd[@]}" >stdout.txt 2>stderr.txt &&
    ! grep -qE "AddressSanitizer|runtime error|An error occurred" stderr.txt stdout.txt; then
    echo "PASS $name on $ranks rank(s) $*"
  else
    echo "FAIL $name on $ranks rank(s) $*"
    tail -40 stderr.txt
    status=1
  fi
  cd ..
}
# About 2.7 minutes of runs after a 5-minute build on 2 cores (measured
# alone). This build is -O0 with deal.II's debug library: a 3D Q2 assembly
# takes over 70 s, so the 3D case and the sharp-law slab (18 Picard steps)
# run with Q1 elements (5 minutes less than with Q2); the 2D cases keep Q2.
# The adaptive and sweep cases take 4 minutes and more each in this build
# and are left to the release tests.
run insulating_slab 1
run parallel_slab_150 1 --set "Solver/Polynomial degree=1"
run wire_radiation 1
run gmsh_notched 2 --set "Solver/Polynomial degree=1"
run critical_current_below 2
# A checkpoint (p4est save with attached fields, Boost archive, manifest)
# and a restart from it, on 2 ranks.
run wire_radiation_transient 2 --set "Time/End time=500" \
  --set "Checkpoint/Interval=4"
run wire_radiation_transient 2 --restart
exit $status
