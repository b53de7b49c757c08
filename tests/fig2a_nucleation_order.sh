#!/bin/bash
# Which electrode the metal appears at first under a current ramp (issue 4),
# on the Fig. 2a cross-section (fig2a_nucleation_order.prm: 8.5 to 9.5 mA
# in steps of 0.25 mA, each from the previous state).
# Before any metal exists there is no Peltier heat (H = 0, the case is
# mirror-symmetric about x = L/2), so what separates the electrodes is the
# Peltier heat of the transition band itself: heating where the current
# enters the metal, at the drain for Delta S > 0 (MODEL.md's sign check).
# The onset current of an electrode is where the metal in its half of the
# sample (sweep.csv: metal_volume_fraction_drain_half, and the rest of
# metal_volume_fraction for the source half) first exceeds 5e-4 of the
# sample's volume (a third of a cell of this mesh), interpolated linearly
# between the steps. Required:
#  - Delta S = 2.582 mV/K (P = -0.2): the drain half holds over 80% of the
#    metal at every step with metal, and the source's onset comes more
#    than 0.4 mA after the drain's (or not within the ramp);
#  - Delta S/10: both onsets within the ramp, their gap less than a quarter
#    of the gap with Delta S (a lower bound for that one where the source's
#    onset lies beyond the ramp), and neither half holds over 70% of the
#    metal.
# Then, with Delta S/10, the ramp on to a channel and back (9.5 to 11.5 mA
# in steps of 0.5 mA and down again, from a cold start at 9.5 mA):
#  - the top centre line is metal from pad to pad ("channel") at 11 and
#    11.5 mA and not at 10.5 mA or below (doc/sweeps.md: with Delta S it
#    keeps a gap at the drain pad up to 14 mA);
#  - every step is steady, and the ramp down meets the states of the ramp
#    up (V within 1e-6 at every current, the same pattern): no hysteresis.
# And the same from a cold start at 11.5 mA, down to 10.5 mA and back:
#  - sweep.csv labels the descending list "down" and its return "up";
#  - the channel at 11 and 11.5 mA and none at 10.5 mA, as above.
# Usage: fig2a_nucleation_order.sh IMTSIM SOURCE_DIR WORK_DIR
source "$(dirname "$0")/common.sh"
prm="$src/tests/fig2a_nucleation_order.prm"
"$exe" "$prm" --set "Output/Directory=peltier" >peltier.log
"$exe" "$prm" --set "Material/Insulator Seebeck coefficient=2.582e-4" \
  --set "Output/Directory=peltier_tenth" >peltier_tenth.log
"$exe" "$prm" --set "Material/Insulator Seebeck coefficient=2.582e-4" \
  --set "Sweep/Values=9.5e-3, 10e-3, 10.5e-3, 11e-3, 11.5e-3" \
  --set "Sweep/Return=true" --set "Output/Directory=channel_tenth" \
  >channel_tenth.log
"$exe" "$prm" --set "Material/Insulator Seebeck coefficient=2.582e-4" \
  --set "Sweep/Values=11.5e-3, 11e-3, 10.5e-3" --set "Sweep/Return=true" \
  --set "Output/Directory=channel_tenth_down" >channel_tenth_down.log
/usr/bin/python3 - <<'PY'
from check import check, finish, onset, read_csv
threshold = 5e-4

result = {}
for case in ("peltier", "peltier_tenth"):
    rows = read_csv(case + "/sweep.csv")
    assert all(r["converged"] == "1" for r in rows), case + ": a step failed"
    current = [1e3 * float(r["control"]) for r in rows]
    total = [float(r["metal_volume_fraction"]) for r in rows]
    drain = [float(r["metal_volume_fraction_drain_half"]) for r in rows]
    source = [t - d for t, d in zip(total, drain)]
    assert drain[0] <= threshold and source[0] <= threshold, \
        case + ": metal above the threshold at the first current already"
    for i, t, d in zip(current, total, drain):
        print(f"{case}: I = {i:.2f} mA: metal fraction {t:.3e}, drain half "
              f"{d:.3e} ({100 * d / t if t > 0 else 0:.0f}%)")
    share = [d / t for t, d in zip(total, drain) if t > 1e-6]
    result[case] = (onset(current, drain), onset(current, source), share,
                    current[-1])

d, s, share, last = result["peltier"]
print(f"peltier: onset at the drain {d} mA, at the source {s} mA")
check("peltier: the drain's onset lies within the ramp", d is not None)
check("peltier: the drain half holds over 80% of the metal at every step",
      len(share) > 0 and min(share) > 0.8)
gap = None
if d is not None:
    # At least this, if the source's onset lies beyond the ramp.
    gap = (s if s is not None else last) - d
    print(f"peltier: gap between the onsets {'>= ' if s is None else ''}"
          f"{gap:.3f} mA")
    check("peltier: the source's onset comes over 0.4 mA after the drain's",
          gap > 0.4)
d, s, share, last = result["peltier_tenth"]
print(f"peltier_tenth: onset at the drain {d} mA, at the source {s} mA")
check("peltier_tenth: both onsets lie within the ramp",
      d is not None and s is not None)
if d is not None and s is not None and gap is not None:
    print(f"peltier_tenth: gap between the onsets {abs(s - d):.3f} mA")
    check("peltier_tenth: the gap is less than a quarter of peltier's",
          abs(s - d) < 0.25 * gap)
check("peltier_tenth: neither half holds over 70% of the metal",
      len(share) > 0 and max(share) < 0.7 and min(share) > 0.3)
rows = read_csv("channel_tenth/sweep.csv")
check("channel_tenth: 9 steps, all steady",
      len(rows) == 9 and all(r["converged"] == "1" for r in rows))
up = {r["control"]: r for r in rows if r["direction"] == "up"}
for r in rows:
    print(f"channel_tenth: {r['direction']} I = {1e3 * float(r['control']):.1f}"
          f" mA: V = {float(r['voltage_V']):.6f} V, top line "
          f"{r['metal_pattern']}")
check("channel_tenth: a channel at 11 and 11.5 mA, none up to 10.5 mA",
      all((up[r["control"]]["metal_pattern"] == "channel")
          == (float(r["control"]) > 10.75e-3) for r in rows))
check("channel_tenth: the ramp down meets the ramp up's states (V to 1e-6, "
      "the same pattern)",
      all(abs(float(r["voltage_V"]) - float(up[r["control"]]["voltage_V"]))
          <= 1e-6 * float(r["voltage_V"])
          and r["metal_pattern"] == up[r["control"]]["metal_pattern"]
          for r in rows))
rows = read_csv("channel_tenth_down/sweep.csv")
print("channel_tenth_down: " + ", ".join(
    f"{r['direction']} {1e3 * float(r['control']):.1f} mA {r['metal_pattern']}"
    for r in rows))
check("channel_tenth_down: a list in descending order is labelled a ramp "
      "down, its return a ramp up",
      [r["direction"] for r in rows] == ["down"] * 3 + ["up"] * 2)
check("channel_tenth_down: all steady, a channel at 11 and 11.5 mA, none at "
      "10.5 mA",
      all(r["converged"] == "1" and (r["metal_pattern"] == "channel")
          == (float(r["control"]) > 10.75e-3) for r in rows))
finish()
PY
