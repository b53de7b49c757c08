#!/usr/bin/env python3
"""Convergence of the direct-flux energy balance under uniform refinement.

heat_out_W is the consistent (residual-based) substrate flux and balances
P_Joule + P_Peltier to solver tolerance on every mesh. heat_out_direct_W,
the face integral of -kappa dT/dn over the substrate, carries the
discretisation error of the gradient: this script runs the Fig. 2a
geometry through uniform refinement cycles ('Mesh/Number of cycles') and
prints, per cycle, the direct-flux balance error and its observed rate in
h (error ratio between cycles / log 2).

Two cases: the default current under the default settings (metal present)
and an all-insulating run at 2 mA (Joule and electrode Peltier heat only,
no phase boundary).

Usage: bench/energy_balance_convergence.py [--np N] [--cycles C]
           [--cells-across-thickness K] [--degree P] [--cases LIST]
"""
import argparse
import json
import math
import os
import subprocess
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
EXE = os.path.join(ROOT, "build", "imtsim")


def run(sets, np_):
    out = tempfile.mkdtemp(prefix="imtsim-bench-")
    cmd = [EXE, os.path.join(ROOT, "prm", "default.prm"),
           "--set", f"Output/Directory={out}",
           "--set", "Output/Write fields=false"]
    for s in sets:
        cmd += ["--set", s]
    if np_ > 1:
        cmd = ["mpirun", "-np", str(np_)] + cmd
    subprocess.run(cmd, capture_output=True, text=True, check=True)
    return json.load(open(os.path.join(out, "summary.json")))["cycles"]


def report(name, cycles):
    print(name)
    print(f"  {'cycle':>5} {'cells':>8} {'DoFs':>9} {'consistent':>11} "
          f"{'direct':>11} {'rate':>6}  {'T_max [K]':>10} {'V [V]':>12}")
    last = None
    for c in cycles:
        e = abs(c["energy_balance_direct_relative_error"])
        rate = "" if last is None or e == 0 else \
            f"{math.log(last / e) / math.log(2):6.2f}"
        print(f"  {c['cycle']:5d} {c['n_active_cells']:8d} {c['n_dofs']:9d} "
              f"{c['energy_balance_relative_error']:11.2e} {e:11.2e} "
              f"{rate:>6}  {c['temperature_max_K']:10.4f} "
              f"{c['voltage_V']:12.7f}")
        last = e


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--np", type=int, default=1)
    ap.add_argument("--cycles", type=int, default=3)
    ap.add_argument("--cells-across-thickness", type=int, default=2)
    ap.add_argument("--degree", type=int, default=2)
    ap.add_argument("--cases", default="insulating,default",
                    help="comma-separated: insulating, default")
    a = ap.parse_args()
    cases = a.cases.split(",")
    mesh = [f"Mesh/Number of cycles={a.cycles}",
            f"Mesh/Coarse cells across thickness={a.cells_across_thickness}",
            f"Solver/Polynomial degree={a.degree}"]
    if "insulating" in cases:
        report("All insulating, 2 mA (Joule + electrode Peltier)",
               run(mesh + ["Electric/Current=2e-3", "Electric/Ramp steps=1"],
                   a.np))
    if "default" in cases:
        report("Default current and phase law (prm/default.prm)",
               run(mesh, a.np))


if __name__ == "__main__":
    main()
