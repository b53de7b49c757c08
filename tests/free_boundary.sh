#!/bin/bash
# The free-boundary solver of the Peltier-only steady state ('Solver/Free
# boundary', doc/peltier_only.md section 5):
#  - the bar of free_boundary_bar.prm against its exact interface
#    d = L - kappa (T_MIT - T0)/(T_MIT dS j) on five nested meshes: within
#    half a node spacing on each (the discrete interface lies midway
#    between the last metal node and the first insulating one, and the
#    exact one between those two nodes), within 0.3% on the finest; the
#    heat balance exact (P_Peltier = T_MIT dS I = Q_out to 1e-9);
#  - the same on 2 MPI ranks: the same metal on every mesh (extent equal,
#    V to 1e-9 relative);
#  - the current reversed: the seeded metal disappears, T = T0 everywhere
#    (the paper's "no stable interface", doc/peltier_only.md section 2);
#  - the bar with 'Free boundary interface = level set': the interface
#    at d to 1e-4 node spacings on every mesh (the metal nodes of the cut
#    cell at T_MIT put it there exactly in one dimension), on 1 and 2
#    ranks, from the seed on a finer mesh, and Anderson-mixed (in at most
#    half the steps); reversed, the seed disappears;
#  - the x-z section with top pads (bench/peltier_only/peltier_only_2d.prm)
#    on its coarsest mesh: the seed at the drain pad ends as metal around
#    it, and with the current reversed it disappears (T = T0); with
#    'Electrode Peltier flux = consistent' the
#    Peltier power is T_MIT dS I exactly (the metal holds the drain pad),
#    the heat balance closes to 1e-9, and 2 ranks find the same metal;
#    with 'gradient' the face integral of the gradient passes a share of I
#    only, which this asserts is more than 5% off (so that the check above
#    can fail).
# Usage: free_boundary.sh IMTSIM SOURCE_DIR WORK_DIR
source "$(dirname "$0")/common.sh"
bar="$src/tests/free_boundary_bar.prm"
"$exe" "$bar" --set "Output/Directory=bar" >bar.log
mpirun -np 2 "$exe" "$bar" --set "Output/Directory=bar_np2" >bar_np2.log
"$exe" "$bar" --set "Electric/Current=-10e-3" \
  --set "Mesh/Number of cycles=1" --set "Output/Directory=reversed" \
  >reversed.log
ls=(--set "Solver/Free boundary interface=level set")
"$exe" "$bar" "${ls[@]}" --set "Output/Directory=bar_ls" >bar_ls.log
mpirun -np 2 "$exe" "$bar" "${ls[@]}" --set "Output/Directory=bar_ls_np2" \
  >bar_ls_np2.log
"$exe" "$bar" "${ls[@]}" --set "Mesh/Initial global refinement=3" \
  --set "Mesh/Number of cycles=1" --set "Output/Directory=bar_ls_fine" \
  >bar_ls_fine.log
"$exe" "$bar" "${ls[@]}" --set "Solver/Acceleration=anderson" \
  --set "Mesh/Number of cycles=2" --set "Output/Directory=bar_ls_anderson" \
  >bar_ls_anderson.log
"$exe" "$bar" "${ls[@]}" --set "Electric/Current=-10e-3" \
  --set "Mesh/Number of cycles=1" --set "Output/Directory=reversed_ls" \
  >reversed_ls.log
section="$src/bench/peltier_only/peltier_only_2d.prm"
fb=(--set "Solver/Free boundary=true" --set "Solver/Polynomial degree=1"
  --set "Solver/Acceleration=none" --set "Output/Write fields=false")
"$exe" "$section" "${fb[@]}" \
  --set "Thermal/Electrode Peltier flux=consistent" \
  --set "Output/Directory=section_consistent" >section_consistent.log
mpirun -np 2 "$exe" "$section" "${fb[@]}" \
  --set "Thermal/Electrode Peltier flux=consistent" \
  --set "Output/Directory=section_np2" >section_np2.log
"$exe" "$section" "${fb[@]}" \
  --set "Thermal/Electrode Peltier flux=consistent" \
  --set "Electric/Current=-10e-3" \
  --set "Output/Directory=section_reversed" >section_reversed.log
