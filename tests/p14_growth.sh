#!/bin/bash
# The Peltier-only metal at a drain pad in 3D (bench/peltier_only/p14_3d.prm:
# Joule heating off, an 8 mm x 8 mm sample 0.2 mm thick, the drain pad
# centred on the edge x = 0, the paper's material; doc/peltier_only.md
# section 6), on the box mesh's first cycle, with the free-boundary solver
# from a seed at the drain:
#  - at 10 and 20 mA on 2 ranks: converged, metal at the drain, and the
#    metal grows with the current (its top-face extent r_c and its volume);
#  - r_c below the (P-14) radius R = sqrt(2 h T_MIT I dS/(pi kappa dT)),
#    the wedge theory's upper bound (section 3);
#  - P_Peltier = T_MIT dS I exactly (the metal holds the drain pad) and the
#    heat balance closed to 1e-9;
#  - 10 mA on 1 rank: the same metal as on 2;
#  - the current reversed (-10 mA): the seed disappears and T = T0 (the
#    paper's "no stable interface", section 2).
# Usage: p14_growth.sh IMTSIM SOURCE_DIR WORK_DIR
source "$(dirname "$0")/common.sh"
prm="$src/bench/peltier_only/p14_3d.prm"
common=(--set "Mesh/Number of cycles=1" --set "Output/Write fields=false")
# The seed of p14_study.py: radius 0.6 mm sqrt(|I|/10 mA), covering the pad.
seed() {
  echo "Thermal/Initial temperature=T0 + 120*(z/h)*exp(-(x^2+(y-W/2)^2)/($1)^2)"
}
# Each run must converge (exit 0); a failing one is named.
run() {
  local name=$1
  shift
  "$@" --set "Output/Directory=$name" >"$name.log" || {
    echo "FAIL  run $name exited with $? (see $name.log)"
    exit 1
  }
}
run I10 mpirun -np 2 "$exe" "$prm" "${common[@]}" \
  --set "Electric/Current=10e-3" --set "$(seed 6e-4)"
run I20 mpirun -np 2 "$exe" "$prm" "${common[@]}" \
  --set "Electric/Current=20e-3" --set "$(seed 8.485e-4)"
run I10_serial "$exe" "$prm" "${common[@]}" \
  --set "Electric/Current=10e-3" --set "$(seed 6e-4)"
run reversed mpirun -np 2 "$exe" "$prm" "${common[@]}" \
  --set "Electric/Current=-10e-3" --set "$(seed 6e-4)"
/usr/bin/python3 - <<'PY'
import math
from check import check, finish, last_cycle

h, T_mit, dT, kappa, dS, T0 = 2e-4, 360.0, 60.0, 0.1, 2.582e-3, 300.0
runs = {}
for name, I in (("I10", 10e-3), ("I20", 20e-3)):
    c = last_cycle(name)
    runs[name] = c
    R = math.sqrt(2 * h * T_mit * I * dS / (math.pi * kappa * dT))
    P = T_mit * dS * I
    check("%g mA: converged with metal at the drain (r_c = %.4f mm, "
          "metal fraction %.3e)" % (I * 1e3, c["metal_extent_drain_m"] * 1e3,
                                    c["metal_volume_fraction"]),
          c["converged"] and c["metal_volume_fraction"] > 0
          and c["metal_extent_drain_m"] > 1e-4
          and c["metal_extent_source_m"] == 0)
    check("%g mA: r_c below the (P-14) radius %.4f mm" % (I * 1e3, R * 1e3),
          c["metal_extent_drain_m"] < R)
    check("%g mA: P_Peltier = T_MIT dS I (%.6e W, exact %.6e W), heat "
          "balance %.1e" % (I * 1e3, c["peltier_power_W"], P,
                            c["energy_balance_relative_error"]),
          abs(c["peltier_power_W"] - P) < 1e-9 * P
          and c["energy_balance_relative_error"] < 1e-9)
check("the metal grows with the current: r_c %.4f -> %.4f mm, fraction "
      "%.3e -> %.3e" % (runs["I10"]["metal_extent_drain_m"] * 1e3,
                        runs["I20"]["metal_extent_drain_m"] * 1e3,
                        runs["I10"]["metal_volume_fraction"],
                        runs["I20"]["metal_volume_fraction"]),
      runs["I20"]["metal_extent_drain_m"] > runs["I10"]["metal_extent_drain_m"]
      and runs["I20"]["metal_volume_fraction"]
      > runs["I10"]["metal_volume_fraction"])
s = last_cycle("I10_serial")
p = runs["I10"]
check("10 mA on 1 rank: the same metal as on 2 (fraction %.9e, %.9e; "
      "V to 1e-9)" % (s["metal_volume_fraction"], p["metal_volume_fraction"]),
      s["converged"]
      and abs(s["metal_volume_fraction"] - p["metal_volume_fraction"])
      <= 1e-9 * p["metal_volume_fraction"]
      and abs(s["voltage_V"] - p["voltage_V"]) <= 1e-9 * p["voltage_V"])
r = last_cycle("reversed")
check("reversed current: converged, no metal, T = T0 (T_max %.9f K)"
      % r["temperature_max_K"],
      r["converged"] and r["metal_volume_fraction"] == 0
      and abs(r["temperature_max_K"] - T0) < 1e-9 * T0)
finish()
PY
