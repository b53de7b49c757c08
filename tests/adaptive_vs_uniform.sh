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
from check import check, finish, last_cycle

u2, u3, a = last_cycle("uniform2"), last_cycle("uniform3"), last_cycle("adaptive")
for run, r in (("uniform 2", u2), ("uniform 3", u3), ("adaptive", a)):
    check(f"{run} converged", r["converged"])
for key in ("voltage_V", "temperature_mean_K", "metal_volume_fraction",
            "metal_extent_drain_m", "metal_extent_source_m"):
    estimate = abs(u3[key] - u2[key])
    deviation = abs(a[key] - u3[key])
    check(f"{key}: adaptive {a[key]:.8g}, uniform 3 {u3[key]:.8g}; "
          f"|adaptive - uniform 3| = {deviation:.3g} <= "
          f"0.2 |uniform 3 - uniform 2| = {0.2 * estimate:.3g}",
          deviation <= 0.2 * estimate)
ratio = u3["n_dofs"] / a["n_dofs"]
check(f"DoFs per field: uniform 3 {u3['n_dofs']}, adaptive {a['n_dofs']}: "
      f"{ratio:.1f} times fewer (at least 5)", ratio >= 5)
finish()
PY
