#!/usr/bin/env python3
"""The metal radius of the Peltier-only steady state against (P-14).

Runs p14_3d.prm (the free-boundary solver, doc/peltier_only.md section 5)
at each current, each from a seed of radius sqrt(I/10 mA) x 0.6 mm, with
three Kelly cycles, and prints per current and cycle the metal extent r_c
from the drain edge along the top centre line, the (P-14) radius
sqrt(2 h T_MIT I dS/(pi kappa dT)), their ratio, and the log-log slope of
r_c(I) on each cycle (1/2 for (P-14)) and between neighbouring currents.
A negative current reverses the polarity (the seeded pad is then the
source); its seed has the radius of |I|, and it is left out of the fits.

With --graded: p14_graded.prm on the hexahedral mesh of p14_graded.geo
(8 layers through h, 30 um near the drain), made here with gmsh, one cycle.
A current whose interface stays undecided beyond 'Solver/Free boundary
tolerance' exits with code 3; its row is printed with conv. False.

With 'Output/Write fields=true' (--set), p14_profile.py (run with pvpython)
then prints the metal wedge's depth profile of a run against the wedge
theory (doc/peltier_only.md section 6.5).

Usage: p14_study.py [--imtsim PATH] [--np N] [--currents mA,...] [--graded]
                    [--geo NAME=VALUE ...] [--work DIR]
                    [--set SUBSECTION/ENTRY=VALUE ...]
"""
import argparse, json, math, os, subprocess, sys, time

here = os.path.dirname(os.path.abspath(__file__))
parser = argparse.ArgumentParser()
parser.add_argument("--imtsim", default=os.path.join(here, "../../build/imtsim"))
parser.add_argument("--np", type=int, default=2)
parser.add_argument("--currents", default="10,20,40,80")
parser.add_argument("--work", default="results-p14-study")
parser.add_argument("--graded", action="store_true",
                    help="p14_graded.prm on the mesh of p14_graded.geo "
                         "(made here with gmsh) instead of p14_3d.prm")
parser.add_argument("--geo", action="append", default=[],
                    metavar="NAME=VALUE",
                    help="with --graded: a number of p14_graded.geo set "
                         "for gmsh (-setnumber), for example 'lf=2e-5' "
                         "or 'layers=12'; repeatable")
parser.add_argument("--set", action="append", default=[],
                    metavar="SUBSECTION/ENTRY=VALUE",
                    help="passed on to imtsim, for example "
                         "'Solver/Free boundary interface=level set'")
args = parser.parse_args()

h, T_mit, dT, kappa, dS = 2e-4, 360.0, 60.0, 0.1, 2.582e-3
currents = [float(c) * 1e-3 for c in args.currents.split(",")]
os.makedirs(args.work, exist_ok=True)
env = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1",
           OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1",
           OMPI_MCA_rmaps_base_oversubscribe="1")
prm = os.path.join(here, "p14_graded.prm" if args.graded else "p14_3d.prm")
extra = []
if args.graded:
    mesh = os.path.abspath(os.path.join(args.work, "p14_graded.msh"))
    numbers = []
    for entry in args.geo:
        name, value = entry.split("=", 1)
        numbers += ["-setnumber", name.strip(), value.strip()]
    subprocess.check_call(["gmsh", "-3", "-format", "msh22"] + numbers +
                          ["-o", mesh, os.path.join(here, "p14_graded.geo")],
                          stdout=subprocess.DEVNULL)
    extra = ["--set", "Mesh/Mesh file=" + mesh]
for entry in args.set:
    extra += ["--set", entry]
rows = {}
for I in currents:
    r0 = 6e-4 * math.sqrt(abs(I) / 10e-3)
    out = os.path.join(args.work, "I_%gmA" % (I * 1e3))
    cmd = ["mpirun", "-np", str(args.np), args.imtsim, prm] + extra + [
           "--set", "Electric/Current=%g" % I,
           "--set", "Thermal/Initial temperature=T0 + 120*(z/h)*"
                    "exp(-(x^2+(y-W/2)^2)/(%g)^2)" % r0,
           "--set", "Output/Directory=" + out]
    start = time.time()
    with open(out + ".log", "w") as log:
        code = subprocess.call(cmd, stdout=log, stderr=subprocess.STDOUT,
                               env=env)
    cycles = json.load(open(os.path.join(out, "summary.json")))["cycles"]
    rows[I] = cycles
    print("I = %g mA: exit %d, %.0f s" % (I * 1e3, code, time.time() - start),
          flush=True)

print("\n%8s %6s %9s %10s %10s %8s %7s %10s %6s" %
      ("I [mA]", "cycle", "DoFs", "r_c [mm]", "P-14 [mm]", "ratio",
       "steps", "viol. [K]", "conv."))
for I in currents:
    p14 = math.sqrt(2 * h * T_mit * abs(I) * dS / (math.pi * kappa * dT))
    for c in rows[I]:
        v = c["verification"]
        print("%8g %6d %9d %10.4f %10.4f %8.3f %7d %10.3g %6s" %
              (I * 1e3, c["cycle"], c["n_dofs"],
               c["metal_extent_drain_m"] * 1e3, p14 * 1e3,
               c["metal_extent_drain_m"] / p14,
               v["free_boundary_steps"],
               v["free_boundary_largest_violation_K"], c["converged"]))
positive = [I for I in currents if I > 0]
n_cycles = min(len(r) for r in rows.values())
for k in range(n_cycles):
    extents = [rows[I][k]["metal_extent_drain_m"] for I in positive]
    if len(positive) < 2 or min(extents) <= 0:
        continue
    xs = [math.log(I) for I in positive]
    ys = [math.log(r) for r in extents]
    for i in range(1, len(xs)):
        print("cycle %d: exponent between %g and %g mA = %.3f" %
              (k, 1e3 * positive[i - 1], 1e3 * positive[i],
               (ys[i] - ys[i - 1]) / (xs[i] - xs[i - 1])))
    n = len(xs)
    mx, my = sum(xs) / n, sum(ys) / n
    slope = sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / \
        sum((x - mx) ** 2 for x in xs)
    print("cycle %d: fitted exponent of r_c(I) = %.3f (P-14: 0.5)" %
          (k, slope))
