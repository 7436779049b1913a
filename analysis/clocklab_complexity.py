#!/usr/bin/env python3
"""Message complexity of the election algorithms against theory.

    /usr/bin/python3 analysis/clocklab_complexity.py FILE.h5 ... [-o complexity.png]

Reads election runs (as written by experiments/complexity.sh), groups them
by case and node count n, and prints a Markdown table and draws measured
counts against the theory curves:

- Chang-Roberts with random ids, all nodes initiating: mean ELECTION
  messages n*H_n (Chang & Roberts 1979), over the seeds;
- LCR with ids decreasing along the ring: ELECTION messages n(n+1)/2, the
  worst case;
- Hirschberg-Sinclair: all messages <= 8n(1 + ceil(log2 n)) (HS 1980);
- Bully, the lowest node detecting the crash of the highest and every live
  node holding one election: ELECTION + OK + COORDINATOR =
  n(n-1)/2 + (n-1)(n-2)/2 + (n-2) (Garcia-Molina 1982).
"""

import argparse
import configparser
import math
import sys
from collections import defaultdict

import numpy as np

import clocklab_h5 as ch

CASES = {
    "ring-random": ("Chang-Roberts, random ids (mean)", ("ELECTION",),
                    lambda n: n * sum(1.0 / k for k in range(1, n + 1)), "n·H_n"),
    "ring-reverse": ("LCR, decreasing ids (worst)", ("ELECTION",),
                     lambda n: n * (n + 1) / 2, "n(n+1)/2"),
    "hs": ("Hirschberg-Sinclair (all messages)", None,
           lambda n: 8 * n * (1 + math.ceil(math.log2(n))), "8n(1+⌈log2 n⌉), bound"),
    "bully": ("Bully, worst case (ELECTION+OK+COORDINATOR)", ("ELECTION", "OK", "COORDINATOR"),
              lambda n: n * (n - 1) / 2 + (n - 1) * (n - 2) / 2 + (n - 2), "closed form"),
}


def case_of(run):
    """Which case of CASES a run belongs to, from its resolved config."""
    cfg = configparser.ConfigParser(inline_comment_prefixes=(";",))
    cfg.read_string(run["attrs"].get("config", ""))
    alg = run["attrs"]["algorithm"]
    ids = cfg["election"]["ids"] if "election" in cfg else "rank"
    if alg == "ring":
        return "ring-reverse" if ids == "reverse" else "ring-random" if ids == "random" else None
    return alg if alg in CASES else None


def count(run, types):
    """Messages sent of the given types (all types when None)."""
    names, sent = run["messages"]["types"], run["messages"]["sent"].sum(axis=0)
    return int(sum(c for t, c in zip(names, sent) if types is None or t in types))


def collect(paths):
    """{case: {n: [counts]}} over all complete runs of the files."""
    data = defaultdict(lambda: defaultdict(list))
    for path in paths:
        for run in ch.read_runs(path)[1]:
            case = case_of(run)
            if case and run["attrs"]["status"] == "complete":
                data[case][run["n"]].append(count(run, CASES[case][1]))
    return data


def table(data, rows=None):
    """Markdown table: one row per n, per case "measured (theory)"; the
    Chang-Roberts and HS columns give the mean over the seeds."""
    cases = [c for c in CASES if c in data]
    ns = sorted({n for c in cases for n in data[c]})
    if rows:
        ns = [n for n in ns if n in rows]
    head = "| n | " + " | ".join("%s: measured (%s)" % (CASES[c][0], CASES[c][3]) for c in cases)
    lines = [head + " |", "|---:|" + "---:|" * len(cases)]
    for n in ns:
        cells = []
        for c in cases:
            counts = data[c].get(n)
            cells.append("%.1f (%.1f)" % (np.mean(counts), CASES[c][2](n)) if counts else "")
        lines.append("| %d | %s |" % (n, " | ".join(cells)))
    return "\n".join(lines)


def plot(data, path):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots(figsize=(8, 5.5))
    for i, (case, (label, _, theory, tlabel)) in enumerate(CASES.items()):
        if case not in data:
            continue
        ns = sorted(data[case])
        color = "C%d" % i
        ax.plot(ns, [np.mean(data[case][n]) for n in ns], "o", color=color, ms=4,
                label="%s, measured" % label)
        grid = np.unique(np.geomspace(2, max(ns), 400).astype(int)) if max(ns) > 100 else \
            np.arange(2, max(ns) + 1)
        ax.plot(grid, [theory(n) for n in grid], "-", color=color, lw=1, alpha=0.7,
                label="theory: %s" % tlabel)
    ax.set_xlabel("nodes n")
    if max(max(data[c]) for c in data) > 100:
        ax.set_xscale("log", base=2)
    ax.set_ylabel("messages")
    ax.set_yscale("log")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7.5)
    ax.set_title("Message complexity of elections")
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("files", nargs="+", metavar="FILE.h5")
    p.add_argument("-o", "--output", default="complexity.png", help="figure path")
    p.add_argument("--rows", help="comma list of n to tabulate (default: all)")
    args = p.parse_args(argv)
    try:
        data = collect(args.files)
    except ch.ClocklabError as e:
        print("clocklab_complexity: error: %s" % e, file=sys.stderr)
        return 1
    rows = {int(n) for n in args.rows.split(",")} if args.rows else None
    print(table(data, rows))
    import os
    os.makedirs(os.path.dirname(os.path.abspath(args.output)), exist_ok=True)
    plot(data, args.output)
    print("wrote %s" % args.output)
    return 0


if __name__ == "__main__":
    sys.exit(main())
