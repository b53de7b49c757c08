#!/usr/bin/env python3
"""The 2D Fig. 2a current ramp up to 14 mA and back (prm/fig2a_ramp_2d.prm),
as tabulated in doc/sweeps.md: per step the current, V (or its time mean
and range for a time-dependent step), how the step was reached, the metal
fraction and its share in the drain half, the top line's pattern and
whether a metal path joins the pads (scripts/metal_path.py on the fields).

Usage: bench/fig2a_ramp.py [--tenth] [--results DIR]
  --tenth        Delta S/10 (P = -0.02) instead of the material's Delta S
  --results DIR  tabulate an existing run's DIR (with fields) instead of
                 running (about 20 min with Delta S, 8 s with Delta S/10,
                 on one core of the development machine)
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
PRM = os.path.join(ROOT, "prm", "fig2a_ramp_2d.prm")


def run(directory, tenth):
    command = [EXE, PRM, "--set", "Output/Directory=" + directory,
               "--set", "Output/Write fields=true"]
    if tenth:
        command += ["--set", "Material/Insulator Seebeck coefficient=2.582e-4"]
    start = time.time()
    with open(os.path.join(directory, "..", "fig2a_ramp.log"), "w") as log:
        status = subprocess.call(command, stdout=log, stderr=subprocess.STDOUT)
    print(f"# {' '.join(command[1:])}: exit {status}, "
          f"{time.time() - start:.0f} s")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tenth", action="store_true")
    parser.add_argument("--results")
    args = parser.parse_args()
    if args.results:
        directory = args.results
    else:
        directory = os.path.join(tempfile.mkdtemp(prefix="fig2a_ramp_"), "out")
        run(directory, args.tenth)
    rows = list(csv.DictReader(open(os.path.join(directory, "sweep.csv"))))
    paths = subprocess.run(
        [sys.executable, os.path.join(ROOT, "scripts", "metal_path.py"),
         directory], capture_output=True, text=True, check=True).stdout
    joined = [line.split(",")[4] == "1" for line in paths.splitlines()[1:]]
    print("step,direction,I_mA,V,state,reached,metal_fraction,drain_half,"
          "top_line,metal_path")
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
        metal = float(r["metal_volume_fraction"])
        share = (f"{100 * float(r['metal_volume_fraction_drain_half']) / metal:.0f}%"
                 if metal > 0 else "-")
        state = "steady" if r["converged"] == "1" else r["stability"]
        print(f"{r['step']},{r['direction']},{1e3 * float(r['current_A']):.3f},"
              f"{V},{state},{reached},{metal:.2e},{share},"
              f"{r['metal_pattern']},{'joined' if path else 'no'}")


if __name__ == "__main__":
    main()
