"""Round-trip times of Cristian's requests through the clocklab runtime.

    python3 -m clocklab pingpong FILE.h5

For a cristian run with `[experiment] trace = on`, pairs every client's
SEND of a REQUEST with its next RECEIVE of a REPLY (one outstanding request
at a time) and prints min, median and mean round-trip time in reference
time, next to Cristian's physical limit for the error, half the minimum RTT.
"""

import sys

import numpy as np

from ..causality import node_rows
from ..reader import ClocklabError, event_kinds, exit_status, read_runs


def round_trips(run):
    """Reference-time RTTs (s) of every request of every client."""
    table = run["events"]["table"]
    types = run["messages"]["types"]
    req, rep = types.index("REQUEST"), types.index("REPLY")
    kinds = event_kinds(table)
    out = []
    for node in np.unique(table["node"]):
        rows = table[node_rows(table, node)]
        sent = None
        for r in rows:
            if r["kind"] == kinds.SEND and r["type"] == req:
                sent = r["time"]
            elif r["kind"] == kinds.RECEIVE and r["type"] == rep and sent is not None:
                out.append(r["time"] - sent)
                sent = None
    return np.array(out)


def main(argv=None, prog="clocklab pingpong"):
    """``clocklab pingpong``: returns the exit status."""
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) != 1 or argv[0].startswith("-"):
        print("usage: %s FILE.h5" % prog, file=sys.stderr)
        return 2
    try:
        _, runs = read_runs(argv[0], events=True)
    except ClocklabError as e:
        print("%s: error: %s" % (prog, e), file=sys.stderr)
        return exit_status(e)
    for run in runs:
        if run["events"] is None or "REQUEST" not in run["messages"]["types"]:
            continue
        rtt = round_trips(run)
        print("runtime ping-pong (cristian requests), %d round trips: min %.2f us, median %.2f us, "
              "mean %.2f us; half the minimum RTT %.2f us" %
              (len(rtt), rtt.min() * 1e6, np.median(rtt) * 1e6, rtt.mean() * 1e6,
               rtt.min() / 2 * 1e6))
    return 0

