#!/usr/bin/python3
"""Plot T/T0 maps and the interface T = T_MIT of a run, as in Fig. 2.

Usage: scripts/plot_fig2.py RESULTS_DIR [--out PREFIX] [--series NAME.pvd]
                            [--entry K]
       scripts/plot_fig2.py RESULTS_DIR --boundaries [--out PNG] [--series ..]
                            [--plane top|section]

Reads a field series of RESULTS_DIR ('Output/Write fields = true'; default
solution.pvd if present, else sweep.pvd), parameters.prm and summary.json;
run with Debian's /usr/bin/python3 (python3-matplotlib). The first form
draws the last entry (--entry K: the K-th from 0, negative from the end):
PREFIX_section.png, T/T0 on the section y = W/2 (2D: the domain) over x/L
and the depth (h - z)/L, top face up, pads as bars above it; PREFIX_top.png
(3D), T/T0 on the top face over x/L, y/L, pads outlined; both with
T = T_MIT in black. It prints the x/L ranges where T > T_MIT on the line
y = W/2, z = h. PREFIX defaults to RESULTS_DIR/fig2. --boundaries draws
T = T_MIT of every entry (default sweep.pvd) on the top face (2D, or
with --plane section: the section y = W/2), labelled by the step's current from summary.json, like Fig. 2e
(PNG defaults to RESULTS_DIR/fig2_boundaries.png).

The maps use the vertices of the output cells' faces lying in the plane
(|y - W/2| or h - z <= 1e-6 L: the points are Float32), merged over patches
and pieces; their Delaunay triangles outside the faces (a notch) are
masked. 2D output stores (x, z, 0). With 'Mesh/Mesh file', L, W, h are
the points' bounding box and no pads are drawn. Exits with status 1 if the
field T is missing or no cell face lies in a plane. No numpy.
"""
import argparse
import json
import os
import sys
import xml.etree.ElementTree as ET

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import matplotlib.tri as mtri  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402
from matplotlib.patches import Rectangle  # noqa: E402
from matplotlib.path import Path  # noqa: E402
from matplotlib.transforms import offset_copy  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import metal_path  # noqa: E402

# The faces of VTK_QUAD (9, itself) and VTK_HEXAHEDRON (12) by local vertex.
FACES = {9: [(0, 1, 2, 3)],
         12: [(0, 1, 2, 3), (4, 5, 6, 7), (0, 1, 5, 4), (1, 2, 6, 5),
              (2, 3, 7, 6), (3, 0, 4, 7)]}
PLANES = {"section": "the section y = W/2", "top": "the top face z = h"}


def fail(message):
    sys.exit(f"plot_fig2.py: {message}")


def read_prm(directory):
    """{'Subsection/.../Entry': value} of the echoed parameters.prm."""
    values, path = {}, []
    with open(os.path.join(directory, "parameters.prm")) as f:
        for line in f:
            text = line.split("#")[0].strip()
            if text.startswith("subsection "):
                path.append(text[11:].strip())
            elif text == "end":
                path.pop()
            elif text.startswith("set ") and "=" in text:
                key, value = text[4:].split("=", 1)
                values["/".join(path + [key.strip()])] = value.strip()
    return values


def series_entries(directory, name):
    """[(timestep, .pvtu path)] of a .pvd collection."""
    pvd = os.path.join(directory, name)
    if not os.path.exists(pvd):
        fail(f"no {pvd} (run with 'Output/Write fields = true')")
    entries = [(float(d.get("timestep")),
                os.path.join(directory, d.get("file")))
               for d in ET.parse(pvd).getroot().iter("DataSet")]
    return entries or fail(f"{pvd} has no entries")


