#!/usr/bin/env python3
"""Time per staggered-map evaluation and linear-solver throughput.

Runs imtsim on a 2D slab (1.5 j_cr) and on prm/default.prm (3D), then
prints, from the TimerOutput table and summary.json: the wall time per
evaluation of the staggered map (phases, electric and heat solve) and per
outer iteration, and the electric and thermal solves' throughput in DoFs
per second per core (assembly excluded, AMG set-up included: the solve
phase times include every hierarchy rebuild).

Usage: bench/picard_throughput.py [--np N] [--refine R]
"""
import argparse
import json
import os
import re
import subprocess
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
EXE = os.path.join(ROOT, "build", "imtsim")


def run(prm, sets, np_):
    out = tempfile.mkdtemp(prefix="imtsim-bench-")
    cmd = [EXE, prm, "--set", f"Output/Directory={out}",
           "--set", "Output/Write fields=false"]
    for s in sets:
        cmd += ["--set", s]
    if np_ > 1:
        cmd = ["mpirun", "-np", str(np_)] + cmd
    log = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    summary = json.load(open(os.path.join(out, "summary.json")))["final"]
    times = {}
    for line in log.splitlines():
        m = re.match(r"\|\s*([a-z:, ]+?)\s*\|\s*(\d+)\s*\|\s*([\d.e+-]+)s", line)
        if m:
            times[m.group(1)] = (int(m.group(2)), float(m.group(3)))
    return summary, times


def report(name, summary, times, np_):
    its = summary["picard_iterations"]
    dofs = summary["n_dofs"]
    total = sum(t for k, (n, t) in times.items()
                if k.startswith(("electric", "thermal", "phases")))
    print(f"{name}: {dofs} DoFs per field, {its} Picard iterations, "
          f"{np_} rank(s)")
    evaluations = times.get("electric: solve", (its, 0.0))[0]
    print(f"  {evaluations} evaluations of the staggered map "
          f"(electric + heat solve; Newton-Krylov takes one per GMRES "
          f"iteration)")
    print(f"  time per evaluation: {total / evaluations:.3f} s, "
          f"per outer (Picard or Newton) iteration: {total / its:.3f} s")
    for phase in ("electric: solve", "thermal: solve",
                  "electric: assemble", "thermal: assemble"):
        n, t = times.get(phase, (0, 0.0))
        if n:
            print(f"  {phase:20s} {t / n:.4f} s/call, "
                  f"{dofs * n / t / np_:.3g} DoFs/s/core")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--np", type=int, default=1)
    ap.add_argument("--refine", type=int, default=2)
    a = ap.parse_args()
    slab = os.path.join(ROOT, "tests", "parallel_slab_150.prm")
    s, t = run(slab, [f"Mesh/Initial global refinement={a.refine}"], a.np)
    report("2D parallel slab", s, t, a.np)
    s, t = run(os.path.join(ROOT, "prm", "default.prm"), [], a.np)
    report("3D default (Fig. 2a geometry)", s, t, a.np)


if __name__ == "__main__":
    main()
