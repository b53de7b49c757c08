"""Pass/fail bookkeeping for the script-driven tests (tests/*.sh).

tests/common.sh puts this directory on PYTHONPATH, so a test's inline
Python does

    from check import check, finish, last_cycle, onset, read_csv

and calls check() once per requirement and finish() at its end. Every
check is printed with its verdict; finish() exits non-zero if any failed,
which is all ctest looks at.
"""
import csv
import json
import sys

_failed = []


def check(what, good):
    """Print WHAT with PASS or FAIL; remember a failure. Returns GOOD."""
    good = bool(good)
    print(f"{what}: {'PASS' if good else 'FAIL'}")
    if not good:
        _failed.append(what)
    return good


def read_csv(path):
    """The rows of a CSV file (sweep.csv, time.csv, ...) as dicts."""
    with open(path) as f:
        return list(csv.DictReader(f))


def onset(currents, fractions, threshold=5e-4):
    """The first current at which FRACTIONS (a metal volume fraction per
    step of a ramp in CURRENTS) exceeds THRESHOLD, interpolated linearly
    between the two steps around it; None if it never does. The default
    is the onset of tests/fig2a_nucleation_order.sh, which
    bench/fig2a_ramp_mesh_2d.py shares."""
    for k in range(1, len(currents)):
        if fractions[k] > threshold >= fractions[k - 1]:
            s = (threshold - fractions[k - 1]) / (fractions[k] - fractions[k - 1])
            return currents[k - 1] + s * (currents[k] - currents[k - 1])
    return None


def last_cycle(directory):
    """The last refinement cycle's entry of DIRECTORY/summary.json."""
    with open(directory + "/summary.json") as f:
        return json.load(f)["cycles"][-1]


def finish():
    """Exit with 0 if every check passed, 1 otherwise (with a count)."""
    if _failed:
        print(f"{len(_failed)} check(s) FAILED")
    else:
        print("all checks PASS")
    sys.exit(1 if _failed else 0)
