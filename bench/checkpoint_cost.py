#!/usr/bin/env python3
"""Cost of checkpoints: size on disk, time to write and to read back.

Runs the 2D parallel slab (tests/parallel_slab_150_cycles.prm) with
'Checkpoint/Interval = 1' over refinement cycles, so that a checkpoint is
written after every cycle, and then restarts from the last one (which only
reads it). Prints per cycle the DoFs and the checkpoint's size, and the
mean write time and the read time (TimerOutput) against the run's total.

Usage: bench/checkpoint_cost.py [--np N] [--cycles C]
"""
import argparse
import json
import os
import re
import subprocess
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
EXE = os.path.join(ROOT, "build", "imtsim")
PRM = os.path.join(ROOT, "tests", "parallel_slab_150_cycles.prm")


def timers(log):
    times = {}
    for line in log.splitlines():
        m = re.match(r"\|\s*([a-z:, ]+?)\s*\|\s*(\d+)\s*\|\s*([\d.e+-]+)s", line)
        if m:
            times[m.group(1)] = (int(m.group(2)), float(m.group(3)))
        m = re.match(r"\| Total wallclock time elapsed\s*\|\s*([\d.e+-]+)s", line)
        if m:
            times["total"] = (1, float(m.group(1)))
    return times


def size(directory):
    return sum(os.path.getsize(os.path.join(directory, f))
               for f in os.listdir(directory))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--np", type=int, default=1)
    parser.add_argument("--cycles", type=int, default=4)
    args = parser.parse_args()
    out = tempfile.mkdtemp(prefix="imtsim-bench-")
    base = [EXE, PRM, "--set", f"Output/Directory={out}",
            "--set", f"Mesh/Number of cycles={args.cycles}"]
    mpi = ["mpirun", "-np", str(args.np)] if args.np > 1 else []
    sizes = []
    # One run per number of cycles would repeat work: instead, watch the
    # checkpoint after each cycle by running cycle by cycle with restarts.
    for c in range(1, args.cycles + 1):
        cmd = mpi + base[:-1] + [f"Mesh/Number of cycles={c}",
                                 "--set", "Checkpoint/Interval=1"]
        if c > 1:
            cmd += ["--restart"]
        log = subprocess.run(cmd, capture_output=True, text=True,
                             check=True).stdout
        t = timers(log)
        summary = json.load(open(os.path.join(out, "summary.json")))["final"]
        sizes.append((c - 1, summary["n_dofs"],
                      size(os.path.join(out, "checkpoint")),
                      t.get("checkpoint: write", (0, 0))[1],
                      t.get("checkpoint: read", (0, 0))[1],
                      t["total"][1]))
    print(f"checkpoints of tests/parallel_slab_150_cycles.prm, {args.np} rank(s)")
    print("cycle  DoFs/field  size [MB]  write [s]  read [s]  run [s]")
    for cycle, dofs, nbytes, write, read, total in sizes:
        print(f"{cycle:5d}  {dofs:10d}  {nbytes / 1e6:9.3f}  {write:9.4f}"
              f"  {read:8.4f}  {total:7.2f}")
    print("(read: the restart that continued from the cycle before; run: "
          "that invocation's wall time, reading, refining, solving and "
          "writing included)")


if __name__ == "__main__":
    main()
