#!/bin/bash
# Interface adaptation against uniform refinement (issue 3), the cheap end
# of bench/adaptive_vs_uniform.py: the Fig. 2a cross-section with the
# Peltier number of Fig. 2c (prm/fig2a_ramp_2d.prm, Delta S = 2.582e-4
# V/K) at 9 mA, ramped from T0 in 4 stages; metal under both pads.
#  - uniform 2 and uniform 3: 'Mesh/Initial global refinement' 2 and 3;
#    their difference is uniform 3's error estimate (its error is smaller
#    for any convergence rate above 1, the rates here are about 1);
#  - adaptive: global refinement 1 and 'Mesh/Interface refinement = 2',
#    so its interface cells are those of uniform 3.
# Checks: the adaptive run agrees with uniform 3 in V, the mean
# temperature, the metal fraction and the metal extents along the top
# centre line from each pad, each within a fifth of uniform 3's error
# estimate, and it has at least 5 times fewer DoFs.
# Usage: adaptive_vs_uniform.sh IMTSIM SOURCE_DIR WORK_DIR
source "$(dirname "$0")/common.sh"
common=("$src/prm/fig2a_ramp_2d.prm" --set "Sweep/Values="
  --set "Electric/Current=9e-3" --set "Electric/Ramp steps=4"
  --set "Material/Insulator Seebeck coefficient=2.582e-4")
"$exe" "${common[@]}" --set "Mesh/Initial global refinement=2" \
  --set "Output/Directory=uniform2" >uniform2.log
"$exe" "${common[@]}" --set "Mesh/Initial global refinement=3" \
  --set "Output/Directory=uniform3" >uniform3.log
"$exe" "${common[@]}" --set "Mesh/Initial global refinement=1" \
  --set "Mesh/Interface refinement=2" \
  --set "Output/Directory=adaptive" >adaptive.log
/usr/bin/python3 - <<'PY'
import json, sys

def last(name):
    return json.load(open(name + "/summary.json"))["cycles"][-1]

u2, u3, a = last("uniform2"), last("uniform3"), last("adaptive")
failed = False
for run, r in (("uniform 2", u2), ("uniform 3", u3), ("adaptive", a)):
    if not r["converged"]:
        print(f"FAIL: {run} did not converge")
        failed = True
for key in ("voltage_V", "temperature_mean_K", "metal_volume_fraction",
            "metal_extent_drain_m", "metal_extent_source_m"):
    estimate = abs(u3[key] - u2[key])
    deviation = abs(a[key] - u3[key])
    ok = deviation <= 0.2 * estimate
    failed |= not ok
    print(f"{'PASS' if ok else 'FAIL'}: {key}: adaptive {a[key]:.8g}, "
          f"uniform 3 {u3[key]:.8g}; |adaptive - uniform 3| = "
          f"{deviation:.3g} <= 0.2 |uniform 3 - uniform 2| = "
          f"{0.2 * estimate:.3g}")
ratio = u3["n_dofs"] / a["n_dofs"]
ok = ratio >= 5
failed |= not ok
print(f"{'PASS' if ok else 'FAIL'}: DoFs per field: uniform 3 {u3['n_dofs']}"
      f", adaptive {a['n_dofs']}: {ratio:.1f} times fewer (at least 5)")
sys.exit(1 if failed else 0)
PY
