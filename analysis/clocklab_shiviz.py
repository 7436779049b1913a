#!/usr/bin/env python3
"""Export a clocklab run's events/ to a ShiViz log (space-time diagram in a browser).

ShiViz (https://bestchai.bitbucket.io/shiviz/) reads a log file whose first
line is the parsing regular expression (empty: its default), whose second
line is the multiple-executions delimiter (empty: one execution), and whose
rest is the log. With the default expression

    (?<event>.*)\\n(?<host>\\S*) (?<clock>{.*})

every event is two lines: a description, then the host name, a space and
the event's vector clock as JSON, e.g.

    SEND MSG to VM2 msg=4 lamport=3 t=0.012345
    VM1 {"VM1": 3, "VM3": 1}

ShiViz requires each host's own entry to count its events 1, 2, 3, ... and
every entry for host j to be at most j's number of events; entries that
are 0 are left out. This script writes exactly that format, one line pair
per row of events/table, in a causal order (earliest reference time first
among the events whose predecessors are written).

Vector clocks come from events/vector when the run recorded them (vector
runs); otherwise (Lamport runs, traces) they are computed from the trace
with the Fidge/Mattern rules over program order (seq) and message edges
(SEND/RECEIVE rows with the same msg id). Host names are the node labels
(whitespace replaced by "_"), or node<i> where a node has none.

Usage:  /usr/bin/python3 analysis/clocklab_shiviz.py FILE.h5 [--run run000] [-o out.log]
Without -o the log goes to stdout. Then upload the file on ShiViz's input page.
"""

import argparse
import heapq
import json
import os
import re
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import clocklab_h5 as ch5  # noqa: E402

#: ShiViz's default parsing expression (JavaScript named groups).
DEFAULT_REGEX = r"(?<event>.*)\n(?<host>\S*) (?<clock>{.*})"

SEND, RECEIVE, INTERNAL, DELIVER = 0, 1, 2, 3


class ExportError(Exception):
    """The run cannot be exported (no events, inconsistent trace)."""


def host_names(labels):
    """ShiViz host names from node labels: no whitespace, unique, never empty."""
    names = []
    for i, label in enumerate(labels):
        name = re.sub(r"\s+", "_", label.strip()) or f"node{i}"
        if name.startswith("node_") and name[5:].isdigit():
            name = f"node{i}"  # clocklab_h5's fallback label "node i"
        names.append(name)
    return [f"{name}#{i}" if names.count(name) > 1 else name for i, name in enumerate(names)]


def message_sources(table):
    """Map each RECEIVE row to the row index of its SEND (by msg id)."""
    sends = {int(table["msg"][i]): int(i) for i in np.flatnonzero(table["kind"] == SEND)}
    source = {}
    for i in np.flatnonzero(table["kind"] == RECEIVE):
        msg = int(table["msg"][i])
        if msg not in sends:
            raise ExportError(f"RECEIVE row {i} (message {msg}) has no SEND row")
        source[int(i)] = sends[msg]
    return source


def causal_order(table):
    """Row indices in an order that respects happens-before.

    Kahn's algorithm over program order (seq) and message edges; among the
    events ready to be written the one with the earliest reference time
    goes first. Raises ExportError if the trace has a cycle.
    """
    n = len(table)
    source = message_sources(table)
    waiting = {}  # send row -> receive rows that wait for it
    for recv, send in source.items():
        waiting.setdefault(send, []).append(recv)
    per_node = {}
    for node in np.unique(table["node"]):
        rows = np.flatnonzero(table["node"] == node)
        per_node[int(node)] = list(rows[np.argsort(table["seq"][rows], kind="stable")])
    position = {node: 0 for node in per_node}
    written = np.zeros(n, dtype=bool)
    heap = []

    def offer(node):
        k = position[node]
        if k < len(per_node[node]):
            row = int(per_node[node][k])
            if row not in source or written[source[row]]:
                heapq.heappush(heap, (float(table["time"][row]), node, k, row))

    for node in per_node:
        offer(node)
    order = []
    while heap:
        _, node, _, row = heapq.heappop(heap)
        written[row] = True
        order.append(row)
        position[node] += 1
        offer(node)
        for recv in waiting.get(row, ()):
            other = int(table["node"][recv])
            k = position[other]
            if k < len(per_node[other]) and per_node[other][k] == recv:
                offer(other)
    if len(order) != n:
        raise ExportError("the trace's happens-before graph has a cycle")
    return order


