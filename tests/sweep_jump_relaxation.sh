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
# A relaxation cut short by 'Sweep/Maximum relaxation time' (0.15 s, while
# the metal still grows) over the values 21.4, 22, 22.5 V:
#  - 'Time-dependent states = continue': exit code 0. Step 1 (22 V) is
#    time-dependent: "drifting", converged 0, the steady iteration from its
#    last instant fails (10 Picard steps); its state is its relaxation's
#    last row of relaxation.csv and its current_mean_A/min/max are those
#    of the rows over the second half (recomputed here). Step 2 (22.5 V)
#    is followed in time from step 1's last instant, drifts too, and the
#    steady iteration from there converges: a steady state (converged 1,
#    energy balance below 1e-6).
#  - The same on 2 ranks (rows, relaxation.csv, step 1 to 1e-6).
#  - 'fail': exit code 3 after step 1, whose statistics are kept.
# A first value the iteration from the initial temperature does not reach
# (22 V alone, 6 Picard/Newton steps; it takes 10):
#  - without the relaxation: exit code 3;
#  - with it: the drive is switched on at T0 and the sample followed in
#    time; the row records jump_at 22 V with jump_from empty, the change
#    from T0 (> 100 K), and lands on the reference's 22 V state (current,
#    T_max, metal fraction within 1e-6).
# A steady iteration after a settled relaxation that stagnates at a floor
# ('Time/Accept stagnated steps'): 21.4 V alone with 'Solver/Picard
# tolerance' 1e-15, below the round-off floor (about 6e-15 of T0). The
# iteration from T0 stagnates, the sample followed in time settles, and
# the steady iteration from there stagnates again:
#  - accepted (the default): converged, stagnation_error_K above 0 and
#    within the allowance 'Time/Nonlinear tolerance factor' x 'Error
#    tolerance' (0.05 K), on the reference's 21.4 V state (current, T_max
#    within 1e-9); the steps that met the tolerance record 0;
#  - with 'Time/Accept stagnated steps = false': exit code 3.
# Usage: sweep_jump_relaxation.sh IMTSIM SOURCE_DIR WORK_DIR
source "$(dirname "$0")/common.sh"
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
short=("--set" "Sweep/Maximum relaxation time=0.15" "--set" "$few"
  "--set" "Sweep/Values=21.4, 22, 22.5")
"$exe" "$prm" "${short[@]}" --set "Output/Directory=short" >short.log
mpirun -np 2 "$exe" "$prm" "${short[@]}" --set "Output/Directory=short_2" \
  >short_2.log
status=0
"$exe" "$prm" "${short[@]}" --set "Sweep/Time-dependent states=fail" \
  --set "Output/Directory=short_fail" >short_fail.log 2>&1 || status=$?
echo "time-dependent step with 'fail': exit code $status (must be 3)"
[ "$status" -eq 3 ]
status=0
fewer="Solver/Maximum Picard iterations=6"
"$exe" "$prm" --set "Sweep/Jump by relaxation=false" --set "$fewer" \
  --set "Sweep/Values=22" --set "Output/Directory=first_no_relaxation" \
  >first_no_relaxation.log 2>&1 || status=$?
echo "first value without relaxation: exit code $status (must be 3)"
[ "$status" -eq 3 ]
"$exe" "$prm" --set "$fewer" --set "Sweep/Values=22" \
  --set "Output/Directory=first" >first.log
floor=("--set" "Solver/Picard tolerance=1e-15" "--set" "Sweep/Values=21.4")
"$exe" "$prm" "${floor[@]}" --set "Output/Directory=floor" >floor.log
status=0
"$exe" "$prm" "${floor[@]}" --set "Time/Accept stagnated steps=false" \
  --set "Output/Directory=floor_rejected" >floor_rejected.log 2>&1 || status=$?
echo "floor without acceptance: exit code $status (must be 3)"
[ "$status" -eq 3 ]
/usr/bin/python3 - <<'PY'
from check import check, finish, read_csv
ref = read_csv("reference/sweep.csv")[-1]
def lands_on_reference(case, row):
    """A jump by relaxation: a change of more than 100 K, onto the direct
    step's 22 V state (current, T_max, metal fraction within 1e-6)."""
    change = float(row["relaxation_change_K"]) if row["jump_at"] else 0
    check(f"{case}: the relaxation changed T by {change:.1f} K (> 100 K)",
          change > 100)
    for key in ("current_A", "temperature_max_K", "metal_volume_fraction"):
        a, b = float(row[key]), float(ref[key])
        diff = abs(a - b) / abs(b)
        check(f"{case}: {key} {a:.9g} against the direct step's {b:.9g}: "
              f"relative difference {diff:.1e} (below 1e-6)", diff < 1e-6)
check("reference: the direct step converged without a jump",
      ref["converged"] == "1" and ref["jump_at"] == "")
for case in ("relaxation", "relaxation_2"):
    rows = read_csv(case + "/sweep.csv")
    last = rows[-1]
    check(f"{case}: every step converged",
          all(r["converged"] == "1" for r in rows))
    check(f"{case}: energy balance below 1e-6 at every step",
          all(float(r["energy_balance_relative_error"]) < 1e-6 for r in rows))
    check(f"{case}: the jump is recorded from 21.4 V at 22 V",
          last["jump_from"] != "" and float(last["jump_from"]) == 21.4
          and float(last["jump_at"]) == 22)
    lands_on_reference(case, last)
