#!/bin/bash
# 'Sweep/Jump by relaxation' (sweep_jump_relaxation.prm): a natural step
# that fails (here: too few Newton steps, no halvings) is completed by
# integrating the heat equation in time at the new control value from the
# last converged state, then converging the steady state from there.
#  - Without the relaxation the same sweep stops with exit code 3.
#  - With it, the step converges and records the jump (jump_from 21.4 V,
#    jump_at 22 V, a change of more than 100 K).
#  - The state it lands on is the state of the unrestricted Newton step
#    (the only state above the fold): current and T_max within 1e-6.
#  - The same on 2 ranks.
# Usage: sweep_jump_relaxation.sh IMTSIM SOURCE_DIR WORK_DIR
set -euo pipefail
exe=$1
src=$2
work=$3
rm -rf "$work"
mkdir -p "$work"
cd "$work"
prm="$src/tests/sweep_jump_relaxation.prm"
few="Solver/Maximum Picard iterations=10"
"$exe" "$prm" --set "Sweep/Jump by relaxation=false" \
  --set "Output/Directory=reference" >reference.log
status=0
"$exe" "$prm" --set "Sweep/Jump by relaxation=false" --set "$few" \
  --set "Output/Directory=no_relaxation" >no_relaxation.log 2>&1 || status=$?
echo "without relaxation: exit code $status (must be 3)"
[ "$status" -eq 3 ]
"$exe" "$prm" --set "$few" --set "Output/Directory=relaxation" >relaxation.log
mpirun -np 2 "$exe" "$prm" --set "$few" \
  --set "Output/Directory=relaxation_2" >relaxation_2.log
/usr/bin/python3 - <<'PY'
import csv, sys
ok = True
def report(what, good):
    global ok
    ok = ok and good
    print(f"{what}: {'PASS' if good else 'FAIL'}")
ref = list(csv.DictReader(open("reference/sweep.csv")))[-1]
report("reference: the direct step converged without a jump",
       ref["converged"] == "1" and ref["jump_at"] == "")
for case in ("relaxation", "relaxation_2"):
    rows = list(csv.DictReader(open(case + "/sweep.csv")))
    last = rows[-1]
    report(f"{case}: every step converged",
           all(r["converged"] == "1" for r in rows))
    report(f"{case}: energy balance below 1e-6 at every step",
           all(float(r["energy_balance_relative_error"]) < 1e-6 for r in rows))
    report(f"{case}: the jump is recorded from 21.4 V at 22 V",
           last["jump_from"] != "" and float(last["jump_from"]) == 21.4
           and float(last["jump_at"]) == 22)
    change = float(last["relaxation_change_K"]) if last["jump_at"] else 0
    report(f"{case}: the relaxation changed T by {change:.1f} K (> 100 K)",
           change > 100)
    for key in ("current_A", "temperature_max_K", "metal_volume_fraction"):
        a, b = float(last[key]), float(ref[key])
        diff = abs(a - b) / abs(b)
        report(f"{case}: {key} {a:.9g} against the direct step's {b:.9g}: "
               f"relative difference {diff:.1e} (below 1e-6)", diff < 1e-6)
print("PASS" if ok else "FAIL")
sys.exit(0 if ok else 1)
PY
