#!/usr/bin/env python3
"""Mesh refinement of the Peltier-only metal on the x-z section.

Runs peltier_only_2d.prm with the level-set free-boundary relaxation
(doc/peltier_only.md section 5.5), the consistent electrode flux and a
given metal resistivity, on uniform meshes of 25, 12.5, 6.25 and 3.125 um
(Mesh/Initial global refinement 1-4, no electrode refinement, so no
hanging nodes), at each current. Prints per run: the exit code, the
steps, the metal area fraction, the extent on the top face (the
summary's metal_extent_drain_m), the metal's mean extent in bands of
depth below the top face (its area in the band over the band's height,
from the cells' metal fractions in the written fields), the metal's
T_M - T_MIT and the largest violations left on the layer and the front,
from the last step of the log.

doc/free_boundary_newton.md section 7.4 has the table and what it shows:
the area and the deeper extents agree between meshes, the extents near
the top face (the rim) do not.

Usage: section_refinement.py [--imtsim PATH] [--currents mA,...]
                             [--refinements 1,2,3,4] [--rho-metal 0.1]
                             [--bands um,...] [--set SUBSECTION/ENTRY=VALUE]
Reading the .pvtu needs Python's vtk module (Debian's python3-vtk9, which
the paraview package pulls in).
"""
import argparse, json, os, re, subprocess, sys

here = os.path.dirname(os.path.abspath(__file__))
parser = argparse.ArgumentParser()
parser.add_argument("--imtsim", default=os.path.join(here, "../../build/imtsim"))
parser.add_argument("--currents", default="40")
parser.add_argument("--refinements", default="1,2,3,4")
parser.add_argument("--rho-metal", default="0.1",
                    help="Material/Metal resistivity [Ohm m]; 0.1 = the "
                         "insulator's (a = 1), 0.01 = the paper's material")
parser.add_argument("--bands", default="0,25,50,75,100",
                    help="edges of the depth bands [um] (multiples of the "
                         "coarsest mesh's 25 um)")
parser.add_argument("--steps", type=int, default=400)
parser.add_argument("--work", default="results-section-refinement")
parser.add_argument("--set", action="append", default=[],
                    metavar="SUBSECTION/ENTRY=VALUE")
args = parser.parse_args()

try:
    import vtk
    from vtk.util.numpy_support import vtk_to_numpy
    import numpy as np
except ImportError:
    sys.exit("section_refinement.py: needs python3-vtk9 and numpy")

h, T_mit = 2e-4, 360.0
edges = [float(d) * 1e-6 for d in args.bands.split(",")]
bands = list(zip(edges[:-1], edges[1:]))


def extents(pvtu):
    """Per band of depths [d0, d1] below the top face: the metal's area in
    it divided by d1 - d0 (its mean extent over the band), from the cells'
    metal fractions (the cut-cell quadrature's, so sub-cell). The bands
    are unions of whole cells on every mesh of the study."""
    reader = vtk.vtkXMLPUnstructuredGridReader()
    reader.SetFileName(pvtu)
    reader.Update()
    grid = reader.GetOutput()
    # deal.II writes each cell as its own patch: a cell field is point
    # data, constant on the cell's own points.
    point_frac = vtk_to_numpy(
        grid.GetPointData().GetArray("metal_fraction_cell"))
    frac, bounds = [], []
    for c in range(grid.GetNumberOfCells()):
        cell = grid.GetCell(c)  # (vtk reuses the object)
        frac.append(point_frac[cell.GetPointId(0)])
        bounds.append(cell.GetBounds()[:4])
    frac, bounds = np.array(frac), np.array(bounds)
    area = frac * (bounds[:, 1] - bounds[:, 0]) * (bounds[:, 3] - bounds[:, 2])
    mid = h - 0.5 * (bounds[:, 2] + bounds[:, 3])  # depth of the centre
    return [float(np.sum(area[(mid > d0) & (mid < d1)]) / (d1 - d0))
            for d0, d1 in bands]


os.makedirs(args.work, exist_ok=True)
line = re.compile(r"Free boundary +\d+:.*T_M - T_MIT = (\S+) K.*"
                  r"layer >= (\S+) K, front <= (\S+) K")
header = ("I [mA]", "refine", "DoFs", "exit", "steps", "area frac.",
          "top extent [um]") + tuple("extent %g-%g um deep" % (d0 * 1e6, d1 * 1e6)
                for d0, d1 in bands) + (
              "T_M - T_MIT [K]", "layer >= [K]", "front <= [K]")
print(" | ".join(header))
for current in [float(c) * 1e-3 for c in args.currents.split(",")]:
    for r in [int(k) for k in args.refinements.split(",")]:
        out = os.path.join(args.work, "I_%gmA_r%d" % (current * 1e3, r))
        cmd = [args.imtsim, os.path.join(here, "peltier_only_2d.prm"),
               "--set", "Solver/Free boundary=true",
               "--set", "Solver/Polynomial degree=1",
               "--set", "Solver/Free boundary interface=level set",
               "--set", "Thermal/Electrode Peltier flux=consistent",
               "--set", "Electric/Current=%g" % current,
               "--set", "Material/Metal resistivity=" + args.rho_metal,
               "--set", "Solver/Maximum Picard iterations=%d" % args.steps,
               "--set", "Mesh/Electrode refinement=0",
               "--set", "Mesh/Initial global refinement=%d" % r,
               "--set", "Output/Directory=" + out]
        for s in args.set:
            cmd += ["--set", s]
        run = subprocess.run(cmd, capture_output=True, text=True)
        with open(out + ".log", "w") as f:
            f.write(run.stdout + run.stderr)
        if run.returncode not in (0, 3):
            sys.exit("imtsim failed (%d), see %s.log" % (run.returncode, out))
        s = json.load(open(os.path.join(out, "summary.json")))["final"]
        last = [m for m in map(line.search, run.stdout.splitlines()) if m]
        tm, lay, fro = last[-1].groups() if last else ("-", "-", "-")
        pvtu = os.path.join(out, "solution_0000.pvtu")
        xs = ["%.1f" % (x * 1e6) for x in extents(pvtu)]
        print(" | ".join(["%g" % (current * 1e3), str(r), str(s["n_dofs"]),
                          str(run.returncode),
                          str(s["verification"]["free_boundary_steps"]),
                          "%.4f" % s["metal_volume_fraction"],
                          "%.1f" % (s["metal_extent_drain_m"] * 1e6)] + xs +
                         [tm, lay, fro]), flush=True)
