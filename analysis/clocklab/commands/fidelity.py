"""How well the runtime kept time, from clocklab/1 files (the fidelity benchmark).

    python3 -m clocklab fidelity lateness FILE.h5 --delay 1ms
    python3 -m clocklab fidelity rtt FILE.h5
    python3 -m clocklab fidelity default FILE.h5
    python3 -m clocklab fidelity summary FILE.h5 [FILE.h5 ...]

lateness: for a run with ``trace = on``, every delivered message's lateness,
RECEIVE time - its due time (events/table's ``due``; for files without it,
RECEIVE time - SEND time - D for a constant injected delay D, rows matched
by message id), over all nodes: median, p99, max and min in microseconds (a
negative min would be a delivery before its due time). It needs nothing
but events/table, so it reads files of any clocklab version.

rtt: the round-trip times of the readings in clock/rounds (rows with
rtt > 0): median, p99, min in microseconds.

default: the default scenario's outcome: whether every alive node names the
node with the highest alive id, and the final skew of the alive nodes
(max - min true offset at the last sample) in milliseconds.

summary: the fidelity/ group of every run (clocklab.metrics.fidelity_text): worst
p50, p99 and max lateness of deliveries and timers over nodes (us), the total
CPU time of the ranks (s), and whether the worst p99 exceeds the run's
threshold.
"""

import argparse
import sys

import numpy as np

from .. import metrics
from ..causality import message_pairs
from ..config import seconds
from ..reader import ClocklabError, exit_status, read_runs


def lateness(run, delay):
    """Delivery time - due time (s) of every delivered message: from the
    RECEIVE rows' ``due`` field where the file has it, else RECEIVE time -
    SEND time - delay (rows matched by clocklab.causality.message_pairs; the
    SEND row is stamped a little after the due time was drawn, so this form
    can come out slightly negative)."""
    table = run["events"]["table"]
    pairs = message_pairs(table)
    recv = np.array(sorted(pairs), dtype=np.int64)
    if "due" in table.dtype.names and len(recv) and np.all(np.isfinite(table["due"][recv])):
        return table["time"][recv] - table["due"][recv]
    return np.array([table["time"][r] - table["time"][s] - delay for r, s in pairs.items()])


def quantiles_us(x):
    return np.median(x) * 1e6, np.percentile(x, 99) * 1e6, np.max(x) * 1e6


def cmd_lateness(args):
    for path in args.files:
        _, runs = read_runs(path, events=True)
        for run in runs:
            late = lateness(run, seconds(args.delay))
            p50, p99, mx = quantiles_us(late)
            print("%s %s: %d nodes, %d deliveries: lateness median %.1f us, p99 %.1f us, "
                  "max %.1f us, min %.1f us" % (path, run["name"], run["n"], len(late), p50, p99,
                                                mx, late.min() * 1e6))


def cmd_rtt(args):
    for path in args.files:
        _, runs = read_runs(path)
        for run in runs:
            rtt = run["clock"]["rounds"]["rtt"]
            rtt = rtt[np.isfinite(rtt) & (rtt > 0)]
            print("%s %s: %d nodes, %d readings: RTT median %.1f us, p99 %.1f us, min %.1f us" %
                  (path, run["name"], run["n"], len(rtt), np.median(rtt) * 1e6,
                   np.percentile(rtt, 99) * 1e6, rtt.min() * 1e6))


def cmd_default(args):
    for path in args.files:
        _, runs = read_runs(path)
        for run in runs:
            alive = metrics.alive_mask(run)
            ids = run["election"]["ids"]
            leader = run["election"]["leader"]
            best = int(np.flatnonzero(alive)[np.argmax(ids[alive])])
            right = int(np.sum(leader[alive] == best))
            skew = metrics.final_skew(run)
            print("%s %s: %d nodes, status %s: %d of %d alive nodes name node %d (highest alive "
                  "id); final skew of the alive nodes %.3f ms; %d messages" %
                  (path, run["name"], run["n"], run["attrs"]["status"], right,
                   int(alive.sum()), best, skew * 1e3, metrics.total_messages(run)))


def cmd_summary(args):
    for path in args.files:
        _, runs = read_runs(path)
        for run in runs:
            line = metrics.fidelity_text(run)
            print("%s %s: %s" % (path, run["name"], line or "no fidelity/ group"))


def main(argv=None, prog="clocklab fidelity"):
    """``clocklab fidelity``: returns the exit status."""
    p = argparse.ArgumentParser(prog=prog, description=__doc__.strip().split("\n\n")[0])
    sub = p.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("lateness")
    s.add_argument("files", nargs="+")
    s.add_argument("--delay", required=True, help="the constant injected delay, e.g. 1ms")
    s.set_defaults(func=cmd_lateness)
    for name, func in (("rtt", cmd_rtt), ("default", cmd_default), ("summary", cmd_summary)):
        s = sub.add_parser(name)
        s.add_argument("files", nargs="+")
        s.set_defaults(func=func)
    args = p.parse_args(argv)
    try:
        args.func(args)
    except ClocklabError as e:
        print("%s: error: %s" % (prog, e), file=sys.stderr)
        return exit_status(e)
    return 0

