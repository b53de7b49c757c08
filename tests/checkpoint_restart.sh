#!/bin/bash
# Checkpoint and restart: a run stopped by SIGTERM writes a checkpoint and
# exits with 143; resumed with --restart it ends with the summary.json of
# the uninterrupted run, to solver tolerance (numdiff, relative 1e-6,
# absolute 1e-9; the wall times and Picard step counts are left out). The signal is sent when the
# log shows a given line, so where exactly the run stops varies from one
# machine to the next: mid-iteration (the checkpoint holds the last
# iterate) or between steps. Cases:
#  1. time-dependent with mesh adaptation (transient_slab_adaptive.prm),
#     serial;
#  2. the same on 2 ranks, resumed on 2 ranks and on 1 rank;
#  3. refinement cycles (parallel_slab_150_cycles.prm, 4 cycles), stopped
#     in cycle 2; steady interface adaptation
#     (parallel_slab_150_adaptive.prm), stopped inside its adaptive stage;
#  4. a natural sweep with hysteresis (sweep_slab_hysteresis.prm, 4
#     values up and back), stopped on the way back, where the states
#     depend on the phase memory that must survive the restart; and a
#     pseudo-arclength sweep through the fold at the critical current
#     (sweep_arclength.prm, ended at 11.2 mA after 26 points), stopped at
#     step 12;
#  5. damaged checkpoints (a flipped byte, a truncated file, no manifest,
#     an earlier format)
#     are refused with exit code 2 and a message naming the file and the
#     intact previous checkpoint, from which the run then resumes and ends
#     like the uninterrupted one; a checkpoint of another kind of run is
#     refused too;
#  6. the comparison can fail: a summary with one value changed by 1e-5
#     is told apart.
# Usage: checkpoint_restart.sh IMTSIM SOURCE_DIR WORK_DIR
source "$(dirname "$0")/common.sh"
status=0
fail() {
  echo "FAIL: $*"
  status=1
}

# run_stopped NAME LINE CMD...: run CMD (its output to NAME.log), send
# SIGTERM to it when the log has a line starting with LINE, and check the
# exit code 143 (mpirun: non-zero) and the checkpoint.
run_stopped() {
  local name=$1 line=$2
  shift 2
  "$@" >"$name.log" 2>&1 &
  local pid=$!
  until grep -q "^$line" "$name.log" 2>/dev/null; do
    if ! kill -0 "$pid" 2>/dev/null; then
      fail "$name ended before '$line' appeared"
      return
    fi
    sleep 0.02
  done
  if [ "$1" = mpirun ]; then
    # As a batch system does: the signal goes to the ranks themselves
    # (Open MPI's mpirun, signalled, kills its ranks after a 1 s grace).
    pkill -TERM -P "$pid"
  else
    kill -TERM "$pid"
  fi
  local rc=0
  wait "$pid" || rc=$?
  if [ "$1" = mpirun ]; then
    [ "$rc" -ne 0 ] || fail "$name: exit code 0 after SIGTERM"
  else
    [ "$rc" -eq 143 ] || fail "$name: exit code $rc after SIGTERM, not 143"
  fi
  grep -q "stopped by SIGTERM" "$name.log" ||
    fail "$name: no 'stopped by SIGTERM' message"
  [ -f "$name/checkpoint/manifest" ] || fail "$name: no checkpoint written"
  echo "$name: $(grep -m1 "Stopped by SIGTERM" "$name.log")"
}

# same REFERENCE_DIR DIR: the summaries agree to solver tolerance (the
# wall times aside, and the Picard steps: an iteration resumed from its
# last iterate starts without its acceleration history).
same() {
  grep -v "wall_time\|picard_iterations" "$1/summary.json" >"$1.json"
  grep -v "wall_time\|picard_iterations" "$2/summary.json" >"$2.json"
  if numdiff -q -s ' \t\n,:{}[]' -r 1e-6 -a 1e-9 "$1.json" "$2.json" \
    >/dev/null; then
    echo "PASS: $2 ends like $1"
  else
    numdiff -s ' \t\n,:{}[]' -r 1e-6 -a 1e-9 "$1.json" "$2.json" | head -20 ||
      true
    fail "$2 differs from $1"
  fi
}

