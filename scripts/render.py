"""Render an imtsim result with ParaView and check its fields.

Run with ParaView's own Python (Debian package 'paraview'):

    pvpython scripts/render.py OUTPUT_DIRECTORY [--png FILE] [--check]

Reads OUTPUT_DIRECTORY/solution.pvd (the last refinement cycle) and writes
PNGs like the panels of the paper's Fig. 2 (default names
OUTPUT_DIRECTORY/render_top.png and render_section.png; --png a/b.png
gives a/b_top.png and a/b_section.png): the temperature on the top face
seen from above, and the x-z section at y = W/2 (in 2D only the section,
the whole x-z plane), with the interface T = T_MIT drawn as a contour.
Without a display, run it under xvfb-run (Debian package xvfb) with
Xvfb's -noreset (see doc/running.md):

    xvfb-run -a -s "-screen 0 1600x1200x24 -noreset" pvpython scripts/render.py DIR

With --check it also verifies, against OUTPUT_DIRECTORY/summary.json and
parameters.prm, that every field the documentation promises is present,
that max T equals the summary's temperature_max_K, that psi spans
[0, V] (current into the source) and that the metal indicator lies in
[0, 1]; it exits with status 1 and a message if anything is off.
"""
import json
import os
import sys

from paraview import simple as pv

POINT_FIELDS = ["T", "psi", "Phi", "current_density", "sigma",
                "joule_power_density", "metal"]
# Cell-wise constants; deal.II's DataOut writes them as point data too.
CELL_FIELDS = ["metal_fraction_cell", "peltier_power_density_cell",
               "partition"]


def prm_value(directory, subsection, entry):
    """The value of 'subsection/entry' in the echoed parameters.prm."""
    path = []
    with open(os.path.join(directory, "parameters.prm")) as f:
        for line in f:
            words = line.split("#")[0].split()
            if len(words) >= 2 and words[0] == "subsection":
                path.append(" ".join(words[1:]))
            elif words[:1] == ["end"]:
                path.pop()
            elif words[:1] == ["set"] and "=" in line:
                key, value = line.split("#")[0].strip()[4:].split("=", 1)
                if path == [subsection] and key.strip() == entry:
                    return value.strip()
    raise KeyError(subsection + "/" + entry)


def check(directory, reader, summary):
    errors = []
    point = reader.PointData
    for name in POINT_FIELDS + CELL_FIELDS:
        if name not in point.keys():
            errors.append("field '%s' missing" % name)
    if errors:
        return errors
    T_min, T_max = point["T"].GetRange()
    ref = summary["temperature_max_K"]
    if abs(T_max - ref) > 1e-6 * ref:
        errors.append("max T = %.9g K in the file, %.9g K in summary.json"
                      % (T_max, ref))
    T0 = float(prm_value(directory, "Thermal", "Substrate temperature"))
    if T_min < T0 - 0.05 * (T_max - T0):
        errors.append("min T = %.6g K far below T0 = %.6g K" % (T_min, T0))
    V = abs(summary["voltage_V"])
    p_min, p_max = point["psi"].GetRange()
    if abs(min(p_min, -p_max)) > 1e-2 * V and abs(p_min) > 1e-2 * V:
        errors.append("psi does not start at 0 V: range [%g, %g]"
                      % (p_min, p_max))
    if abs((p_max - p_min) - V) > 1e-2 * V:
        errors.append("psi spans %g V, the summary's voltage is %g V"
                      % (p_max - p_min, V))
    m_min, m_max = point["metal"].GetRange()
    if m_min < -1e-12 or m_max > 1 + 1e-12:
        errors.append("metal indicator outside [0, 1]: [%g, %g]"
                      % (m_min, m_max))
    f_min, f_max = point["metal_fraction_cell"].GetRange()
    if f_min < -1e-12 or f_max > 1 + 1e-12:
        errors.append("metal_fraction_cell outside [0, 1]")
    if summary["metal_volume_fraction"] > 0 and m_max <= 0:
        errors.append("summary reports metal but the field has none")
    print("fields: %s | %s" % (", ".join(POINT_FIELDS), ", ".join(CELL_FIELDS)))
    print("T in [%.6f, %.6f] K, psi in [%.6g, %.6g] V, metal in [%g, %g]"
          % (T_min, T_max, p_min, p_max, m_min, m_max))
    return errors


