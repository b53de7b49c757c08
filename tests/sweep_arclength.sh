#!/bin/bash
# The pseudo-arclength continuation of the voltage-controlled slab
# (sweep_arclength.prm) against a current-controlled natural sweep through
# the same currents: every converged arclength point, on the stable and on
# the unstable branches, must be a steady state of the same discrete
# problem, so the voltages agree to solver tolerance (1e-5 relative).
# It must pass at least two folds, with the points between the first two
# labelled unstable.
# Usage: sweep_arclength.sh IMTSIM SOURCE_DIR WORK_DIR
source "$(dirname "$0")/common.sh"
prm="$src/tests/sweep_arclength.prm"
"$exe" "$prm" --set "Output/Directory=arclength" >arclength.log
currents=$(/usr/bin/python3 - <<'PY'
import csv
rows = [r for r in csv.DictReader(open("arclength/sweep.csv"))]
print(", ".join(r["current_A"] for r in rows if r["converged"] == "1"))
PY
)
"$exe" "$prm" --set "Electric/Control=current" --set "Sweep/Method=natural" \
  --set "Sweep/Values=$currents" --set "Output/Directory=current" >current.log
/usr/bin/python3 - <<'PY'
from check import check, finish, read_csv
arc = [r for r in read_csv("arclength/sweep.csv") if r["converged"] == "1"]
cur = read_csv("current/sweep.csv")
assert len(arc) == len(cur), (len(arc), len(cur))
worst = 0
for a, c in zip(arc, cur):
    assert c["converged"] == "1"
    dv = abs(float(a["voltage_V"]) - float(c["voltage_V"])) / float(c["voltage_V"])
    worst = max(worst, dv)
labels = [a["stability"] for a in arc]
control = [float(a["control"]) for a in arc]
folds = [k for k in range(1, len(control) - 1)
         if (control[k + 1] - control[k]) * (control[k] - control[k - 1]) < 0]
vmax = max(float(a["voltage_V"]) for a in arc)
print(f"{len(arc)} arclength points, worst relative voltage difference "
      f"{worst:.2e}; {len(folds)} folds; largest V {vmax:.4f} V")
check("current control at the arclength points' currents: V within 1e-5",
      worst < 1e-5)
check("at least two folds", len(folds) >= 2)
check("stable up to the first fold, unstable from it to the second",
      len(folds) >= 2
      and all(l == "unstable" for l in labels[folds[0] + 1:folds[1] + 1])
      and all(l == "stable" for l in labels[:folds[0] + 1]))
finish()
PY
# The plot script turns the CSV into the two figures.
"$src/scripts/plot_sweep.py" arclength
for f in arclength/sweep_iv.png arclength/sweep_metal.png; do
  size=$(stat -c %s "$f")
  if [ "$size" -lt 10000 ]; then
    echo "FAIL: $f has only $size bytes"
    exit 1
  fi
done
echo "plots PASS"