def read_entry(pvtu):
    """(points, T, faces) of one .pvtu: vertices merged over the pieces,
    each cell face as (vertex indices, mean y of its cell)."""
    points, T, faces, index = [], [], [], {}
    for piece in ET.parse(pvtu).getroot().iter("Piece"):
        arrays = metal_path.read_piece(
            os.path.join(os.path.dirname(pvtu), piece.get("Source")))
        if "T" not in arrays:
            fail(f"{pvtu}: no point field 'T'")
        p, local, start = arrays["Points"], [], 0
        for v, t in enumerate(arrays["T"]):
            key = tuple(p[3 * v:3 * v + 3])
            if index.setdefault(key, len(points)) == len(points):
                points.append(key)
                T.append(t)
            local.append(index[key])
        for c, end in enumerate(arrays["offsets"]):
            cell = [local[v] for v in arrays["connectivity"][start:end]]
            start, y = end, sum(points[i][1] for i in cell) / len(cell)
            faces += [(tuple(cell[i] for i in f), y)
                      for f in FACES.get(arrays["types"][c], [])]
    return points, T, faces


def plane(entry, g, which):
    """(triangulation, T) on the section (u = x/L, v = depth/L) or the top
    face (u = x/L, v = y/L), or None if no cell face lies in it."""
    points, T, faces = entry
    L, W, h, section = g["L"], g["W"], g["h"], which == "section"

    def uv(i):
        x, y, z = points[i]
        if g["dim"] == 2:
            y, z = W / 2, y
        if abs(y - W / 2) <= 1e-6 * L if section else z >= h - 1e-6 * L:
            return round(x / L, 6), round((h - z if section else y) / L, 6)

    keys, values, index, quads = [], [], {}, {}
    for face, y in faces:
        # One side of the section only: with hanging nodes both would overlap.
        quad = [uv(i) for i in face]
        if None in quad or (section and g["dim"] == 3 and y > W / 2):
            continue
        quads[frozenset(quad)] = quad + quad[:1]
        for key, i in zip(quad, face):
            if index.setdefault(key, len(keys)) == len(keys):
                keys.append(key)
                values.append(T[i])
    if not quads:
        return None
    # Delaunay (the faces' own triangles would leave cracks at hanging
    # nodes), less the triangles whose centre lies outside the faces.
    u, v = [k[0] for k in keys], [k[1] for k in keys]
    tri = mtri.Triangulation(u, v)
    outline = Path([p for q in quads.values() for p in q], [
        Path.MOVETO, Path.LINETO, Path.LINETO, Path.LINETO, Path.CLOSEPOLY]
        * len(quads))
    inside = outline.contains_points([
        (sum(u[i] for i in t) / 3, sum(v[i] for i in t) / 3)
        for t in tri.triangles])
    tri.set_mask([not i for i in inside])
    return tri, values


def hot_ranges(entry, g):
    """x/L ranges where T > T_MIT on the line y = W/2, z = h (or None)."""
    data = plane(entry, g, "top" if g["dim"] == 3 else "section")
    v0, T_mit = (g["W"] / (2 * g["L"]) if g["dim"] == 3 else 0), g["T_mit"]
    line = sorted((u, t) for u, v, t in zip(data[0].x, data[0].y, data[1])
                  if abs(v - v0) <= 1e-6) if data else []
    if not line:
        return None
    ranges, start = [], line[0][0] if line[0][1] > T_mit else None
    for (x0, T0), (x1, T1) in zip(line, line[1:]):
        if (T0 > T_mit) != (T1 > T_mit):
            cross = x0 + (T_mit - T0) / (T1 - T0) * (x1 - x0)
            if start is not None:
                ranges.append((start, cross))
            start = cross if start is None else None
    return ranges + ([(start, line[-1][0])] if start is not None else [])


