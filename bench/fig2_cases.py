#!/usr/bin/env python3
"""The paper's Fig. 2 cases (prm/fig2a.prm, fig2a_reversed.prm, fig2c.prm,
fig2d.prm, fig2e.prm), as tabulated in doc/fig2/: per case and step the
current, V, T_max, the mean and top-surface mean temperatures, the metal
fraction and its share in the drain half, the metal extents along the top
centre line from each end, the DoFs and mesh adaptations, how the state
was reached, and the run time. With --figures DIR the panels are drawn
there by scripts/plot_fig2.py (T/T0 on the section y = W/2 and on the top
face; for fig2e the phase boundaries of its currents).

Usage: bench/fig2_cases.py [--cases a,c,...] [--adaptive] [--np N]
                           [--results DIR] [--figures DIR]
                           [--set SUBSECTION/ENTRY=VALUE ...]
  --cases     which of fig2a, fig2a_reversed, fig2c, fig2d, fig2e (default
              all; about 10 min on one core of the development machine)
  --adaptive  with interface adaptation: 'Mesh/Interface refinement = 1'
              and 'Mesh/Relax after adaptation = true' (each adaptation
              followed by a relaxation in time on the new mesh, until
              'Sweep/Relaxation rate = 0.1' K/s; fig2a: 68 min on 2 ranks)
  --np        run with mpirun -np N (default 1: no mpirun)
  --results   run into (or, where DIR/CASE/summary.json exists, read) DIR
  --figures   draw the panels into this directory
  --set       SUBSECTION/ENTRY=VALUE, passed on to imtsim (repeatable); fig2d
              and fig2e were converged adaptively with --set 'Time/Error
              tolerance=5' (doc/fig2/fig2d.md, fig2e.md)
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
EXE = os.path.join(ROOT, "build", "imtsim")
CASES = ["fig2a", "fig2a_reversed", "fig2c", "fig2d", "fig2e"]


ADAPTIVE = ["--set", "Mesh/Interface refinement=1",
            "--set", "Mesh/Relax after adaptation=true",
            "--set", "Sweep/Relaxation rate=0.1"]


def run(case, directory, adaptive, ranks, extra):
    prm = os.path.join(ROOT, "prm", case + ".prm")
    command = [EXE, prm, "--set", "Output/Directory=" + directory]
    if adaptive:
        command += ADAPTIVE
    for entry in extra:
        command += ["--set", entry]
    if ranks > 1:
        command = ["mpirun", "-np", str(ranks)] + command
    start = time.time()
    with open(directory + ".log", "w") as log:
        status = subprocess.call(command, stdout=log, stderr=subprocess.STDOUT)
    with open(directory + ".time", "w") as f:
        f.write(f"{time.time() - start:.0f} {status}\n")


def rows(directory):
    summary = json.load(open(os.path.join(directory, "summary.json")))
    return summary["steps"] if "steps" in summary else summary["cycles"][-1:]


def reached(r):
    text = r["initial_condition"]
    if r.get("jump_at") is not None and r.get("jump_at") == r.get("jump_at"):
        text = f"jump at {1e3 * r['jump_at']:.4g} mA; " + text
    return text


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", default=",".join(CASES))
    parser.add_argument("--adaptive", action="store_true")
    parser.add_argument("--np", type=int, default=1)
    parser.add_argument("--results")
    parser.add_argument("--figures")
    parser.add_argument("--set", action="append", default=[],
                        metavar="SUBSECTION/ENTRY=VALUE",
                        help="passed on to imtsim, for example "
                             "'Time/Error tolerance=5'")
    args = parser.parse_args()
    results = args.results or tempfile.mkdtemp(prefix="fig2_cases_")
    os.makedirs(results, exist_ok=True)
    print("case,I_mA,V,T_max_K,T_mean_K,T_top_mean_K,metal_fraction,"
          "drain_half,extent_drain_um,extent_source_um,dofs,adaptations,"
          "relaxation_s,converged,run_s,reached")
    for case in args.cases.split(","):
        directory = os.path.join(results, case)
        if not os.path.exists(os.path.join(directory, "summary.json")):
            run(case, directory, args.adaptive, args.np, args.set)
        seconds = open(directory + ".time").read().split()[0] \
            if os.path.exists(directory + ".time") else "-"
        for r in rows(directory):
            metal = r["metal_volume_fraction"]
            share = (f"{100 * r['metal_volume_fraction_drain_half'] / metal:.0f}%"
                     if metal > 0 else "-")
            relax = r.get("relaxation_time_s", 0) or 0
            print(f"{case},{1e3 * r['current_A']:.3f},{r['voltage_V']:.5f},"
                  f"{r['temperature_max_K']:.2f},{r['temperature_mean_K']:.2f},"
                  f"{r['temperature_top_mean_K']:.2f},{metal:.4e},{share},"
                  f"{1e6 * r['metal_extent_drain_m']:.1f},"
                  f"{1e6 * r['metal_extent_source_m']:.1f},{r['n_dofs']},"
                  f"{r['mesh_adaptations']},{relax:.3g},"
                  f"{int(r['converged'])},{seconds},\"{reached(r)}\"")
        if args.figures:
            os.makedirs(args.figures, exist_ok=True)
            plot = ["/usr/bin/python3", os.path.join(ROOT, "scripts",
                                                 "plot_fig2.py"), directory]
            if case == "fig2e":
                for plane, suffix in (("top", ""), ("section", "_section")):
                    subprocess.run(plot + [
                        "--boundaries", "--plane", plane, "--out",
                        os.path.join(args.figures,
                                     f"fig2e_boundaries{suffix}.png")],
                        check=True, stdout=subprocess.DEVNULL)
                for k, r in enumerate(rows(directory)):
                    name = f"fig2e_{1e3 * r['current_A']:.0f}mA"
                    subprocess.run(plot + ["--entry", str(k), "--out",
                                           os.path.join(args.figures, name)],
                                   check=True, stdout=subprocess.DEVNULL)
            else:
                subprocess.run(plot + ["--out", os.path.join(args.figures,
                                                              case)],
                               check=True, stdout=subprocess.DEVNULL)


if __name__ == "__main__":
    main()
