#!/usr/bin/env python3
"""The Fig. 2a current ramps, as tabulated in doc/sweeps.md: per step the
current, V (or its time mean and range for a time-dependent step), how the
step was reached, the metal fraction and its share in the drain half, the
top line's pattern and extents, and whether a metal path joins the pads
(scripts/metal_path.py on the fields).

Usage: bench/fig2a_ramp.py [--tenth | --3d | --3d-jumps | --3d-jumps-down |
                            --3d-jumps-consistent |
                            --3d-jumps-consistent-down]
                           [--results DIR ...] [--check-order]
  (default)      the 2D ramp up to 14 mA and back (prm/fig2a_ramp_2d.prm),
                 about 20 min on one core of the development machine
  --tenth        the same with Delta S/10 (P = -0.02), 8 s
  --3d           the 3D case (prm/fig2a.prm, 2 MPI ranks): its three
                 sweeps of doc/sweeps.md ("The ramp in 3D"), about 24 min:
                 up from 2 mA, down from 7.746 mA, and down to 6 mA and up
  --3d-jumps     the 3D ramp up from 2 mA through its jumps in one sweep,
                 each failed step relaxed in time ('Sweep/Jump by
                 relaxation'), with the tolerances of RAMP_3D below
  --3d-jumps-down the same ramp down from 7.5 mA (from T0 by the drive
                 ramp) to 2 mA, with 3.25 mA added
  --3d-jumps-consistent the ramp up of --3d-jumps with 'Thermal/Electrode
                 Peltier flux = consistent' (doc/model.md), at the
                 values of RAMP_3D_CONSISTENT below, about 33 min
  --3d-jumps-consistent-down the same values down from 7.5 mA and on to
                 1 mA, 7.5 mA reached from T0 in one drive stage
                 ('Electric/Ramp steps = 1': the 4 stages stop at 3.87 mA
                 with this flux)
  --results DIR  tabulate existing runs' DIRs (with fields) instead of
                 running
  --check-order  check the order of the ramp up's transitions (always
                 with --3d-jumps and --3d-jumps-consistent): metal first
                 at the drain only, then also at the source, then a
                 connected channel; exit 1 if it does not hold
After each table: per direction, between which steps the metal, the
source's domain on the top line and the pad-to-pad path appear or vanish.
"""
import argparse
import csv
import os
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
EXE = os.path.join(ROOT, "build", "imtsim")
sys.path.insert(0, os.path.join(ROOT, "tests"))
from check import check, finish  # noqa: E402

# The 3D sweeps: name, values [mA], extra parameters. Each first value is
# reached from T0 by the prm's 4-stage drive ramp.
SWEEPS_3D = [
    ("up", [2, 2.25, 2.5], []),
    ("down", [7.746, 7, 6.5, 6.25, 6, 5.5, 5, 4.5, 4, 3.5, 3.25], []),
    ("down_up", [7.746, 7, 6.5, 6, 6.25], []),
]

# The 3D ramp through its jumps. The smooth law's Newton floor on this mesh
# (|dT|/T0 about 9e-5, doc/verification.md open problem 1) sets what a
# state is known to: 'Picard tolerance' 1e-4 (0.03 K) is reachable, and a
# relaxation can resolve a rate of 0.1 K/s with that nonlinear error once
# its steps reach 3 s (doc/sweeps.md).
RAMP_3D = ([2, 2.25, 2.5, 2.75, 3, 3.5, 4, 4.5, 5, 5.5, 5.75, 6, 6.25,
            6.5, 7, 7.5],
           ["--set", "Sweep/Jump by relaxation=true",
            "--set", "Sweep/Maximum step halvings=0",
            "--set", "Sweep/Relaxation rate=0.1",
            "--set", "Solver/Picard tolerance=1e-4",
            "--set", "Time/Error tolerance=20"])