# The gradient variant's iteration need not settle: one step, after which
# it stops with exit code 3 (not converged), its state written.
code=0
"$exe" "$section" "${fb[@]}" --set "Thermal/Electrode Peltier flux=gradient" \
  --set "Solver/Maximum Picard iterations=1" \
  --set "Output/Directory=section_gradient" >section_gradient.log || code=$?
if [ "$code" -ne 3 ]; then
  echo "FAIL  the gradient variant exited with $code, not 3"
  exit 1
fi
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
errors = []
for c, p in zip(serial, parallel):
    # Nodes along x: L/dx = 4 (coarse cells) * 2^(global refinements).
    dx = L / (4 * 2 ** (c["cycle"] + 1))
    d = c["metal_volume_fraction"] * L
    errors.append(abs(d - d_exact))
    check("cycle %d: d = %.6e m, exact %.6e m, error %.3f node spacings "
          "(<= 0.5)" % (c["cycle"], d, d_exact, abs(d - d_exact) / dx),
          abs(d - d_exact) <= 0.5 * dx)
    check("cycle %d: the extent on the top line is the same d" % c["cycle"],
          abs(c["metal_extent_drain_m"] - d) < 1e-3 * dx)
    check("cycle %d: P_Peltier = T_MIT dS I = Q_out (%.3e, %.3e W)"
          % (c["cycle"], c["peltier_power_W"], c["heat_out_W"]),
          abs(c["peltier_power_W"] - P) < 1e-9 * P
          and c["energy_balance_relative_error"] < 1e-9)
    check("cycle %d: 2 ranks, the same metal and V" % c["cycle"],
          p["converged"]
          and abs(p["metal_volume_fraction"] - c["metal_volume_fraction"])
          < 1e-12
          and abs(p["voltage_V"] - c["voltage_V"]) < 1e-9 * c["voltage_V"])
check("finest mesh within 0.3%% of the exact d (%.2e)"
      % (errors[-1] / d_exact), errors[-1] < 3e-3 * d_exact)

r = json.load(open("reversed/summary.json"))["cycles"][0]
check("reversed current: converged, no metal, T = T0 (T_max %.6f K)"
      % r["temperature_max_K"],
      r["converged"] and r["metal_volume_fraction"] == 0
      and abs(r["temperature_max_K"] - T0) < 1e-9 * T0)

# The level set: at its fixed point the metal nodes of the cut cell are at
# T_MIT, which in one dimension puts the interface exactly at d whatever
# the mesh (doc/peltier_only.md section 5.5).
serial = json.load(open("bar_ls/summary.json"))["cycles"]
parallel = json.load(open("bar_ls_np2/summary.json"))["cycles"]
check("level set: five cycles, all converged, on 1 and on 2 ranks",
      len(serial) == 5 and len(parallel) == 5
      and all(c["converged"] for c in serial + parallel))
for c, p in zip(serial, parallel):
    dx = L / (4 * 2 ** (c["cycle"] + 1))
    d = c["metal_volume_fraction"] * L
    check("level set, cycle %d: d = %.9e m, error %.1e node spacings "
          "(<= 1e-4)" % (c["cycle"], d, abs(d - d_exact) / dx),
          abs(d - d_exact) <= 1e-4 * dx)
    check("level set, cycle %d: T_M - T_MIT = %.1e K (|.| <= 1e-3 K)"
          % (c["cycle"],
             c["verification"]["free_boundary_interior_minus_T_MIT_K"]),
          abs(c["verification"]["free_boundary_interior_minus_T_MIT_K"])
          <= 1e-3)
    check("level set, cycle %d: P_Peltier = T_MIT dS I = Q_out"
          % c["cycle"], abs(c["peltier_power_W"] - P) < 1e-9 * P
          and c["energy_balance_relative_error"] < 1e-9)
    check("level set, cycle %d: 2 ranks, the same d and V" % c["cycle"],
          p["converged"]
          and abs(p["metal_volume_fraction"] - c["metal_volume_fraction"])
          < 1e-9
          and abs(p["voltage_V"] - c["voltage_V"]) < 1e-9 * c["voltage_V"])
