#!/usr/bin/env python3
"""Robustness of the two-temperature heat solve in the coupling gamma_el.

Runs the insulating slab of tests/two_temperature_slab.prm (kappa_e =
kappa_l, Q2, 1024 cells) for alpha h = 1 ... 1e5, alpha^2 = gamma kappa /
(kappa_e kappa_l), and prints per value: gamma, the CG iterations of the
first heat solve of the run (from the cold start, ML AMG with two
unknowns per node and the block Gauss-Seidel smoother), the Picard steps
to convergence, and the nodal errors of T_l and T against (P-30)/(P-28)
relative to the rise (the mesh resolves the boundary layer 1/alpha only
up to alpha h ~ 30; tests/two_temperature_stiff.prm resolves alpha h =
300).

Usage: bench/two_temperature_solver.py [--np N]
"""
import argparse
import json
import os
import re
import subprocess
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
EXE = os.path.join(ROOT, "build", "imtsim")
PRM = os.path.join(ROOT, "tests", "two_temperature_slab.prm")
H, KAPPA, KAPPA_E, KAPPA_L = 2e-4, 0.1, 0.05, 0.05


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--np", type=int, default=1)
    args = parser.parse_args()
    launcher = ["mpirun", "-np", str(args.np)] if args.np > 1 else []
    print(f"{'alpha h':>8} {'gamma [W/(m^3 K)]':>18} {'CG its':>7} "
          f"{'Picard':>7} {'err T_l':>9} {'err T':>9} {'converged':>9}")
    for ah in [1, 10, 30, 100, 300, 1e3, 3e3, 1e4, 3e4, 1e5]:
        gamma = (ah / H) ** 2 * KAPPA_E * KAPPA_L / KAPPA
        with tempfile.TemporaryDirectory() as work:
            run = subprocess.run(
                launcher + [EXE, PRM,
                            "--set", f"Thermal/Electron-lattice coupling={gamma}",
                            "--set", "Solver/Maximum Picard iterations=50"],
                cwd=work, capture_output=True, text=True)
            steps = re.findall(r"Picard +(\d+):.*its e/T = \d+/(\d+)",
                               run.stdout)
            summary = json.load(open(os.path.join(work, "results",
                                                  "summary.json")))
            cycle = summary["cycles"][-1]
            v = cycle["verification"]
            print(f"{ah:8.0e} {gamma:18.3e} {steps[0][1]:>7} "
                  f"{len(steps):>7} "
                  f"{v['lattice_nodal_error_relative']:9.1e} "
                  f"{v['electron_nodal_error_relative']:9.1e} "
                  f"{str(cycle['converged']):>9}")


if __name__ == "__main__":
    main()
