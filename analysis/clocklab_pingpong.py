#!/usr/bin/env python3
"""Round-trip times of Cristian's requests through the clocklab runtime.

    /usr/bin/python3 analysis/clocklab_pingpong.py FILE.h5

For a cristian run with `[experiment] trace = on`, pairs every client's
SEND of a REQUEST with its next RECEIVE of a REPLY (one outstanding request
at a time) and prints min, median and mean round-trip time in reference
time, next to Cristian's physical limit for the error, half the minimum RTT.
"""

import sys

import numpy as np

import clocklab_h5 as ch


def round_trips(run):
    """Reference-time RTTs (s) of every request of every client."""
    table = run["events"]["table"]
    types = run["messages"]["types"]
    req, rep = types.index("REQUEST"), types.index("REPLY")
    out = []
    for node in np.unique(table["node"]):
        rows = np.sort(table[table["node"] == node], order="seq")
        sent = None
        for r in rows:
            if r["kind"] == 0 and r["type"] == req:
                sent = r["time"]
            elif r["kind"] == 1 and r["type"] == rep and sent is not None:
                out.append(r["time"] - sent)
                sent = None
    return np.array(out)


def main(argv):
    if len(argv) != 1:
        print(__doc__.strip().split("\n\n")[1], file=sys.stderr)
        return 2
    try:
        _, runs = ch.read_runs(argv[0], events=True)
    except ch.ClocklabError as e:
        print("clocklab_pingpong: error: %s" % e, file=sys.stderr)
        return 1
    for run in runs:
        if run["events"] is None or "REQUEST" not in run["messages"]["types"]:
            continue
        rtt = round_trips(run)
        print("runtime ping-pong (cristian requests), %d round trips: min %.2f us, median %.2f us, "
              "mean %.2f us; half the minimum RTT %.2f us" %
              (len(rtt), rtt.min() * 1e6, np.median(rtt) * 1e6, rtt.mean() * 1e6,
               rtt.min() / 2 * 1e6))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