# The finer meshes above start from the coarse one's converged level set;
# this one starts from the seed, with the interface elsewhere in its cell.
c = json.load(open("bar_ls_fine/summary.json"))["cycles"][0]
dx = L / (4 * 2 ** 3)
d = c["metal_volume_fraction"] * L
check("level set from the seed on the third mesh: converged in %d steps, "
      "error %.1e node spacings (<= 1e-4)"
      % (c["verification"]["free_boundary_steps"], abs(d - d_exact) / dx),
      c["converged"] and c["verification"]["free_boundary_steps"] > 1
      and abs(d - d_exact) <= 1e-4 * dx)
plain_steps = serial[0]["verification"]["free_boundary_steps"]
for c in json.load(open("bar_ls_anderson/summary.json"))["cycles"]:
    dx = L / (4 * 2 ** (c["cycle"] + 1))
    d = c["metal_volume_fraction"] * L
    check("level set, Anderson-mixed, cycle %d: converged in %d steps, "
          "error %.1e node spacings (<= 1e-4)"
          % (c["cycle"], c["verification"]["free_boundary_steps"],
             abs(d - d_exact) / dx),
          c["converged"] and abs(d - d_exact) <= 1e-4 * dx)
    if c["cycle"] == 0:
        check("level set, Anderson-mixed: at most half the plain steps "
              "(%d, plain %d)" % (c["verification"]["free_boundary_steps"],
                                  plain_steps),
              2 * c["verification"]["free_boundary_steps"] <= plain_steps)
r = json.load(open("reversed_ls/summary.json"))["cycles"][0]
check("level set, reversed current: no metal, T = T0 (T_max %.6f K)"
      % r["temperature_max_K"],
      r["converged"] and r["metal_volume_fraction"] == 0
      and abs(r["temperature_max_K"] - T0) < 1e-9 * T0)

I2 = 10e-3
P2 = T_mit * dS * I2
c = json.load(open("section_consistent/summary.json"))["cycles"][0]
check("x-z section, consistent flux: converged with metal at the drain "
      "(fraction %.3e, extent %.3e m)" % (c["metal_volume_fraction"],
                                         c["metal_extent_drain_m"]),
      c["converged"] and c["metal_volume_fraction"] > 0
      and c["metal_extent_drain_m"] > 1e-4)
check("x-z section, consistent flux: P_Peltier = T_MIT dS I (%.6e W, "
      "exact %.6e W)" % (c["peltier_power_W"], P2),
      abs(c["peltier_power_W"] - P2) < 1e-9 * P2)
check("x-z section, consistent flux: Q_out = P_Peltier to 1e-9 (%.1e)"
      % c["energy_balance_relative_error"],
      c["energy_balance_relative_error"] < 1e-9)
check("x-z section: the interface decided (%d undecided nodes)"
      % c["verification"]["free_boundary_undecided_nodes"],
      c["verification"]["free_boundary_undecided_nodes"] == 0)
p2 = json.load(open("section_np2/summary.json"))["cycles"][0]
check("x-z section (hanging nodes at the pads) on 2 ranks: the same metal "
      "and V", p2["converged"]
      and abs(p2["metal_volume_fraction"] - c["metal_volume_fraction"])
      < 1e-12 and abs(p2["voltage_V"] - c["voltage_V"]) < 1e-9 * c["voltage_V"])
g = json.load(open("section_gradient/summary.json"))["cycles"][0]
check("x-z section, gradient flux: P_Peltier %.6e W is more than 5%% off"
      % g["peltier_power_W"], abs(g["peltier_power_W"] - P2) > 0.05 * P2)
r = json.load(open("section_reversed/summary.json"))["cycles"][0]
check("x-z section, reversed current: no metal, T = T0 (T_max %.6f K)"
      % r["temperature_max_K"],
      r["converged"] and r["metal_volume_fraction"] == 0
      and abs(r["temperature_max_K"] - T0) < 1e-9 * T0)
finish()
PY