def render(directory, reader, png):
    bounds = reader.GetDataInformation().GetBounds()
    three_d = bounds[5] - bounds[4] > 0
    T_mit = float(prm_value(directory, "Material", "Transition temperature"))
    T_range = reader.PointData["T"].GetRange()
    lut = pv.GetColorTransferFunction("T")
    lut.ApplyPreset("Inferno (matplotlib)", True)
    lut.RescaleTransferFunction(T_range[0], T_range[1])
    if three_d:
        top = pv.Slice(Input=reader)
        top.SliceType = "Plane"
        top.SliceType.Origin = [0, 0, bounds[5] - 1e-6 * (bounds[5] - bounds[4])]
        top.SliceType.Normal = [0, 0, 1]
        section = pv.Slice(Input=reader)
        section.SliceType = "Plane"
        section.SliceType.Origin = [0, 0.5 * (bounds[2] + bounds[3]), 0]
        section.SliceType.Normal = [0, 1, 0]
        panels = [(top, [0, 0, 1], [0, 1, 0], "top", "top face z = h"),
                  (section, [0, -1, 0], [0, 0, 1], "section",
                   "section y = W/2")]
    else:
        panels = [(reader, [0, 0, 1], [0, 1, 0], "section", "x-z plane")]

    view = pv.GetActiveViewOrCreate("RenderView")
    view.OrientationAxesVisibility = 1
    view.Background = [1, 1, 1]
    try:
        view.UseColorPaletteForBackground = 0
    except AttributeError:
        pass
    written = []
    for source, direction, up, suffix, title in panels:
        for proxy in list(pv.GetSources().values()):
            pv.Hide(proxy, view)
        display = pv.Show(source, view)
        pv.ColorBy(display, ("POINTS", "T"))
        display.LookupTable = lut
        display.SetScalarBarVisibility(view, True)
        bar = pv.GetScalarBar(lut, view)
        bar.Title = "T [K]"
        bar.ComponentTitle = ""
        bar.TitleColor = bar.LabelColor = [0, 0, 0]
        bar.WindowLocation = "Any Location"
        bar.Position = [0.89, 0.1]
        bar.ScalarBarLength = 0.75
        bar.TitleFontSize = bar.LabelFontSize = 12
        contour = pv.Contour(Input=source, ContourBy=["POINTS", "T"],
                             Isosurfaces=[T_mit])
        c = pv.Show(contour, view)
        c.ColorArrayName = ["POINTS", ""]
        c.AmbientColor = c.DiffuseColor = [0.2, 0.8, 1.0]
        c.LineWidth = 3
        text = pv.Text(Text=title + "; interface T = T_MIT in blue")
        t = pv.Show(text, view)
        t.Color = [0, 0, 0]
        t.FontSize = 10
        centre = [0.5 * (bounds[0] + bounds[1]), 0.5 * (bounds[2] + bounds[3]),
                  0.5 * (bounds[4] + bounds[5])]
        view.CameraFocalPoint = centre
        view.CameraPosition = [centre[i] + direction[i] for i in range(3)]
        view.CameraViewUp = up
        view.CameraParallelProjection = 1
        pv.ResetCamera(view)
        name = png.replace(".png", "_" + suffix + ".png")
        pv.SaveScreenshot(name, view, ImageResolution=[1200, 700])
        written.append(name)
    print("wrote " + ", ".join(written))


def main(argv):
    args = argv[1:]
    png = None
    if "--png" in args:
        i = args.index("--png")
        png = args[i + 1]
        del args[i:i + 2]
    positional = [a for a in args if not a.startswith("--")]
    if len(positional) != 1:
        print(__doc__)
        return 2
    directory = positional[0]
    if png is None:
        png = os.path.join(directory, "render.png")
    with open(os.path.join(directory, "summary.json")) as f:
        summary = json.load(f)["final"]
    reader = pv.PVDReader(FileName=os.path.join(directory, "solution.pvd"))
    times = list(reader.TimestepValues) if reader.TimestepValues else [0.0]
    reader.UpdatePipeline(times[-1])
    pv.GetAnimationScene().AnimationTime = times[-1]
    status = 0
    if "--check" in argv:
        errors = check(directory, reader, summary)
        for e in errors:
            print("check failed: " + e)
        status = 1 if errors else 0
    render(directory, reader, png)
    return status


if __name__ == "__main__":
    code = main(sys.argv)
    sys.stdout.flush()
    # Skip ParaView's teardown: under Xvfb it dies on a GLX error after
    # the images are written, which would turn success into a crash.
    os._exit(code)