def derived_vectors(table, n_nodes, order=None):
    """Vector clocks from the trace alone (Fidge/Mattern): [E, N] int64.

    An event ticks its node's own entry; a RECEIVE first takes the
    component-wise max with the vector of its SEND.
    """
    order = causal_order(table) if order is None else order
    source = message_sources(table)
    current = np.zeros((n_nodes, n_nodes), dtype=np.int64)
    vectors = np.zeros((len(table), n_nodes), dtype=np.int64)
    for row in order:
        node = int(table["node"][row])
        if row in source:
            np.maximum(current[node], vectors[source[row]], out=current[node])
        current[node, node] += 1
        vectors[row] = current[node]
    return vectors


def own_counts_ok(table, vectors):
    """True when each node's own entry is 1, 2, 3, ... along its events (ShiViz's rule)."""
    for node in np.unique(table["node"]):
        rows = np.flatnonzero(table["node"] == node)
        rows = rows[np.argsort(table["seq"][rows], kind="stable")]
        if not np.array_equal(vectors[rows, int(node)], np.arange(1, len(rows) + 1)):
            return False
    return True


def describe(row, hosts, types):
    """One description line for an events/table row (no newline, no braces)."""
    kind = ch5.EVENT_KINDS.get(int(row["kind"]), str(int(row["kind"])))
    parts = [kind]
    t = int(row["type"])
    if 0 <= t < len(types):
        parts.append(types[t])
    peer = int(row["peer"])
    if 0 <= peer < len(hosts):
        parts.append(("to " if int(row["kind"]) == SEND else "from ") + hosts[peer])
    if int(row["msg"]):
        parts.append(f"msg={int(row['msg'])}")
    parts.append(f"lamport={int(row['lamport'])}")
    parts.append(f"t={float(row['time']):.6f}")
    return " ".join(parts)


def shiviz_log(run):
    """The ShiViz log text for a run dict loaded with events (clocklab_h5.read_run).

    Returns (text, source) where source is "recorded" or "derived": where
    the vector clocks came from.
    """
    events = run["events"]
    if events is None or "table" not in events or len(events["table"]) == 0:
        raise ExportError(f"{run['name']} has no events/")
    table = events["table"]
    n = run["n"] or int(table["node"].max()) + 1
    labels = list(run["nodes"]["label"][:n])
    hosts = host_names(labels + [""] * (n - len(labels)))
    types = run["messages"]["types"] if run["messages"] else []
    order = causal_order(table)
    vectors, source = events.get("vector"), "recorded"
    if vectors is None or not own_counts_ok(table, np.asarray(vectors)):
        vectors, source = derived_vectors(table, n, order), "derived"
    vectors = np.asarray(vectors, dtype=np.int64)
    lines = ["", ""]  # default parsing expression, one execution
    for row in order:
        node = int(table["node"][row])
        clock = {hosts[j]: int(v) for j, v in enumerate(vectors[row]) if v > 0}
        lines.append(describe(table[row], hosts, types))
        lines.append(f"{hosts[node]} {json.dumps(clock)}")
    return "\n".join(lines) + "\n", source


def pick_run(f, name):
    """The run to export: `name`, or the first run with events/."""
    names = ch5.run_names(f)
    if name is not None:
        if name not in names:
            raise ExportError(f"no run {name!r} (runs: {', '.join(names) or 'none'})")
        return name
    with_events = [r for r in names if "events" in f["runs"][r]]
    if not with_events:
        raise ExportError("no run has events/ (logical-clock runs, or [experiment] trace = on)")
    return with_events[0]


def parse_args(argv):
    parser = argparse.ArgumentParser(
        description="Export a clocklab run's events/ as a ShiViz log (default parsing "
                    "expression; vector clocks recorded or derived from the trace).")
    parser.add_argument("file", metavar="FILE.h5", help="clocklab output file")
    parser.add_argument("--run", help="run to export (default: the first run with events/)")
    parser.add_argument("-o", "--output", help="log file to write (default: stdout)")
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    try:
        with ch5.open_clocklab(args.file) as f:
            name = pick_run(f, args.run)
            run = ch5.read_run(f, name, events=True)
        text, source = shiviz_log(run)
    except (ch5.ClocklabError, ExportError) as exc:
        print(f"clocklab_shiviz: error: {args.file}: {exc}", file=sys.stderr)
        return 1
    if args.output:
        with open(args.output, "w") as out:
            out.write(text)
    else:
        sys.stdout.write(text)
    count = len(run["events"]["table"])
    print(f"clocklab_shiviz: {name}: {count} events, vector clocks {source}"
          + (f", wrote {args.output}" if args.output else ""), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
