#!/bin/bash
# Time-step convergence on a problem with a known answer: the radiating
# copper wire of wire_radiation_transient.prm, whose uniform T(t) solves
# C dT/dt = Q - k (T^4 - T_env^4) in closed form (doc/transient.md). The
# space discretisation is exact here (T is uniform), so the error at
# t = 1000 s is the time integrator's alone.
#  - fixed steps of 50, 25, 12.5 and 6.25 s (dt/tau = 0.1 ... 0.013, tau =
#    480 s the linearised relaxation time): the observed order of BDF2 must
#    lie in [1.8, 2.2] and that of implicit Euler in [0.9, 1.1], between each
#    pair of successive steps;
#  - adaptive BDF2 with error tolerances of 0.1, 0.01 and 0.001 K per step:
#    the global error falls like tol^(2/3) (a local error tol per step of
#    size dt ~ tol^(1/3), errors adding over 1/dt steps); the observed
#    exponent must lie in [0.5, 0.85], and every step of an adaptive run
#    must have its estimate below the tolerance;
#  - the adaptive run at 0.01 K again with every step solved to 'Solver/
#    Picard tolerance' ('Time/Nonlinear tolerance factor = 0'): the default
#    factor's result must differ from it by less than 5% of the time error.
# Usage: time_order.sh IMTSIM SOURCE_DIR WORK_DIR
source "$(dirname "$0")/common.sh"
prm="$src/tests/wire_radiation_transient.prm"
for scheme in BDF2 "implicit Euler"; do
  for dt in 50 25 12.5 6.25; do
    dir="fixed_${scheme// /_}_$dt"
    "$exe" "$prm" --set "Time/Scheme=$scheme" --set "Time/Time step=$dt" \
      --set "Output/Directory=$dir" >"$dir.log"
  done
done
for tol in 0.1 0.01 0.001; do
  "$exe" "$prm" --set "Time/Adaptive time step=true" \
    --set "Time/Time step=1" --set "Time/Error tolerance=$tol" \
    --set "Output/Directory=adaptive_$tol" >"adaptive_$tol.log"
done
# The same run with every step solved to 'Solver/Picard tolerance'.
"$exe" "$prm" --set "Time/Adaptive time step=true" \
  --set "Time/Time step=1" --set "Time/Error tolerance=0.01" \
  --set "Time/Nonlinear tolerance factor=0" \
  --set "Output/Directory=adaptive_0.01_tight" >"adaptive_0.01_tight.log"
/usr/bin/python3 - <<'PY'
import math
from check import check, finish, read_csv
def final(directory):
    rows = read_csv(directory + "/time.csv")
    assert all(r["converged"] == "1" for r in rows)
    last = rows[-1]
    assert abs(float(last["time_s"]) - 1000) < 1e-9
    exact = float(last["uniform_temperature_exact_K"])
    return rows, abs(float(last["temperature_mean_K"]) - exact)
for scheme, order, low, high in (("BDF2", 2, 1.8, 2.2), ("implicit_Euler", 1, 0.9, 1.1)):
    steps = ["50", "25", "12.5", "6.25"]
    errors = [final(f"fixed_{scheme}_{dt}")[1] for dt in steps]
    for dt, e in zip(steps, errors):
        print(f"{scheme}: dt = {dt:>5} s: |T - T_exact| = {e:.4e} K")
    for k in range(1, len(steps)):
        p = math.log2(errors[k - 1] / errors[k])
        check(f"{scheme}: observed order dt = {steps[k-1]} -> {steps[k]} s: "
              f"{p:.3f} (must lie in [{low}, {high}])", low <= p <= high)
tols = ["0.1", "0.01", "0.001"]
errors = []
for tol in tols:
    rows, e = final(f"adaptive_{tol}")
    errors.append(e)
    estimates = [float(r["error_estimate_K"]) for r in rows if r["error_estimate_K"]]
    check(f"adaptive BDF2: tolerance {tol} K: {len(rows)} steps, "
          f"{sum(int(r['rejected_steps']) for r in rows)} rejected, "
          f"|T - T_exact| = {e:.4e} K; every accepted estimate below the "
          f"tolerance", all(x <= float(tol) for x in estimates))
for k in range(1, len(tols)):
    p = math.log10(errors[k - 1] / errors[k])
    check(f"adaptive BDF2: error exponent in the tolerance {tols[k-1]} -> "
          f"{tols[k]} K: {p:.3f} (2/3 expected, must lie in [0.5, 0.85])",
          0.5 <= p <= 0.85)
# 'Time/Nonlinear tolerance factor' (0.01 by default) stops each step's
# iteration at 1% of the error tolerance: the result must differ from the
# fully converged steps' by far less than the time error itself (< 5% of
# it).
loose, e_loose = final("adaptive_0.01")
tight, e_tight = final("adaptive_0.01_tight")
d = abs(float(loose[-1]["temperature_mean_K"]) - float(tight[-1]["temperature_mean_K"]))
check(f"adaptive BDF2, tolerance 0.01 K: steps solved to 1e-4 K against "
      f"Picard tolerance: |T_end difference| = {d:.3e} K, time error "
      f"{e_tight:.4e} K (must be < 5% of it)", d < 0.05 * e_tight)
finish()
PY