# Down, 3.25 mA added. After a relaxation at 3.0-3.25 mA the steady
# iteration stagnates at |dT|/T0 = 3e-4 to 6e-4 (doc/sweeps.md), within
# the relaxation's allowance ('Time/Accept stagnated steps').
RAMP_3D_DOWN = (sorted(RAMP_3D[0] + [3.25], reverse=True), RAMP_3D[1])
# Up with the consistent electrode flux (doc/sweeps.md, "The ramp up with
# the consistent electrode flux"): the values of the run recorded there.
RAMP_3D_CONSISTENT = ([v for v in RAMP_3D[0] if v not in (5.75, 6.25)],
                      RAMP_3D[1] + ["--set",
                                    "Thermal/Electrode Peltier flux="
                                    "consistent"])
# Down, on to 1 mA: the drain's domain outlives the ramp up's onset.
RAMP_3D_CONSISTENT_DOWN = (sorted(RAMP_3D_CONSISTENT[0] +
                                  [1.75, 1.5, 1.25, 1.0], reverse=True),
                           RAMP_3D_CONSISTENT[1] +
                           ["--set", "Electric/Ramp steps=1"])


def run(directory, prm, extra, ranks=1):
    command = ([] if ranks == 1 else ["mpirun", "-np", str(ranks)]) + [
        EXE, os.path.join(ROOT, "prm", prm),
        "--set", "Output/Directory=" + directory,
        "--set", "Output/Write fields=true"] + extra
    start = time.time()
    with open(directory + ".log", "w") as log:
        status = subprocess.call(command, stdout=log, stderr=subprocess.STDOUT)
    print(f"# {' '.join(command[command.index(EXE) + 1:])}: exit {status}, "
          f"{time.time() - start:.0f} s")


def transitions(rows, joined, check_order):
    """Per run of steps in one direction, where the metal, the source's
    domain on the top line and the pad-to-pad path appear (up) or vanish
    (down), between which two steps. With CHECK_ORDER, the order issue 4
    names for the ramp up: metal first at the drain only (at least 90% of
    it in the drain half, none on the top line at the source), then also
    at the source, then a connected channel."""
    features = {
        "metal": lambda r, j: float(r["metal_volume_fraction"]) > 0,
        "source domain on the top line":
            lambda r, j: float(r["metal_extent_source_m"]) > 0,
        "metal path pad to pad": lambda r, j: j,
    }
    runs = []
    for r, j in zip(rows, joined):
        if not runs or runs[-1][0] != r["direction"]:
            runs.append((r["direction"], []))
        runs[-1][1].append((r, j))
    for direction, steps in runs:
        for name, has in features.items():
            changes = [k for k in range(1, len(steps))
                       if has(*steps[k]) != has(*steps[k - 1])]
            where = "; ".join(
                f"{'appears' if has(*steps[k]) else 'vanishes'} between "
                f"{1e3 * float(steps[k - 1][0]['current_A']):.4g} and "
                f"{1e3 * float(steps[k][0]['current_A']):.4g} mA"
                for k in changes)
            present = "present" if has(*steps[0]) else "absent"
            print(f"# {direction}: {name}: {where or present + ' throughout'}")
    if not check_order:
        return
    up = [s for d, s in runs if d == "up"]
    steps = up[0] if up else []

    def first(name):
        return next((k for k, s in enumerate(steps)
                     if features[name](*s)), None)
    metal, source, channel = (first(n) for n in features)
    if metal is not None:
        r = steps[metal][0]
        share = (float(r["metal_volume_fraction_drain_half"])
                 / float(r["metal_volume_fraction"]))
        check(f"up: metal first at the drain only ({100 * share:.0f}% in the "
              f"drain half at {1e3 * float(r['current_A']):.4g} mA)",
              share >= 0.9 and float(r["metal_extent_source_m"]) == 0)
    check("up: metal, then also at the source, then a connected channel, "
          "at increasing currents",
          None not in (metal, source, channel)
          and metal < source < channel)