resume() {
  local name=$1
  shift
  "$@" --restart >"$name.restart.log" 2>&1 || fail "$name: restart failed"
  grep -q "^Restart from the checkpoint" "$name.restart.log" ||
    fail "$name: the restart did not report its checkpoint"
}

# 1. Time-dependent, serial.
prm=$src/tests/transient_slab_adaptive.prm
"$exe" "$prm" --set "Output/Directory=transient" >transient.log
run_stopped transient_cut "Step 12:" "$exe" "$prm" \
  --set "Output/Directory=transient_cut" --set "Checkpoint/Interval=3"
cp -r transient_cut transient_damaged
resume transient_cut "$exe" "$prm" --set "Output/Directory=transient_cut"
same transient transient_cut

# 2. Two ranks, resumed on 2 ranks and on 1 rank.
mpirun -np 2 "$exe" "$prm" --set "Output/Directory=transient2" \
  >transient2.log
run_stopped transient2_cut "Step 12:" mpirun -np 2 "$exe" "$prm" \
  --set "Output/Directory=transient2_cut"
cp -r transient2_cut transient2_cut1
resume transient2_cut mpirun -np 2 "$exe" "$prm" \
  --set "Output/Directory=transient2_cut"
same transient2 transient2_cut
resume transient2_cut1 "$exe" "$prm" --set "Output/Directory=transient2_cut1"
same transient2 transient2_cut1

# 3. Refinement cycles, stopped in cycle 2.
prm=$src/tests/parallel_slab_150_cycles.prm
"$exe" "$prm" --set "Mesh/Number of cycles=4" \
  --set "Output/Directory=cycles" >cycles.log
run_stopped cycles_cut "Cycle 2:" "$exe" "$prm" \
  --set "Mesh/Number of cycles=4" --set "Output/Directory=cycles_cut"
resume cycles_cut "$exe" "$prm" --set "Mesh/Number of cycles=4" \
  --set "Output/Directory=cycles_cut"
same cycles cycles_cut

# 3b. Steady interface adaptation, stopped inside the adaptive stage (at
#     Picard step 13 of cycle 0, after the first adaptation, with two to
#     come): the restart continues on the adapted mesh and ends on the
#     same mesh as the uninterrupted run, with the same number of
#     adaptations in all. (The lock history it also restores is not
#     exercised: no cell is refined again here after a coarsening.)
prm=$src/tests/parallel_slab_150_adaptive.prm
"$exe" "$prm" --set "Mesh/Number of cycles=1" \
  --set "Output/Directory=adaptive" >adaptive.log
run_stopped adaptive_cut "  Picard  13:" "$exe" "$prm" \
  --set "Mesh/Number of cycles=1" --set "Output/Directory=adaptive_cut"
resume adaptive_cut "$exe" "$prm" --set "Mesh/Number of cycles=1" \
  --set "Output/Directory=adaptive_cut"
grep -q "continuing an interrupted one" adaptive_cut.restart.log ||
  fail "adaptive_cut: the restart did not continue the interrupted cycle"
grep -q "^Cycle 0: .*(continued from the checkpoint's iterate; the cycle started from initial temperature" \
  adaptive_cut.restart.log ||
  fail "adaptive_cut: the restart's log does not say that cycle 0 continues"
same adaptive adaptive_cut

# 4. A natural sweep with hysteresis, up and back, stopped on the way
#    back (where the states depend on the phase memory).
prm=$src/tests/sweep_slab_hysteresis.prm
values="Sweep/Values=0.009092194455, 0.012049896265, 0.016431676725, 0.0219089023"
"$exe" "$prm" --set "$values" --set "Output/Directory=sweep" >sweep.log
run_stopped sweep_cut "Sweep step 5:" "$exe" "$prm" --set "$values" \
  --set "Output/Directory=sweep_cut"
