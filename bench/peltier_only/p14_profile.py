#!/usr/bin/env pvpython
"""The metal wedge's depth profile d(r) of a Peltier-only run, against
the wedge theory of doc/peltier_only.md section 6.5.

Reads the last state of a run's .pvd (written with 'Output/Write fields =
true'), sums the cut-cell metal fraction ('metal_fraction_cell') times the
cell height over each column of cells along the top centre line y = W/2
(the sample must be extruded in z, as p14_graded.geo is), and prints per
x = r: the metal depth d, the theory's depth for the run's own r_c, and
the radius r_inf(r) = sqrt(r^2 + R^2 F(d)) the theory infers from (r, d),
which is the same number at every r where the theory holds (and lies
about h/2 outside r_c, where the rim's lateral conduction ends the
wedge early). R is the (P-14) radius and
F(d) = a int_0^d (h - s)/(s + a (h - s))^2 ds, a = rho_M/rho_I. Here r_c
is the outer edge of the last column along the line that holds any metal.
The material and h are those of p14_3d.prm and p14_graded.prm.

Usage: pvpython p14_profile.py RUN_DIRECTORY CURRENT_A [--a A] [--points N]
"""
import math
import os
import sys
import xml.etree.ElementTree as ElementTree

from vtkmodules.vtkIOXML import vtkXMLPUnstructuredGridReader
from vtkmodules.vtkCommonDataModel import vtkCellLocator
from vtkmodules.util.numpy_support import vtk_to_numpy
import numpy

h, T_mit, dT, kappa, dS = 2e-4, 360.0, 60.0, 0.1, 2.582e-3

args = sys.argv[1:]
a, n_points = 0.1, 24
if "--a" in args:
    i = args.index("--a")
    a = float(args[i + 1])
    del args[i:i + 2]
if "--points" in args:
    i = args.index("--points")
    n_points = int(args[i + 1])
    del args[i:i + 2]
if len(args) != 2:
    sys.exit(__doc__)
directory, current = args[0], abs(float(args[1]))
R = math.sqrt(2 * h * T_mit * current * dS / (math.pi * kappa * dT))


def F(d, steps=2000):
    # Midpoint rule; the integrand is smooth on [0, d] for d < h.
    ds = d / steps
    return a * ds * sum(
        (h - s) / (s + a * (h - s)) ** 2
        for s in ((k + 0.5) * ds for k in range(steps)))


def depth_of(target):
    # F increases on [0, h): bisection for F(d) = target.
    if target <= 0:
        return 0.0
    lo, hi = 0.0, h * (1 - 1e-9)
    if F(hi) < target:
        return float("nan")
    for _ in range(60):
        mid = 0.5 * (lo + hi)
        lo, hi = (mid, hi) if F(mid) < target else (lo, mid)
    return 0.5 * (lo + hi)


pvd = [f for f in os.listdir(directory) if f.endswith(".pvd")]
if not pvd:
    sys.exit("no .pvd in " + directory)
datasets = ElementTree.parse(os.path.join(directory, pvd[0])).findall(
    ".//DataSet")
reader = vtkXMLPUnstructuredGridReader()
reader.SetFileName(os.path.join(directory, datasets[-1].get("file")))
reader.Update()
grid = reader.GetOutput()
# deal.II writes a cell-wise vector as point data, constant on each cell's
# own copies of its vertices: read it at each cell's first vertex.
point_fraction = vtk_to_numpy(
    grid.GetPointData().GetArray("metal_fraction_cell"))
fraction = numpy.array([point_fraction[grid.GetCell(c).GetPointId(0)]
                        for c in range(grid.GetNumberOfCells())])
bounds = numpy.array([grid.GetCell(c).GetBounds()
                      for c in range(grid.GetNumberOfCells())])
W = grid.GetBounds()[3] - grid.GetBounds()[2]
y = grid.GetBounds()[2] + W / 2
# The layers (the mesh is extruded in z, so every cell spans one of them).
layers = sorted(set(zip(bounds[:, 4].round(12), bounds[:, 5].round(12))))
locator = vtkCellLocator()
locator.SetDataSet(grid)
locator.BuildLocator()
def depth_at(x):
    d = 0.0
    for z0, z1 in layers:
        c = locator.FindCell((x, y, 0.5 * (z0 + z1)))
        if c >= 0:
            d += fraction[c] * (bounds[c, 5] - bounds[c, 4])
    return d


# d(r) on a 5 um grid out to where the column holds no metal any more.
dx = 5e-6
profile = []
x = 0.5 * dx
while x < grid.GetBounds()[1]:
    d = depth_at(x)
    profile.append((x, d))
    if d == 0 and x > 2 * h:
        break
    x += dx
r_c = max([x for x, d in profile if d > 0], default=0.0)
print("I = %g mA, a = %g, h = %g um: (P-14) R = %.1f um; the metal's "
      "columns end at r_c = %.1f um (r_c/R = %.3f)" %
      (current * 1e3, a, h * 1e6, R * 1e6, r_c * 1e6, r_c / R))
print("%9s %9s %8s %12s %14s" %
      ("r [um]", "d [um]", "d/h", "theory [um]", "r_inf(r) [um]"))
shown = [p for p in profile if p[0] <= r_c + 2 * dx]
step = max(1, len(shown) // n_points)
for x, d in shown[::step]:
    inferred = math.sqrt(x ** 2 + R ** 2 * F(min(d, h * (1 - 1e-9))))
    theory = depth_of((r_c ** 2 - x ** 2) / R ** 2)
    print("%9.1f %9.2f %8.4f %12.2f %14.1f" %
          (x * 1e6, d * 1e6, d / h, theory * 1e6, inferred * 1e6))
# Where section 3's assumptions can hold: the current uniform over the
# depth needs r >~ h, and the rim's lateral conduction reaches about h/2
# in (measured). There the inferred radius should be constant.
window = [math.sqrt(x ** 2 + R ** 2 * F(min(d, h * (1 - 1e-9))))
          for x, d in profile if h <= x <= r_c - h / 2 and d > 0]
if window:
    mean = sum(window) / len(window)
    print("h <= r <= r_c - h/2: r_inf %.1f um, from %.1f to %.1f "
          "(%+.1f%%/%+.1f%%); /R = %.3f; r_c/R = %.3f; d(0)/h = %.3f" %
          (mean * 1e6, min(window) * 1e6, max(window) * 1e6,
           100 * (min(window) / mean - 1), 100 * (max(window) / mean - 1),
           mean / R, r_c / R, profile[0][1] / h))