def tabulate(directory, check_order=False):
    rows = list(csv.DictReader(open(os.path.join(directory, "sweep.csv"))))
    paths = subprocess.run(
        [sys.executable, os.path.join(ROOT, "scripts", "metal_path.py"),
         directory], capture_output=True, text=True, check=True).stdout
    joined = [line.split(",")[4] == "1" for line in paths.splitlines()[1:]]
    print(f"# {directory}")
    print("step,direction,I_mA,V,state,reached,metal_fraction,drain_half,"
          "top_line,extents_um,metal_path")
    for r, path in zip(rows, joined):
        td = r["stability"] in ("oscillating", "drifting")
        V = (f"{float(r['voltage_mean_V']):.3f} ({float(r['voltage_min_V']):.3f}"
             f"-{float(r['voltage_max_V']):.3f})" if td
             else f"{float(r['voltage_V']):.4f}")
        if r["jump_at"]:
            start = (f"{1e3 * float(r['jump_from']):.4g}" if r["jump_from"]
                     else "the initial temperature")
            reached = f"relaxed at {1e3 * float(r['jump_at']):.4g} mA from {start}"
        elif r["relaxation_time_s"]:
            reached = f"in time {float(r['relaxation_time_s']):.2f} s"
        else:
            reached = "natural"
        if float(r.get("stagnation_error_K") or 0) > 0:
            reached += (f" (steady at a Newton floor, "
                        f"{float(r['stagnation_error_K']):.2f} K)")
        metal = float(r["metal_volume_fraction"])
        share = (f"{100 * float(r['metal_volume_fraction_drain_half']) / metal:.0f}%"
                 if metal > 0 else "-")
        state = ("steady" if r["converged"] == "1"
                 else r["stability"] if td else "not converged")
        extents = (f"{1e6 * float(r['metal_extent_drain_m']):.0f}/"
                   f"{1e6 * float(r['metal_extent_source_m']):.0f}")
        print(f"{r['step']},{r['direction']},{1e3 * float(r['current_A']):.4g},"
              f"{V},{state},{reached},{metal:.2e},{share},"
              f"{r['metal_pattern']},{extents},{'joined' if path else 'no'}")
    transitions(rows, joined, check_order)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--tenth", action="store_true")
    group.add_argument("--3d", dest="three_d", action="store_true")
    group.add_argument("--3d-jumps", dest="three_d_jumps",
                       action="store_true")
    group.add_argument("--3d-jumps-down", dest="three_d_jumps_down",
                       action="store_true")
    group.add_argument("--3d-jumps-consistent",
                       dest="three_d_jumps_consistent", action="store_true")
    group.add_argument("--3d-jumps-consistent-down",
                       dest="three_d_jumps_consistent_down",
                       action="store_true")
    parser.add_argument("--results", nargs="+")
    parser.add_argument("--check-order", action="store_true")
    args = parser.parse_args()
    # The one-sweep 3D ramps: flag -> (values, extra parameters), name.
    jumps = {"three_d_jumps": (RAMP_3D, "up_jumps"),
             "three_d_jumps_down": (RAMP_3D_DOWN, "down_jumps"),
             "three_d_jumps_consistent": (RAMP_3D_CONSISTENT, "up_consistent"),
             "three_d_jumps_consistent_down": (RAMP_3D_CONSISTENT_DOWN,
                                               "down_consistent")}
    jumps = next((v for k, v in jumps.items() if getattr(args, k)), None)
    if args.results:
        directories = args.results
    else:
        base = tempfile.mkdtemp(prefix="fig2a_ramp_")
        if jumps:
            (values, extra), name = jumps
            directory = os.path.join(base, name)
            run(directory, "fig2a.prm",
                ["--set", "Sweep/Values=" +
                 ", ".join(f"{v}e-3" for v in values)] + extra, 2)
            directories = [directory]
        elif args.three_d:
            directories = []
            for name, values, extra in SWEEPS_3D:
                directory = os.path.join(base, name)
                values = ", ".join(f"{v}e-3" for v in values)
                run(directory, "fig2a.prm",
                    ["--set", "Sweep/Values=" + values,
                     "--set", "Sweep/Maximum step halvings=2"] + extra, 2)
                directories.append(directory)
        else:
            directory = os.path.join(base, "out")
            run(directory, "fig2a_ramp_2d.prm",
                ["--set", "Material/Insulator Seebeck coefficient=2.582e-4"]
                if args.tenth else [])
            directories = [directory]
    for directory in directories:
        tabulate(directory, args.check_order
                 or (jumps is not None and jumps[1].startswith("up")))
    finish()


if __name__ == "__main__":
    main()