resume sweep_cut "$exe" "$prm" --set "$values" \
  --set "Output/Directory=sweep_cut"
same sweep sweep_cut

# 4b. A pseudo-arclength sweep (through the fold at the critical current),
#     stopped inside a corrector or between steps: the last two points,
#     the step length and the folds passed are restored.
prm=$src/tests/sweep_arclength.prm
steps="Sweep/Stop current=0.0112"
"$exe" "$prm" --set "$steps" --set "Output/Directory=arclength" \
  >arclength.log
run_stopped arclength_cut "Sweep step 12:" "$exe" "$prm" --set "$steps" \
  --set "Output/Directory=arclength_cut"
resume arclength_cut "$exe" "$prm" --set "$steps" \
  --set "Output/Directory=arclength_cut"
same arclength arclength_cut

# 5. Damaged checkpoints.
prm=$src/tests/transient_slab_adaptive.prm
refused() {
  local what=$1 fragment=$2
  shift 2
  local rc=0
  "$exe" "$prm" --set "Output/Directory=transient_damaged" --restart "$@" \
    >"refused_$what.log" 2>&1 || rc=$?
  if [ "$rc" -eq 2 ] && grep -qF "$fragment" "refused_$what.log"; then
    echo "PASS: $what refused: $(grep -m1 'refused\|Input error' "refused_$what.log")"
  else
    fail "$what: exit code $rc, expected 2 with '$fragment'"
    tail -5 "refused_$what.log"
  fi
}
[ -f transient_damaged/checkpoint.previous/manifest ] ||
  fail "no previous checkpoint kept"
damaged=transient_damaged/checkpoint
cp -r "$damaged" pristine
# Flip one byte in the middle of the run state.
/usr/bin/python3 - "$damaged/state.bin" <<'PY'
import sys
path = sys.argv[1]
data = bytearray(open(path, "rb").read())
data[len(data) // 2] ^= 0xFF
open(path, "wb").write(data)
PY
refused flipped_byte "'state.bin' does not match its checksum"
grep -qF "checkpoint.previous' is intact" refused_flipped_byte.log ||
  fail "the refusal does not point to the intact previous checkpoint"
rm -rf "$damaged" && cp -r pristine "$damaged"
truncate -s 1000 "$damaged/mesh_fixed.data"
refused truncated "'mesh_fixed.data' has 1000 bytes"
rm -f "$damaged/manifest"
refused no_manifest "has no manifest"
# A checkpoint of the earlier format 1 (without the adaptation's locks).
rm -rf "$damaged" && cp -r pristine "$damaged"
sed -i '1s/.*/imtsim checkpoint 1/' "$damaged/manifest"
refused format_1 "it is in another format ('imtsim checkpoint 1'"
rm -rf "$damaged" && cp -r pristine "$damaged"
refused other_mode "of a run of mode 'transient'" --set "Time/Mode=steady"
"$exe" "$prm" --set "Output/Directory=transient_damaged" --restart \
  --set "Checkpoint/Restart directory=transient_damaged/checkpoint.previous" \
  >previous.restart.log 2>&1 || fail "restart from the previous checkpoint"
same transient transient_damaged

# 6. The comparison can fail.
mkdir -p perturbed
/usr/bin/python3 - transient/summary.json perturbed/summary.json <<'PY'
import re, sys
text = open(sys.argv[1]).read()
# The last voltage, times (1 + 1e-5).
matches = list(re.finditer(r'"voltage_V": ([0-9.e+-]+)', text))
m = matches[-1]
value = float(m.group(1)) * (1 + 1e-5)
text = text[: m.start(1)] + repr(value) + text[m.end(1):]
open(sys.argv[2], "w").write(text)
PY
if grep -v "wall_time\|picard_iterations" perturbed/summary.json >perturbed.json &&
  numdiff -q -s ' \t\n,:{}[]' -r 1e-6 -a 1e-9 transient.json perturbed.json \
    >/dev/null; then
  fail "a voltage changed by 1e-5 passes the comparison"
else
  echo "PASS: a voltage changed by 1e-5 is told apart"
fi
exit $status
