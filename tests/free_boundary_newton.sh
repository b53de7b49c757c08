#!/bin/bash
# 'Solver/Free boundary method = newton' (doc/free_boundary_newton.md) on
# the bar of free_boundary_bar.prm, whose exact interface is
# d = L - kappa (T_MIT - T0)/(T_MIT dS j):
#  - five nested meshes (each cycle from the last one's level set), on 1
#    and 2 ranks: d within 1e-6 node spacings (the discrete solution is
#    exact in one dimension), the heat balance exact (P_Peltier = T_MIT
#    dS I = Q_out to 1e-9), the metal's net heat below 1e-7 P_Peltier
#    (the residual tolerance summed over its layer), 2 ranks the same d,
#    V and number of steps, at most 4 from the seed;
#  - from the seed on the third mesh: converged, d as above, in at most 4
#    steps with none rejected;
#  - the same with the material's a = rho_M/rho_I = 0.1 and with a = 1:
#    the same d (in one dimension the current does not depend on d);
#  - the current reversed: the seeded metal disappears, T = T0;
#  - the entry's rules: 'newton' with the node set, the gradient
#    electrode flux, Q2, unequal thermal conductivities or a contact
#    conductance is rejected naming the entry.
# Usage: free_boundary_newton.sh IMTSIM SOURCE_DIR WORK_DIR
source "$(dirname "$0")/common.sh"
bar="$src/tests/free_boundary_bar.prm"
nt=(--set "Solver/Free boundary interface=level set"
  --set "Solver/Free boundary method=newton"
  --set "Thermal/Electrode Peltier flux=consistent")
"$exe" "$bar" "${nt[@]}" --set "Output/Directory=bar" >bar.log
mpirun -np 2 "$exe" "$bar" "${nt[@]}" --set "Output/Directory=bar_np2" \
  >bar_np2.log
"$exe" "$bar" "${nt[@]}" --set "Mesh/Initial global refinement=3" \
  --set "Mesh/Number of cycles=1" --set "Output/Directory=bar_fine" \
  >bar_fine.log
"$exe" "$bar" "${nt[@]}" --set "Mesh/Initial global refinement=3" \
  --set "Mesh/Number of cycles=1" --set "Material/Metal resistivity=0.1" \
  --set "Output/Directory=bar_a1" >bar_a1.log
"$exe" "$bar" "${nt[@]}" --set "Electric/Current=-10e-3" \
  --set "Mesh/Number of cycles=1" --set "Output/Directory=reversed" \
  >reversed.log
for bad in "Solver/Free boundary interface=node set" \
  "Thermal/Electrode Peltier flux=gradient" \
  "Solver/Polynomial degree=2" \
  "Material/Metal thermal conductivity=0.2" \
  "Thermal/Contact conductance=drain:1e5"; do
  code=0
  "$exe" "$bar" "${nt[@]}" --set "$bad" --set "Output/Directory=bad" \
    >bad.log 2>&1 || code=$?
  if [ "$code" -eq 0 ] || ! grep -q "Solver/Free boundary method" bad.log; then
    echo "FAIL  '$bad' with newton: exit $code, message:"
    cat bad.log
    exit 1
  fi
  echo "ok    '$bad' with newton is rejected naming the entry (exit $code)"
done
/usr/bin/python3 - <<'PY'
import json
from check import check, finish

L, h, W, I = 2e-4, 1e-4, 1e-3, 10e-3
kappa, T0, T_mit, dS = 0.1, 300.0, 360.0, 2.582e-3
j = I / (W * h)
d_exact = L - kappa * (T_mit - T0) / (T_mit * dS * j)
P = T_mit * dS * I
serial = json.load(open("bar/summary.json"))["cycles"]
parallel = json.load(open("bar_np2/summary.json"))["cycles"]
check("five cycles, all converged, on 1 and on 2 ranks",
      len(serial) == 5 and len(parallel) == 5
      and all(c["converged"] for c in serial + parallel))


def bar_checks(name, c, dx):
    v = c["verification"]
    d = c["metal_volume_fraction"] * L
    check("%s: d = %.9e m, error %.1e node spacings (<= 1e-6), %d steps"
          % (name, d, abs(d - d_exact) / dx, v["free_boundary_steps"]),
          abs(d - d_exact) <= 1e-6 * dx)
    check("%s: P_Peltier = T_MIT dS I = Q_out (%.6e W)"
          % (name, c["peltier_power_W"]),
          abs(c["peltier_power_W"] - P) < 1e-9 * P
          and c["energy_balance_relative_error"] < 1e-9)
    check("%s: the metal takes no net heat (%.1e W)"
          % (name, v["free_boundary_net_metal_heat_W"]),
          abs(v["free_boundary_net_metal_heat_W"]) < 1e-7 * P)


for c, p in zip(serial, parallel):
    dx = L / (4 * 2 ** (c["cycle"] + 1))
    bar_checks("cycle %d" % c["cycle"], c, dx)
    check("cycle %d: 2 ranks, the same d and V" % c["cycle"],
          p["converged"]
          and abs(p["metal_volume_fraction"] - c["metal_volume_fraction"])
          < 1e-9
          and abs(p["voltage_V"] - c["voltage_V"]) < 1e-9 * c["voltage_V"])
dx = L / (4 * 2 ** 3)
fine = json.load(open("bar_fine/summary.json"))["cycles"][0]
check("from the seed on the third mesh: converged", fine["converged"])
bar_checks("from the seed", fine, dx)
check("from the seed: at most 4 steps, none rejected (%d, %d)"
      % (fine["verification"]["free_boundary_steps"],
         fine["verification"]["free_boundary_rejected_steps"]),
      fine["verification"]["free_boundary_steps"] <= 4
      and fine["verification"]["free_boundary_rejected_steps"] == 0)
check("mesh 1 from the seed in at most 4 steps on 1 and 2 ranks (%d, %d)"
      % (serial[0]["verification"]["free_boundary_steps"],
         parallel[0]["verification"]["free_boundary_steps"]),
      serial[0]["verification"]["free_boundary_steps"] <= 4
      and parallel[0]["verification"]["free_boundary_steps"]
      == serial[0]["verification"]["free_boundary_steps"])
a1 = json.load(open("bar_a1/summary.json"))["cycles"][0]
check("a = 1: converged", a1["converged"])
bar_checks("a = 1", a1, dx)
r = json.load(open("reversed/summary.json"))["cycles"][0]
check("reversed current: converged, no metal, T = T0 (T_max %.9f K)"
      % r["temperature_max_K"],
      r["converged"] and r["metal_volume_fraction"] == 0
      and abs(r["temperature_max_K"] - T0) < 1e-9 * T0)
finish()
PY
