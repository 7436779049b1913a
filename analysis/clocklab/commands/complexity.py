"""Message complexity of the election algorithms against theory.

    python3 -m clocklab complexity FILE.h5 ... [-o complexity.png] [--rows 2,4,8]

A preset of ``clocklab sweep`` for the runs experiments/complexity.sh
writes: x = the node count n, the runs grouped by algorithm and
``election.ids``, complete runs only, log y; it prints the Markdown table
(per n, "mean ± half-width (theory)") and draws the figure. The cases:

- Chang-Roberts with random ids, every node initiating: mean ELECTION
  messages against n*H_n (Chang & Roberts 1979), over the seeds;
- LCR with ids decreasing along the ring: ELECTION messages against
  n(n+1)/2, the worst case;
- Hirschberg-Sinclair with random ids: all messages against the bound
  8n(1 + ceil(log2 n)) (HS 1980);
- Bully, the lowest node detecting the crash of the highest, ids by rank:
  ELECTION + OK + COORDINATOR against n(n-1)/2 + (n-1)(n-2)/2 + (n-2)
  (Garcia-Molina 1982).

The same as::

    python3 -m clocklab sweep FILES --x nodes --by algorithm,election.ids \\
        --where status=complete --logy ARGS   (ARGS: the options in CASES)

which experiments/complexity.sh runs (a test checks that the two agree).
"""

import argparse

from . import sweep

#: (group = algorithm/election.ids, y, closed form, legend)
CASES = [
    ("ring/random", "messages.ELECTION", "chang_roberts", "Chang-Roberts, random ids: mean"),
    ("ring/reverse", "messages.ELECTION", "lcr", "LCR, decreasing ids: worst case"),
    ("hs/random", "messages", "hs_bound", "Hirschberg-Sinclair, random ids: all messages"),
    ("bully/rank", "messages.ELECTION+messages.OK+messages.COORDINATOR", "bully",
     "Bully, worst case: ELECTION+OK+COORDINATOR"),
]


def sweep_arguments():
    """The ``clocklab sweep`` options of the preset (without files and -o)."""
    args = ["--x", "nodes", "--by", "algorithm,election.ids", "--where", "status=complete",
            "--logy", "--ylabel", "messages", "--title", "Message complexity of elections"]
    for group, y, theory, label in CASES:
        args += ["--y", f"{group}={y}", "--theory", f"{group}={theory}",
                 "--label", f"{group}={label}"]
    return args


def main(argv=None, prog="clocklab complexity"):
    """``clocklab complexity``: returns the exit status."""
    parser = argparse.ArgumentParser(prog=prog, description=__doc__.split("\n\n")[0])
    parser.add_argument("files", nargs="+", metavar="FILE.h5")
    parser.add_argument("-o", "--output", default="complexity.png", help="figure path")
    parser.add_argument("--rows", help="comma list of n to tabulate (default: all)")
    args = parser.parse_args(argv)
    extra = ["-o", args.output] + (["--rows", args.rows] if args.rows else [])
    return sweep.main(args.files + sweep_arguments() + extra, prog=prog)