def geometry(prm, entry):
    """L, W, h, T0, T_MIT, the dimension and the pads (name, x0, x1, y0, y1;
    in units of L)."""
    dim = int(prm.get("Dimension", "3"))
    g = {"dim": dim, "T0": float(prm["Thermal/Substrate temperature"]),
         "T_mit": float(prm["Material/Transition temperature"]),
         "W": float(prm["Geometry/Width"]), "pads": []}
    if prm.get("Mesh/Mesh file"):
        box = [max(p[k] for p in entry[0]) for k in range(3)]
        g.update(L=box[0], h=box[dim - 1], W=box[1] if dim == 3 else g["W"])
        return g
    g.update(L=float(prm["Geometry/Length"]),
             h=float(prm["Geometry/Thickness"]))
    if prm.get("Geometry/Electrode type") == "top patches":
        names = ["drain", "source"][::-1 if prm.get(
            "Geometry/Swap electrodes") == "true" else 1]
        for name, sub in zip(names, ("Drain", "Source")):
            x0, x1, y0, y1 = (float(prm.get(f"Geometry/{sub}/{e}", d)) / g["L"]
                              for e, d in (("x min", 0), ("x max", 0),
                                           ("y min", 0), ("y max", g["W"])))
            g["pads"].append((name, x0, x1, y0, y1))
    return g


def step_label(summary, timestep, k):
    """'I = ... mA' of the summary's row of a series entry, or ''."""
    rows = summary.get("cycles") or summary.get("steps") or []
    key = "cycle" if "cycles" in summary else "sweep_step"
    match = [r for r in rows if r.get(key) == int(timestep)]
    current = (match or rows[k:k + 1] or [{}])[0].get("current_A")
    return f"I = {current * 1e3:.3g} mA" if current is not None else ""


def new_figure(g, which, extra, top_size):
    """Figure and axes, the section's height following its aspect ratio."""
    height = min(max(extra + 5.1 * g["h"] / g["L"], 2), 6)
    fig, ax = plt.subplots(figsize=(6, height) if which == "section"
                           else top_size, layout="constrained")
    ax.set_xlim(0, 1)
    ax.set_aspect("equal")
    ax.set_xlabel("x / L")
    if which == "section":
        ax.set_ylim(g["h"] / g["L"], 0)      # the top face (depth 0) on top
        ax.set_ylabel("depth (h - z) / L")
    else:
        ax.set_ylim(0, g["W"] / g["L"])
        ax.set_ylabel("y / L")
    return fig, ax


def draw_pads(ax, g, which, colour="tab:green"):
    for name, x0, x1, y0, y1 in g["pads"]:
        if which == "top":
            ax.add_patch(Rectangle((x0, y0), x1 - x0, y1 - y0, fill=False,
                                   ec=colour, lw=1.5))
            ax.text((x0 + x1) / 2, y1 + 0.01, name, ha="center", va="bottom",
                    fontsize=8, color=colour, zorder=1.5, bbox={
                        "fc": "white", "ec": "none", "alpha": 0.7, "pad": 1})
        elif g["dim"] == 2 or y0 <= g["W"] / (2 * g["L"]) <= y1:
            # A bar just above the top face, not hiding its temperature.
            above = offset_copy(ax.transData, ax.figure, y=3, units="points")
            ax.plot([x0, x1], [0, 0], color=colour, lw=5, transform=above,
                    solid_capstyle="butt", clip_on=False)


def map_panel(data, g, which, title, path, limits):
    (tri, T), T0 = data, g["T0"]
    lo, hi = limits[0] / T0, max(limits[1], limits[0] * (1 + 1e-6)) / T0
    fig, ax = new_figure(g, which, 1.5, (5, 4.4))
    fill = ax.tricontourf(tri, [t / T0 for t in T], cmap="coolwarm",
                          levels=[lo + (hi - lo) * i / 48 for i in range(49)])
    if min(T) < g["T_mit"] < max(T):
        ax.tricontour(tri, T, levels=[g["T_mit"]], colors="k", linewidths=1.5)
    draw_pads(ax, g, which)
    bar = fig.colorbar(fill, ax=ax, ticks=plt.MaxNLocator(6), format="%.2f",
                       orientation="horizontal" if which == "section"
                       else "vertical", fraction=0.08, aspect=40)
    bar.set_label("T / T0")
    ax.set_title(title, fontsize=10, pad=8)
    fig.savefig(path, dpi=120)
    plt.close(fig)
    print(f"wrote {path}")


