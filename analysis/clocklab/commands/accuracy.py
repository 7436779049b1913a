"""Accuracy of clock synchronization runs against their theoretical bounds.

    python3 -m clocklab accuracy FILE.h5 [FILE.h5 ...]

For every run of a clocklab/1 file prints one line:

- cristian / ntp: the worst error of a client right after it adjusted its
  clock, |C_client - C_server|, next to the bound of the sample it used,
  RTT/2 - d_min (Cristian 1989; RFC 5905 gives delay/2), where d_min is the
  smallest one-way delay the configured [network] delay can produce;
- berkeley: the final skew (max - min of the true offsets of the nodes alive
  at the end) next to the bound the last round's readings allow: each
  estimate errs by at most RTT_i/2 - d_min, so two corrected clocks differ
  by at most the two largest such terms (Gusella & Zatti 1989), plus the
  relative drift accumulated since that round;
- every run: how well the runtime kept time (fidelity/: lateness of
  deliveries and timers, and whether it is within the run's threshold), and
  messages sent by type.
"""

import argparse
import sys

import numpy as np

from .. import metrics
from ..config import distribution_min, run_config
from ..reader import ClocklabError, exit_status, read_runs


def reference_offset(run, node, t):
    """True offset of `node` at times t: from its recorded samples."""
    return np.interp(t, run["clock"]["time"], run["clock"]["offset"][:, node])


def client_errors(run, server):
    """(error, bound-without-d_min, node) per adjustment row of clients."""
    rows = run["clock"]["rounds"]
    rows = rows[rows["node"] != server]
    after = rows["true_offset"] + rows["adjustment"]
    ref = reference_offset(run, server, rows["time"])
    return after - ref, rows["rtt"] / 2.0, rows["node"]


def cristian_line(run, cfg, dmin):
    algorithm = run["attrs"]["algorithm"].split("+")[-1]
    server = int(cfg[algorithm]["server"]) if algorithm in cfg else 0
    err, half_rtt, _ = client_errors(run, server)
    if len(err) == 0:
        return "no client adjustments"
    bound = half_rtt - (dmin if algorithm == "cristian" else 0.0)
    worst = int(np.argmax(np.abs(err)))
    ratio = np.max(np.abs(err) / np.maximum(bound, 1e-12))
    return ("%d adjustments; worst |error| %.3f us (its bound %.3f us); max |error|/bound %.3f; "
            "all within bound: %s" % (len(err), abs(err[worst]) * 1e6, bound[worst] * 1e6, ratio,
                                      bool(np.all(np.abs(err) <= bound + 1e-9))))


def berkeley_line(run, dmin):
    rows = run["clock"]["rounds"]
    last = rows["round"].max()
    lr = rows[rows["round"] == last]
    terms = np.sort(np.maximum(lr["rtt"][lr["rtt"] > 0] / 2.0 - dmin, 0.0))[::-1]
    bound = terms[:2].sum() if len(terms) else 0.0
    t_end = run["clock"]["time"][-1]
    drift = run["nodes"]["drift"]
    bound += (drift.max() - drift.min()) * 1e-6 * (t_end - lr["time"].min())
    skew = metrics.final_skew(run)
    return ("final skew %.3f us; bound from round %d readings %.3f us; within: %s"
            % (skew * 1e6, last, bound * 1e6, skew <= bound + 1e-9))


def describe(run):
    cfg = run_config(run)
    dmin = distribution_min(cfg["network"]["delay"]) if "network" in cfg else 0.0
    alg = run["attrs"]["algorithm"].split("+")[-1]
    parts = []
    if run["clock"] is not None and "rounds" in run["clock"] and len(run["clock"]["rounds"]):
        if alg in ("cristian", "ntp"):
            parts.append(cristian_line(run, cfg, dmin))
        elif alg == "berkeley":
            parts.append(berkeley_line(run, dmin))
    timing = metrics.fidelity_text(run)
    if timing:
        parts.append(timing)
    msgs = run["messages"]
    if msgs is not None:
        counts = msgs["sent"].sum(axis=0)
        parts.append("sent: " + ", ".join("%s %d" % (t, c) for t, c in zip(msgs["types"], counts)
                                          if c))
    return parts


def main(argv=None, prog="clocklab accuracy"):
    """``clocklab accuracy``: returns the exit status."""
    p = argparse.ArgumentParser(prog=prog, description=__doc__.split("\n\n")[0])
    p.add_argument("files", nargs="+", metavar="FILE.h5")
    args = p.parse_args(argv)
    try:
        loaded = [(path, read_runs(path)[1]) for path in args.files]
    except ClocklabError as e:
        print("%s: error: %s" % (prog, e), file=sys.stderr)
        return exit_status(e)
    for path, runs in loaded:
        for run in runs:
            print("%s %s %s (%d nodes, %s):" % (path, run["name"], run["attrs"]["algorithm"],
                                                 run["n"], run["attrs"]["status"]))
            for line in describe(run):
                print("  " + line)
    return 0

