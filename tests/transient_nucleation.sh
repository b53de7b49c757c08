#!/bin/bash
# Nucleation in time against the steady solver (transient_nucleation.prm:
# the 2D Fig. 2a cross-section at a constant 10 mA from a uniform T0).
#  - the first metal (metal weight > 0, T > T_MIT - w_T/2) lies mostly in
#    the drain half: the interface Peltier heat, which heats where current
#    flows from insulator into metal, breaks the mirror symmetry of the
#    Joule heating at once;
#  - the late-time state: metal beyond the drain pad (100 um), more metal
#    in the drain half than in the source half;
#  - the run stops on 'Time/Steady-state rate' before 'End time', and its
#    last state equals the steady solver's state at 10 mA within 1% (V,
#    T_max, T_mean, metal fraction, extents from drain and source). The
#    steady reference is the quasi-static sweep 8.6, 8.8, 9, 9.2, 9.5,
#    10 mA (each step from the previous state): the coupled problem has
#    other states at 10 mA (a 4-stage ramp from T0 lands on V = 4.09 V
#    with 3.4% metal, doc/transient.md), and the sudden step in time and
#    the slow ramp both select this one.
# Usage: transient_nucleation.sh IMTSIM SOURCE_DIR WORK_DIR
source "$(dirname "$0")/common.sh"
prm="$src/tests/transient_nucleation.prm"
# The stop must come before the prm's own end time.
END_TIME=$(sed -n 's/^ *set End time *= *//p' "$prm")
export END_TIME
"$exe" "$prm" --set "Output/Directory=transient" >transient.log
"$exe" "$prm" --set "Time/Mode=steady" --set "Electric/Ramp steps=4" \
  --set "Sweep/Values=8.6e-3, 8.8e-3, 9e-3, 9.2e-3, 9.5e-3, 1e-2" \
  --set "Output/Directory=steady" >steady.log
/usr/bin/python3 - <<'PY'
import os
from check import check, finish, read_csv
end_time = float(os.environ["END_TIME"])
rows = read_csv("transient/time.csv")
check("every time step converged", all(r["converged"] == "1" for r in rows))
last = rows[-1]
check(f"stopped at steady state (max|dT/dt| = {float(last['max_rate_K_per_s']):.2e} "
      f"K/s < 1e-4) at t = {float(last['time_s']):.3f} s, before the end "
      f"time {end_time:g} s", float(last["max_rate_K_per_s"]) < 1e-4
      and float(last["time_s"]) < end_time)
first = next(r for r in rows if float(r["metal_volume_fraction"]) > 0)
share = float(first["metal_volume_fraction_drain_half"]) / float(first["metal_volume_fraction"])
check(f"first metal at t = {float(first['time_s']):.4f} s (step {first['step']}): "
      f"{100 * share:.1f}% of it in the drain half (must exceed 50%)", share > 0.5)
share = float(last["metal_volume_fraction_drain_half"]) / float(last["metal_volume_fraction"])
check(f"late time: {100 * share:.1f}% of the metal in the drain half (must exceed 50%)",
      share > 0.5)
d, s = float(last["metal_extent_drain_m"]), float(last["metal_extent_source_m"])
check(f"late time: metal {1e6 * d:.1f} um from the drain end, beyond its "
      f"100 um pad, and farther than from the source end ({1e6 * s:.1f} um)",
      d > 1e-4 and d > s)
steady = read_csv("steady/sweep.csv")[-1]
assert steady["converged"] == "1" and abs(float(steady["control"]) - 1e-2) < 1e-12
for key in ("voltage_V", "temperature_max_K", "temperature_mean_K",
            "metal_volume_fraction", "metal_extent_drain_m", "metal_extent_source_m"):
    a, b = float(last[key]), float(steady[key])
    diff = abs(a - b) / abs(b)
    check(f"late time against the steady state: {key} {a:.6g} vs {b:.6g}, "
          f"relative difference {diff:.1e} (must be below 1e-2)", diff < 1e-2)
finish()
PY
