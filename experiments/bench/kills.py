#!/usr/bin/env python3
"""What a kill leaves in the result file, route by route.

    /usr/bin/python3 experiments/bench/kills.py [--tries N] [--ranks R] [--at S] [OUTDIR]

Each try runs, on R ranks (default 4), a Bully election (well under a
second) and then Berkeley for 30 s (100 ms period, delays uniform(1 ms,
3 ms), a checkpoint every --checkpoint, default 1 s), and kills it S
seconds (default 4) after mpirun started, by one route (--routes a,b):

  timeout         timeout -s TERM S mpirun ...   (signals mpirun and its group)
  timeout-fg      timeout --foreground -s TERM S mpirun ...
  TERM-mpirun     kill -TERM <mpirun>
  KILL-mpirun     kill -KILL <mpirun>
  KILL-rank0      kill -KILL <rank 0>            (the writer)
  KILL-rank2      kill -KILL <rank 2>

and reports per route: tries whose file opened with h5py, those whose
finished run (the election) was intact, and how the interrupted run was
kept: written at the stop (data to its end) or from its last checkpoint
(data to complete_until); the Berkeley run's reference time at the kill
(from when rank 0 reported the election written), the reference time the
kept data reach, and the most reference time lost (time at the kill minus
time kept; 0 when the ranks went on after the kill and kept it all).
CLOCKLAB_BINARY selects another build.
"""
import argparse
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time

import h5py
import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BINARY = os.environ.get("CLOCKLAB_BINARY", os.path.join(ROOT, "build", "clocklab"))
CONFIG = """
[experiment]
algorithm = bully,berkeley
duration = 0
timeout = 120s
checkpoint = {checkpoint}

[network]
delay = uniform(1ms, 3ms)

[bully]
heartbeat = 0

[berkeley]
period = 100ms
rounds = 300
adjust = step
"""
ROUTES = ["timeout", "timeout-fg", "TERM-mpirun", "KILL-mpirun", "KILL-rank0", "KILL-rank2"]


def env():
    e = dict(os.environ)
    e.setdefault("OMPI_ALLOW_RUN_AS_ROOT", "1")
    e.setdefault("OMPI_ALLOW_RUN_AS_ROOT_CONFIRM", "1")
    e.setdefault("OMPI_MCA_rmaps_base_oversubscribe", "1")
    return e


def rank_pid(mpirun, rank):
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % entry) as f:
                if int(f.read().rsplit(")", 1)[1].split()[1]) != mpirun:
                    continue
            with open("/proc/%s/environ" % entry, "rb") as f:
                if b"OMPI_COMM_WORLD_RANK=%d\0" % rank in f.read():
                    return int(entry)
        except (OSError, IndexError, ValueError):
            pass
    return None


def one(route, ranks, at, work, checkpoint):
    """One try; returns (file opens, finished run intact, how the
    interrupted run was kept, the reference time it reaches, the run's
    reference time at the kill)."""
    cfg = os.path.join(work, "run.ini")
    with open(cfg, "w") as f:
        f.write(CONFIG.format(checkpoint=checkpoint))
    out = os.path.join(work, "out.h5")
    args = ["mpirun", "-n", str(ranks), BINARY, cfg, "-o", out]
    if route in ("timeout", "timeout-fg"):
        fg = ["--foreground"] if route == "timeout-fg" else []
        args = ["timeout"] + fg + ["-s", "TERM", str(at)] + args
    t0 = time.monotonic()
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                            env=env())
    started = []  # when rank 0 reported run 1 written: run 2 starts

    def read():
        for line in proc.stdout:
            if "run 1/2" in line:
                started.append(time.monotonic())

    reader = threading.Thread(target=read)
    reader.start()
    if route not in ("timeout", "timeout-fg"):
        time.sleep(max(0.0, at - (time.monotonic() - t0)))
        if route == "TERM-mpirun":
            os.kill(proc.pid, signal.SIGTERM)
        elif route == "KILL-mpirun":
            os.kill(proc.pid, signal.SIGKILL)
        else:
            pid = rank_pid(proc.pid, 0 if route == "KILL-rank0" else 2)
            if pid:
                os.kill(pid, signal.SIGKILL)
    proc.wait(timeout=300)
    time.sleep(2.5)  # ranks orphaned by a killed mpirun end on their own
    reader.join(timeout=5)
    at_kill = t0 + at - started[0] if started else None
    try:
        with h5py.File(out, "r") as f:
            runs = [f["runs"][n] for n in sorted(f["runs"])]
            intact = bool(runs) and runs[0].attrs["status"] == "complete" and bool(
                np.all(runs[0]["election/leader"][()] == ranks - 1))
            kept, reach = "lost", None
            if len(runs) > 1:
                r = runs[1]
                reach = float(r.attrs["duration"])
                kept = "checkpoint" if "complete_until" in r.attrs else "stop"
            return True, intact, kept, reach, at_kill
    except (OSError, KeyError) as e:
        print("  %s: %s" % (route, e), file=sys.stderr)
        return False, False, "lost", None, at_kill


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("outdir", nargs="?")
    ap.add_argument("--tries", type=int, default=10)
    ap.add_argument("--ranks", type=int, default=4)
    ap.add_argument("--at", type=float, default=4.0)
    ap.add_argument("--routes", default=",".join(ROUTES))
    ap.add_argument("--checkpoint", default="1s", help="[experiment] checkpoint (0 = off)")
    a = ap.parse_args()
    base = a.outdir or tempfile.mkdtemp(prefix="clocklab-kills-")
    print("%d tries per route, %d ranks, checkpoint %s, killed %.1f s after mpirun started (%s)"
          % (a.tries, a.ranks, a.checkpoint, a.at, BINARY))
    print("| route | file opens | finished run intact | interrupted run kept: at the stop | "
          "from a checkpoint | lost | run's time at the kill (s, median) | kept up to (s, "
          "median) | most lost (s) |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for route in a.routes.split(","):
        res = []
        for k in range(a.tries):
            work = os.path.join(base, "%s-%d" % (route, k))
            os.makedirs(work, exist_ok=True)
            res.append(one(route, a.ranks, a.at, work, a.checkpoint))
        reach = [r[3] for r in res if r[3] is not None]
        at_kill = [r[4] for r in res if r[4] is not None]
        lost = [r[4] - (r[3] or 0.0) for r in res if r[4] is not None and r[4] > 0]
        med = lambda x: "%.2f" % float(np.median(x)) if x else "-"
        print("| %s | %d | %d | %d | %d | %d | %s | %s | %s |" % (
            route, sum(r[0] for r in res), sum(r[1] for r in res),
            sum(r[2] == "stop" for r in res), sum(r[2] == "checkpoint" for r in res),
            sum(r[2] == "lost" for r in res), med(at_kill), med(reach),
            "%.2f" % max(0.0, max(lost)) if lost else "-"))
        sys.stdout.flush()


if __name__ == "__main__":
    main()
