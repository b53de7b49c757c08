#!/usr/bin/env python3
"""The mesh dependence of the 2D Fig. 2a ramp's first transitions
(doc/sweeps.md, "The 2D ramp on finer meshes").

Two studies on the x-z cross-section, at 'Mesh/Initial global refinement'
1 (the shipped prm's mesh), 2 and 3 (1533, 5589 and 21381 DoFs per field):

  onsets  tests/fig2a_nucleation_order.prm ramped 8.5 to 10 mA in steps of
          0.1 mA, with Delta S and with Delta S/10: where the metal in each
          half of the sample first exceeds 5e-4 of its volume (the
          definition of ctest -R nucleation_order), the drain half's share
          of the metal, and T_max and V at 8.5 mA (no metal yet);
  fold    prm/fig2a_ramp_2d.prm's upper branch by natural steps from 8 mA
          to 10.5 mA without relaxation: the last current a natural step
          converges at.

Usage: bench/fig2a_ramp_mesh_2d.py [--levels 1 2 3] [--results DIR]
About 15 min on one core of the development machine (most of it level 3).
"""
import argparse
import os
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# The onset as tests/fig2a_nucleation_order.sh defines it.
sys.path.insert(0, os.path.join(ROOT, "tests"))
from check import onset, read_csv  # noqa: E402

EXE = os.path.join(ROOT, "build", "imtsim")
DELTA_S = {"dS": "2.582e-3", "dS/10": "2.582e-4"}


def run(directory, prm, extra):
    command = [EXE, os.path.join(ROOT, prm),
               "--set", "Output/Directory=" + directory] + extra
    start = time.time()
    with open(directory + ".log", "w") as log:
        status = subprocess.call(command, stdout=log, stderr=subprocess.STDOUT)
    print(f"# {os.path.basename(directory)}: exit {status}, "
          f"{time.time() - start:.0f} s", flush=True)


def rows(directory):
    return read_csv(os.path.join(directory, "sweep.csv"))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--levels", nargs="+", type=int, default=[1, 2, 3])
    parser.add_argument("--results", help="tabulate the runs in DIR")
    args = parser.parse_args()
    base = args.results or tempfile.mkdtemp(prefix="fig2a_mesh_2d_")
    onset_values = ", ".join(f"{8.5 + 0.1 * k:.1f}e-3" for k in range(16))
    fold_values = ", ".join(
        ["8e-3", "8.5e-3", "9e-3", "9.5e-3", "9.75e-3", "10e-3"]
        + [f"{10 + 0.05 * k:.2f}e-3" for k in range(1, 11)])
    if not args.results:
        for level in args.levels:
            mesh = ["--set", f"Mesh/Initial global refinement={level}"]
            for name, dS in DELTA_S.items():
                run(os.path.join(base, f"onsets_{level}_{name.replace('/', '_')}"),
                    "tests/fig2a_nucleation_order.prm",
                    mesh + ["--set", f"Material/Insulator Seebeck coefficient={dS}",
                            "--set", "Sweep/Values=" + onset_values])
            run(os.path.join(base, f"fold_{level}"), "prm/fig2a_ramp_2d.prm",
                mesh + ["--set", "Sweep/Values=" + fold_values,
                        "--set", "Sweep/Return=false",
                        "--set", "Sweep/Jump by relaxation=false"])
    print(f"# {base}")
    print("level,DoFs,Delta_S,T_max_8.5mA_K,V_8.5mA,drain_onset_mA,"
          "source_onset_mA,drain_share_min,drain_share_max,"
          "source_half_metal_9.5mA,last_converged_mA")
    for level in args.levels:
        fold = rows(os.path.join(base, f"fold_{level}"))
        last = max(1e3 * float(r["control"]) for r in fold
                   if r["converged"] == "1")
        for name in DELTA_S:
            r = rows(os.path.join(base,
                                  f"onsets_{level}_{name.replace('/', '_')}"))
            r = [x for x in r if x["converged"] == "1"]
            current = [1e3 * float(x["control"]) for x in r]
            total = [float(x["metal_volume_fraction"]) for x in r]
            drain = [float(x["metal_volume_fraction_drain_half"]) for x in r]
            source = [t - d for t, d in zip(total, drain)]
            share = [d / t for d, t in zip(drain, total) if t > 0]
            d_on, s_on = onset(current, drain), onset(current, source)
            at95 = [s for c, s in zip(current, source) if abs(c - 9.5) < 1e-9]

            def fmt(x):
                return "-" if x is None else f"{x:.3f}"
            print(f"{level},{r[0]['n_dofs']},{name},"
                  f"{float(r[0]['temperature_max_K']):.4f},"
                  f"{float(r[0]['voltage_V']):.5f},{fmt(d_on)},"
                  f"{fmt(s_on) if s_on else f'> {current[-1]:.1f}'},"
                  f"{min(share):.2f},{max(share):.2f},"
                  f"{at95[0] if at95 else float('nan'):.2e},"
                  f"{last:.3f}" + ("" if name == "dS" else " (dS)"))


if __name__ == "__main__":
    main()