rows = read_csv("short/sweep.csv")
relax = read_csv("short/relaxation.csv")
check("short: 3 steps; step 1 drifting with converged 0; steps 0 and 2 "
      "converged",
      len(rows) == 3 and rows[0]["converged"] == "1"
      and rows[1]["converged"] == "0" and rows[1]["stability"] == "drifting"
      and rows[2]["converged"] == "1" and rows[2]["stability"] == "unknown")
for step in (1, 2):
    r = rows[step]
    mine = [x for x in relax if int(x["sweep_step"]) == step]
    t = [float(x["time_s"]) for x in mine]
    check(f"short: step {step} relaxed at its value to t = {t[-1]:.3f} s "
          f"(>= 0.15 s), {len(mine)} rows",
          len(mine) > 2 and t[-1] >= 0.15
          and all(float(x["control"]) == float(r["control"]) for x in mine)
          and abs(float(r["relaxation_time_s"]) - t[-1]) < 1e-12)
one = rows[1]
mine = [x for x in relax if x["sweep_step"] == "1"]
t = [float(x["time_s"]) for x in mine]
I = [float(x["current_A"]) for x in mine]
# The recorded state is the last instant's temperature with the potential
# solved at it; the row's current is that of the step's last iterate (a
# nonlinear tolerance of 0.05 K away): they agree to 1e-3.
check("short: step 1's state is its relaxation's last instant (T_max "
      f"{float(one['temperature_max_K']):.6f} K, I {float(one['current_A']):.6g}"
      f" A against the row's {I[-1]:.6g} A)",
      float(one["temperature_max_K"]) == float(mine[-1]["temperature_max_K"])
      and abs(float(one["current_A"]) - I[-1]) <= 1e-3 * I[-1])
first = next(k for k in range(len(t)) if t[k] >= t[-1] / 2)
mean = sum((t[k] - t[k - 1]) * (I[k] + I[k - 1]) / 2
           for k in range(first + 1, len(t))) / (t[-1] - t[first])
check(f"short: step 1's current_mean_A {float(one['current_mean_A']):.9g}"
      f" = the time mean of relaxation.csv's second half {mean:.9g}",
      abs(float(one["current_mean_A"]) - mean) <= 1e-8 * mean
      and float(one["current_min_A"]) == min(I[first:])
      and float(one["current_max_A"]) == max(I[first:])
      and float(one["voltage_mean_V"]) == 22)
# Step 2 starts from step 1's last instant (358.4 K), not from step 0's
# steady state (357.2 K): its first row lies one short step beyond.
first2 = next(x for x in relax if x["sweep_step"] == "2")
check("short: step 2 continues from step 1's last instant",
      float(first2["temperature_max_K"]) > float(one["temperature_max_K"]))
check("short: step 2 is steady (energy balance below 1e-6, no "
      "time-dependent statistics)",
      float(rows[2]["energy_balance_relative_error"]) < 1e-6
      and rows[2]["current_mean_A"] == "")
two = read_csv("short_2/sweep.csv")
relax_two = read_csv("short_2/relaxation.csv")
same = len(two) == 3 and len(relax_two) == len(relax) and all(
    a["converged"] == b["converged"] and a["stability"] == b["stability"]
    for a, b in zip(rows, two))
for key in ("current_A", "temperature_max_K", "current_mean_A"):
    a, b = float(one[key]), float(two[1][key])
    same = same and abs(a - b) <= 1e-6 * abs(a)
check("short_2: 2 ranks give the same steps, relaxation rows and step 1 "
      "(I, T_max, mean I to 1e-6)", same)
fail = read_csv("short_fail/sweep.csv")
check("short_fail: stops after step 1, which keeps its statistics",
      len(fail) == 2 and fail[1]["converged"] == "0"
      and fail[1]["stability"] == "drifting"
      and fail[1]["current_mean_A"] == one["current_mean_A"])
rows = read_csv("first/sweep.csv")
r = rows[0]
check("first: one step, converged, the jump recorded at 22 V from the "
      "initial temperature (jump_from empty)",
      len(rows) == 1 and r["converged"] == "1" and r["jump_from"] == ""
      and r["jump_at"] != "" and float(r["jump_at"]) == 22)
lands_on_reference("first", r)
r = read_csv("floor/sweep.csv")[0]
first = read_csv("reference/sweep.csv")[0]
error = float(r["stagnation_error_K"] or "nan")
check(f"floor: converged after a relaxation, accepted at a stagnation with "
      f"{error:.2e} K (within the allowance 0.05 K)",
      r["converged"] == "1" and r["jump_at"] != "" and 0 < error <= 0.05)
for key in ("current_A", "temperature_max_K"):
    a, b = float(r[key]), float(first[key])
    check(f"floor: {key} {a:.12g} against the reference's {b:.12g} "
          f"(within 1e-9)", abs(a - b) <= 1e-9 * abs(b))
met = [x for case in ("relaxation", "short", "first")
       for x in read_csv(case + "/sweep.csv") if x["relaxation_time_s"]]
check(f"the {len(met)} other relaxed steps met the tolerance: "
      "stagnation_error_K 0", len(met) >= 4
      and all(float(x["stagnation_error_K"]) == 0 for x in met))
finish()
PY
