#!/usr/bin/env python3
"""Interface adaptation against uniform refinement on the Fig. 2a cross-
section (2D, prm/fig2a_ramp_2d.prm at one current, reached from T0 by a
4-stage ramp), as tabulated in doc/verification.md.

Uniform meshes: 'Mesh/Initial global refinement' = 1 .. --levels. Adaptive
meshes: global refinement 1 and 'Mesh/Interface refinement' = 1 .. --levels
- 1, so adaptive run n has the interface cells of uniform run n + 1. Per run:
DoFs per field, V, the mean temperature, the metal fraction, the metal
extents along the top centre line from each pad, and each quantity's
difference from the finest uniform run (the reference), the run time, and
whether it converged.

Usage: bench/adaptive_vs_uniform.py [--current A] [--delta-s V/K]
                                    [--levels N] [--results DIR]
  --current   the current (default 9e-3 A)
  --delta-s   'Material/Insulator Seebeck coefficient' (default 2.582e-4
              V/K, the Peltier number P = -0.02 of Fig. 2c)
  --levels    the finest uniform global refinement (default 5; the finest
              run has 89600 cells, 359k DoFs per field, about 4 min)
  --results   run into (or, where DIR/RUN/summary.json exists, read) DIR
"""
import argparse
import json
import os
import subprocess
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
EXE = os.path.join(ROOT, "build", "imtsim")
PRM = os.path.join(ROOT, "prm", "fig2a_ramp_2d.prm")
KEYS = [("voltage_V", "V [V]", 1),
        ("temperature_mean_K", "mean T [K]", 1),
        ("metal_volume_fraction", "metal fraction", 1),
        ("metal_extent_drain_m", "extent at drain [um]", 1e6),
        ("metal_extent_source_m", "extent at source [um]", 1e6)]


def run(directory, settings):
    command = [EXE, PRM, "--set", "Sweep/Values=", "--set",
               "Electric/Ramp steps=4", "--set",
               "Output/Directory=" + directory]
    for s in settings:
        command += ["--set", s]
    start = time.time()
    with open(directory + ".log", "w") as log:
        status = subprocess.call(command, stdout=log, stderr=subprocess.STDOUT)
    with open(directory + ".time", "w") as f:
        f.write(f"{time.time() - start:.1f} {status}\n")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--current", type=float, default=9e-3)
    parser.add_argument("--delta-s", type=float, default=2.582e-4)
    parser.add_argument("--levels", type=int, default=5)
    parser.add_argument("--results")
    args = parser.parse_args()
    results = args.results or tempfile.mkdtemp(prefix="adaptive_vs_uniform_")
    os.makedirs(results, exist_ok=True)
    common = [f"Electric/Current={args.current}",
              f"Material/Insulator Seebeck coefficient={args.delta_s}",
              "Mesh/Initial global refinement=1"]
    runs = [(f"uniform {g}", f"v{g}",
             common[:-1] + [f"Mesh/Initial global refinement={g}"])
            for g in range(1, args.levels + 1)]
    runs += [(f"adaptive +{n}", f"b{n}",
              common + [f"Mesh/Interface refinement={n}"])
             for n in range(1, args.levels)]
    data = {}
    for name, tag, settings in runs:
        directory = os.path.join(results, tag)
        if not os.path.exists(os.path.join(directory, "summary.json")):
            run(directory, settings)
        summary = json.load(open(os.path.join(directory, "summary.json")))
        seconds = open(directory + ".time").read().split()[0] \
            if os.path.exists(directory + ".time") else "-"
        data[name] = (summary["cycles"][-1], seconds)
    reference = data[f"uniform {args.levels}"][0]
    print("run,dofs," + ",".join(
        f"{label},diff" for _, label, _ in KEYS) + ",converged,run_s")
    for name, _, _ in runs:
        r, seconds = data[name]
        cells = []
        for key, _, scale in KEYS:
            cells.append(f"{scale * r[key]:.6g}")
            cells.append(f"{scale * (r[key] - reference[key]):.2e}")
        print(f"{name},{r['n_dofs']}," + ",".join(cells) +
              f",{int(r['converged'])},{seconds}")


if __name__ == "__main__":
    main()
