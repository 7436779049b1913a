"""Export the events/ of a file's runs as a ShiViz log (space-time diagrams in a browser).

    python3 -m clocklab shiviz FILE.h5 [--run run000] [-o out.log]

ShiViz (https://bestchai.bitbucket.io/shiviz/) reads a log file whose first
line is the parsing regular expression (empty: its default), whose second
line is the regular expression that separates executions, and whose rest
is the log. Every run of the file with events/ becomes one execution,
introduced by a delimiter line that names it:

    === run000: vector, 4 nodes, seed 42 ===

(the delimiter expression ``^=== (?<trace>.*) ===$``: ShiViz shows each
execution under its name and can compare them). With the default
expression

    (?<event>.*)\\n(?<host>\\S*) (?<clock>{.*})

every event is two lines: a description, then the host name, a space and
the event's vector clock as JSON, e.g.

    SEND MSG to VM2 msg=VM1:4 lamport=3 t=0.012345
    VM1 {"VM1": 3, "VM3": 1}

``msg=VM1:4`` is the message's id as a reader follows it: the fourth
message host VM1 sent; its RECEIVE row carries the same. ShiViz requires
each host's own entry to count its events 1, 2, 3, ... and every entry for
host j to be at most j's number of events; entries that are 0 are left
out. Events are written in a causal order (earliest reference time first
among the events whose predecessors are written: clocklab.causality).

Vector clocks come from events/vector when the run recorded them (vector
runs) and they keep ShiViz's rule; otherwise (Lamport runs, traces) they
are computed from the trace with the Fidge/Mattern rules
(clocklab.causality.derived_vectors). Host names are the node labels
(whitespace replaced by "_"), or node<i> where a node has none.

Without -o the log goes to stdout. Then upload the file on ShiViz's input page.
"""

import argparse
import json
import re
import sys

import numpy as np

from ..causality import causal_order, derived_vectors, message_label, own_counts_ok
from ..reader import (ClocklabError, ClocklabFileError, event_kinds, exit_status, open_clocklab,
                     read_run, run_names)

#: ShiViz's default parsing expression (JavaScript named groups).
DEFAULT_REGEX = r"(?<event>.*)\n(?<host>\S*) (?<clock>{.*})"

#: The line that separates executions, and the expression that finds it.
DELIMITER = "=== {} ==="
DELIMITER_REGEX = r"^=== (?<trace>.*) ===$"


class ExportError(ClocklabError):
    """The run cannot be exported (no events, inconsistent trace)."""


def host_names(labels):
    """ShiViz host names from node labels: no whitespace, unique, never empty."""
    names = []
    for i, label in enumerate(labels):
        name = re.sub(r"\s+", "_", label.strip()) or f"node{i}"
        if name.startswith("node_") and name[5:].isdigit():
            name = f"node{i}"  # the reader's fallback label "node i"
        names.append(name)
    return [f"{name}#{i}" if names.count(name) > 1 else name for i, name in enumerate(names)]


def describe(row, kinds, hosts, types):
    """One description line for an events/table row (no newline, no braces)."""
    kind = int(row["kind"])
    parts = [kinds.name(kind)]
    t = int(row["type"])
    if 0 <= t < len(types):
        parts.append(types[t])
    peer = int(row["peer"])
    if 0 <= peer < len(hosts):
        parts.append(("to " if kind == kinds.SEND else "from ") + hosts[peer])
    if int(row["msg"]):
        parts.append(f"msg={message_label(row['msg'], hosts)}")
    parts.append(f"lamport={int(row['lamport'])}")
    parts.append(f"t={float(row['time']):.6f}")
    return " ".join(parts)


def execution_name(run):
    """The execution's name on its delimiter line: run, algorithm, nodes, seed."""
    a = run["attrs"]
    return f"{run['name']}: {a.get('algorithm', '?')}, {run['n']} nodes, seed {a.get('seed', '?')}"


def execution(run):
    """The log lines of one run (read with events) and where its vectors
    came from: (lines, "recorded" | "derived"). Raises ExportError."""
    events = run["events"]
    if events is None or "table" not in events or len(events["table"]) == 0:
        raise ExportError(f"{run['name']} has no events/")
    table = events["table"]
    kinds = event_kinds(table)
    n = run["n"] or int(table["node"].max()) + 1
    labels = list(run["nodes"]["label"][:n])
    hosts = host_names(labels + [""] * (n - len(labels)))
    types = run["messages"]["types"] if run["messages"] else []
    try:
        order = causal_order(table)
        vectors, source = events.get("vector"), "recorded"
        if vectors is None or not own_counts_ok(table, np.asarray(vectors)):
            vectors, source = derived_vectors(table, n, order), "derived"
    except ClocklabError as exc:
        raise ExportError(f"{run['name']}: {exc}") from None
    vectors = np.asarray(vectors, dtype=np.int64)
    lines = []
    for row in order:
        node = int(table["node"][row])
        clock = {hosts[j]: int(v) for j, v in enumerate(vectors[row]) if v > 0}
        lines.append(describe(table[row], kinds, hosts, types))
        lines.append(f"{hosts[node]} {json.dumps(clock)}")
    return lines, source


def shiviz_log(runs):
    """The ShiViz log text of run dicts loaded with events: the default
    parsing expression, the delimiter expression, then one execution per
    run. Returns (text, [(run name, events, "recorded" | "derived")])."""
    lines, done = ["", DELIMITER_REGEX], []
    for run in runs:
        body, source = execution(run)
        lines.append(DELIMITER.format(execution_name(run)))
        lines += body
        done.append((run["name"], len(body) // 2, source))
    return "\n".join(lines) + "\n", done


def load(path, name=None):
    """The runs to export: run ``name``, or every run with events/.
    Raises ExportError when there is none."""
    with open_clocklab(path) as f:
        names = run_names(f)
        if name is not None:
            if name not in names:
                raise ExportError(f"no run {name!r} (runs: {', '.join(names) or 'none'})")
            chosen = [name]
        else:
            chosen = [r for r in names if "events" in f["runs"][r]]
            if not chosen:
                raise ExportError("no run has events/ (logical-clock runs, or "
                                  "[experiment] trace = on)")
        return [read_run(f, r, events=True) for r in chosen]


def main(argv=None, prog="clocklab shiviz"):
    """``clocklab shiviz``: returns the exit status."""
    parser = argparse.ArgumentParser(
        prog=prog, description="Export the events/ of a clocklab file's runs as a ShiViz log, "
                               "one execution per run (vector clocks recorded or derived "
                               "from the trace).")
    parser.add_argument("file", metavar="FILE.h5", help="clocklab output file")
    parser.add_argument("--run", help="export only this run (default: every run with events/)")
    parser.add_argument("-o", "--output", help="log file to write (default: stdout)")
    args = parser.parse_args(argv)
    try:
        text, done = shiviz_log(load(args.file, args.run))
    except ClocklabError as exc:
        where = "" if isinstance(exc, ClocklabFileError) else f"{args.file}: "
        print(f"{prog}: error: {where}{exc}", file=sys.stderr)
        return exit_status(exc)
    if args.output:
        with open(args.output, "w") as out:
            out.write(text)
    else:
        sys.stdout.write(text)
    for name, count, source in done:
        print(f"{prog}: {name}: {count} events, vector clocks {source}", file=sys.stderr)
    if args.output:
        print(f"{prog}: wrote {args.output}", file=sys.stderr)
    return 0
