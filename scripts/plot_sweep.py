#!/usr/bin/python3
"""Plot the I-V sweep of an imtsim run (Debian's python3-matplotlib;
run with Debian's /usr/bin/python3, which finds it).

Usage: scripts/plot_sweep.py RESULTS_DIR [--output PREFIX]

Reads RESULTS_DIR/sweep.csv and writes
  PREFIX_iv.png     V against I, one curve per polarity and direction
                    (|I| and |V| for the reversed polarity, so that the
                    Peltier asymmetry shows as two curves on one axis);
                    unstable arclength points are drawn hollow, steps that
                    did not converge as crosses; time-dependent steps
                    (oscillating, drifting) as diamonds at their time mean
                    with bars over their range (the columns voltage_mean_V,
                    voltage_min_V, ... of sweep.csv);
  PREFIX_metal.png  metal volume fraction, the metal extents from the drain
                    and the source, and the metal thickness at x = L/2
                    against |I|.
PREFIX defaults to RESULTS_DIR/sweep.
"""
import argparse
import csv
import os
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def read_rows(path):
    with open(path, newline="") as f:
        rows = list(csv.DictReader(f))
    if not rows:
        sys.exit(f"plot_sweep.py: {path} has no rows")
    return rows


def branches(rows):
    """Consecutive rows with the same polarity and direction."""
    groups = []
    for r in rows:
        key = (int(r["polarity"]), r["direction"])
        if not groups or groups[-1][0] != key:
            groups.append((key, []))
        groups[-1][1].append(r)
    return groups


def time_dependent(r):
    return r["stability"] in ("oscillating", "drifting") and r.get(
        "voltage_mean_V", "") != ""


def point(r):
    """(|I| [mA], |V| [V]) of a row: the time means if it is
    time-dependent, else the state's."""
    if time_dependent(r):
        return (abs(float(r["current_mean_A"])) * 1e3,
                abs(float(r["voltage_mean_V"])))
    return abs(float(r["current_A"])) * 1e3, abs(float(r["voltage_V"]))


def label(key):
    polarity, direction = key
    return f"{'+I' if polarity > 0 else '-I'}, {direction}"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("results")
    parser.add_argument("--output", default=None)
    args = parser.parse_args()
    rows = read_rows(os.path.join(args.results, "sweep.csv"))
    prefix = args.output or os.path.join(args.results, "sweep")

    fig, ax = plt.subplots(figsize=(6, 4.5))
    for key, group in branches(rows):
        current = [point(r)[0] for r in group]
        voltage = [point(r)[1] for r in group]
        (line,) = ax.plot(current, voltage, "-", label=label(key))
        for x, y, r in zip(current, voltage, group):
            if time_dependent(r):
                V = sorted(abs(float(r[k]))
                           for k in ("voltage_min_V", "voltage_max_V"))
                I = sorted(abs(float(r[k])) * 1e3
                           for k in ("current_min_A", "current_max_A"))
                ax.errorbar(x, y, yerr=[[y - V[0]], [V[1] - y]],
                            xerr=[[x - I[0]], [I[1] - x]], fmt="D", ms=5,
                            color=line.get_color(), mfc="none", capsize=3)
            elif r["converged"] != "1":
                ax.plot(x, y, "x", color="k", ms=8)
            else:
                hollow = r["stability"] == "unstable"
                ax.plot(x, y, "o", ms=4, color=line.get_color(),
                        mfc="none" if hollow else line.get_color())
    ax.set_xlabel("|I| [mA]")
    ax.set_ylabel("|V| [V]")
    ax.set_title("V-I (hollow: unstable, x: not converged,\n"
                 "diamond: time-dependent, mean and range)", fontsize=9)
    ax.grid(True, alpha=0.3)
    ax.legend()
    fig.tight_layout()
    fig.savefig(prefix + "_iv.png", dpi=120)

    fig, axes = plt.subplots(1, 2, figsize=(10, 4.5))
    for key, group in branches(rows):
        current = [abs(float(r["current_A"])) * 1e3 for r in group]
        axes[0].plot(current, [float(r["metal_volume_fraction"])
                               for r in group], "o-", ms=3, label=label(key))
        for column, style, name in (
                ("metal_extent_drain_m", "o-", "from drain"),
                ("metal_extent_source_m", "s--", "from source"),
                ("metal_thickness_mid_m", "^:", "thickness at L/2")):
            axes[1].plot(current, [float(r[column]) * 1e6 for r in group],
                         style, ms=3, label=f"{name} ({label(key)})")
    axes[0].set_xlabel("|I| [mA]")
    axes[0].set_ylabel("metal volume fraction")
    axes[1].set_xlabel("|I| [mA]")
    axes[1].set_ylabel("metal extent / thickness [um]")
    for a in axes:
        a.grid(True, alpha=0.3)
        a.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(prefix + "_metal.png", dpi=120)
    print(f"wrote {prefix}_iv.png and {prefix}_metal.png")


if __name__ == "__main__":
    main()