def boundaries(args, prm, summary):
    entries = series_entries(args.results, args.series or "sweep.pvd")
    many = len(entries) > 10
    colours = plt.get_cmap("viridis" if many else "tab10")
    handles, g = [], None
    for k, (timestep, pvtu) in enumerate(entries):
        entry = read_entry(pvtu)
        if g is None:
            g = geometry(prm, entry)
            which = ("top" if g["dim"] == 3 and args.plane != "section"
                     else "section")
            fig, ax = new_figure(g, which, 1.2, (4.4, 4.5))
        data = plane(entry, g, which) or fail(
            f"no cell faces on {PLANES[which]}")
        colour = colours(k / (len(entries) - 1) if many else k)
        label = step_label(summary, timestep, k) or f"entry {k}"
        if min(data[1]) < g["T_mit"] < max(data[1]):
            ax.tricontour(*data, levels=[g["T_mit"]], colors=[colour],
                          linewidths=1.5)
        else:
            label += " (no interface)"
        handles.append(Line2D([], [], color=colour, lw=1.5, label=label))
    draw_pads(ax, g, which, colour="0.4")
    if which == "section":
        # Below the axes: the section is too flat to hold it.
        ax.legend(handles=handles, fontsize=8, loc="upper center",
                  bbox_to_anchor=(0.5, -0.35), ncol=min(len(handles), 4))
    else:
        ax.legend(handles=handles, fontsize=8, framealpha=0.8)
    ax.set_title(f"T = T_MIT = {g['T_mit']:g} K on "
                 f"{'the top face' if which == 'top' else 'the section y = W/2' if g['dim'] == 3 else 'the x-z section'}",
                 fontsize=10, pad=8)
    out = args.out or os.path.join(args.results, "fig2_boundaries.png")
    fig.savefig(out, dpi=120)
    print(f"wrote {out}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("results")
    parser.add_argument("--out", help="PREFIX of the maps, PNG with "
                        "--boundaries (default in RESULTS_DIR)")
    parser.add_argument("--series", help="the .pvd file to read")
    parser.add_argument("--entry", type=int, default=-1)
    parser.add_argument("--boundaries", action="store_true")
    parser.add_argument("--plane", choices=["top", "section"], default="top",
                        help="with --boundaries in 3D: the top face "
                        "(default) or the section y = W/2")
    args = parser.parse_args()
    prm, summary = read_prm(args.results), {}
    if os.path.exists(os.path.join(args.results, "summary.json")):
        with open(os.path.join(args.results, "summary.json")) as f:
            summary = json.load(f)
    if args.boundaries:
        return boundaries(args, prm, summary)

    series = args.series or ("solution.pvd" if os.path.exists(
        os.path.join(args.results, "solution.pvd")) else "sweep.pvd")
    entries = series_entries(args.results, series)
    if not -len(entries) <= args.entry < len(entries):
        fail(f"{series} has {len(entries)} entries, no entry {args.entry}")
    k = args.entry % len(entries)
    entry = read_entry(entries[k][1])
    g, limits = geometry(prm, entry), (min(entry[1]), max(entry[1]))
    label = step_label(summary, entries[k][0], k)
    label = f", {label}" if label else ""
    prefix, missing = args.out or os.path.join(args.results, "fig2"), []
    for which in ("section", "top")[:g["dim"] - 1]:
        data = plane(entry, g, which)
        title = {"section": "T / T0 at y = W/2" if g["dim"] == 3 else "T / T0",
                 "top": "T / T0 on the top face"}[which] + label
        if data:
            map_panel(data, g, which, title, f"{prefix}_{which}.png", limits)
        else:
            missing.append(PLANES[which])
    ranges = hot_ranges(entry, g)
    print(f"{series} entry {k} (timestep {entries[k][0]:g}){label}: "
          f"T/T0 in [{limits[0] / g['T0']:.4f}, {limits[1] / g['T0']:.4f}]")
    print("top centre line (y = W/2, z = h): " + (
        "no output vertices on it" if ranges is None else "T > T_MIT for " + (
            ", ".join(f"x/L in [{a:.4f}, {b:.4f}]" for a, b in ranges)
            or "no x")))
    if missing:
        fail("no cell faces on " + " or ".join(missing))


if __name__ == "__main__":
    main()
