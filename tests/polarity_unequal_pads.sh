#!/bin/bash
# Polarity with unequal pads (polarity_unequal_pads.prm: a 50 um drain pad,
# a 400 um source pad, swept at +I and -I). Reversing the current keeps the
# Joule heat and flips the sign of the Peltier heat at the metal-insulator
# interface; without a mirror symmetry nothing undoes that. So:
#  - Delta S != 0, with metal present: |Delta psi| at +I and -I differ by far
#    more than the solver tolerance (required: more than 1%);
#  - Delta S != 0, no metal yet (H = 0 everywhere, no Peltier heat): they
#    agree to solver tolerance (1e-8 relative);
#  - S = 0 in both phases: they agree to solver tolerance at every current.
# Usage: polarity_unequal_pads.sh IMTSIM SOURCE_DIR WORK_DIR
source "$(dirname "$0")/common.sh"
prm="$src/tests/polarity_unequal_pads.prm"
"$exe" "$prm" --set "Output/Directory=peltier" >peltier.log
"$exe" "$prm" --set "Material/Insulator Seebeck coefficient=0" \
  --set "Output/Directory=seebeck_zero" >seebeck_zero.log
/usr/bin/python3 - <<'PY'
from check import check, finish, read_csv
for case in ("peltier", "seebeck_zero"):
    rows = read_csv(case + "/sweep.csv")
    plus = {abs(float(r["control"])): r for r in rows if r["polarity"] == "1"}
    minus = {abs(float(r["control"])): r for r in rows if r["polarity"] == "-1"}
    assert sorted(plus) == sorted(minus) and len(plus) >= 2
    for i in sorted(plus):
        p, m = plus[i], minus[i]
        assert p["converged"] == "1" and m["converged"] == "1"
        vp, vm = abs(float(p["voltage_V"])), abs(float(m["voltage_V"]))
        diff = abs(vp - vm) / max(vp, vm)
        fp, fm = float(p["metal_volume_fraction"]), float(m["metal_volume_fraction"])
        metal = fp > 0 or fm > 0
        if case == "peltier" and metal:
            want, good = "differ by more than 1e-2", diff > 1e-2
        else:
            want, good = "agree within 1e-8", diff < 1e-8
        check(f"{case}: I = {1e3 * i:.1f} mA: |dpsi| +I {vp:.6f} V, -I {vm:.6f} V, "
              f"metal fraction {fp:.4f} / {fm:.4f}: relative difference "
              f"{diff:.2e} (must {want})", good)
    # With Delta S != 0 the polarities must differ somewhere.
    if case == "peltier":
        some = any(float(plus[i]["metal_volume_fraction"]) > 0 for i in plus)
        check("peltier: metal at some current", some)
finish()
PY
