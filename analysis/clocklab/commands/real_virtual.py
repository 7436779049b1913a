"""One clock-sync experiment in real and in virtual time, side by side.

    python3 -m clocklab real-vs-virtual REAL.h5 VIRTUAL.h5 [-o FIGURE.png]

Both files hold the same runs (same configuration and seeds) except for
[experiment] time. Prints per seed the final skew of both modes and the
median round-trip time of the readings (clock/rounds.rtt), and draws the
true offsets of every node over time for the first run of each file, with a
panel of the final skews per seed.
"""

import argparse
import os
import sys

import numpy as np

from .. import metrics
from ..reader import ClocklabError, exit_status, read_runs


def rtt_median(run):
    rtt = run["clock"]["rounds"]["rtt"]
    rtt = rtt[np.isfinite(rtt) & (rtt > 0)]
    return float(np.median(rtt)) if len(rtt) else float("nan")


def main(argv=None, prog="clocklab real-vs-virtual"):
    """``clocklab real-vs-virtual``: returns the exit status."""
    p = argparse.ArgumentParser(prog=prog, description=__doc__.split("\n\n")[0])
    p.add_argument("real")
    p.add_argument("virtual")
    p.add_argument("-o", "--output", default="real_vs_virtual.png")
    args = p.parse_args(argv)
    try:
        real = read_runs(args.real)[1]
        virtual = read_runs(args.virtual)[1]
    except ClocklabError as e:
        print("%s: error: %s" % (prog, e), file=sys.stderr)
        return exit_status(e)
    print("| seed | final skew, real (us) | final skew, virtual (us) | median RTT, real (us) "
          "| median RTT, virtual (us) |")
    print("|---:|---:|---:|---:|---:|")
    skews = []
    for r, v in zip(real, virtual):
        sr, sv = metrics.final_skew(r), metrics.final_skew(v)
        skews.append((int(r["attrs"]["seed"]), sr, sv))
        print("| %d | %.1f | %.1f | %.1f | %.1f |" % (r["attrs"]["seed"], sr * 1e6, sv * 1e6,
                                                    rtt_median(r) * 1e6, rtt_median(v) * 1e6))
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, axes = plt.subplots(1, 2, figsize=(12, 4.2), gridspec_kw={"width_ratios": [2.2, 1]})
    ax = axes[0]
    for runs, mode, style in ((real, "real time", "-"), (virtual, "virtual time", "--")):
        for k, run in enumerate(runs):
            lo, hi = metrics.skew_envelope(run)
            ax.plot(run["clock"]["time"], (hi - lo) * 1e3, style, color="C%d" % k, lw=0.9,
                    label="%s, seed %d" % (mode, run["attrs"]["seed"]))
    ax.set_yscale("log")
    ax.set_xlabel("reference time (s)")
    ax.set_ylabel("skew: max - min true offset (ms)")
    ax.set_title("Berkeley, %d nodes: real (solid) and virtual (dashed) time" % real[0]["n"])
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7, ncol=2)
    axes = list(axes) + [None]
    axes[2] = axes[1]
    seeds = [s for s, _, _ in skews]
    x = np.arange(len(seeds))
    axes[2].bar(x - 0.2, [a * 1e6 for _, a, _ in skews], 0.4, label="real")
    axes[2].bar(x + 0.2, [b * 1e6 for _, _, b in skews], 0.4, label="virtual")
    axes[2].set_xticks(x, [str(s) for s in seeds])
    axes[2].set_xlabel("seed")
    axes[2].set_ylabel("final skew (us)")
    axes[2].legend()
    axes[2].grid(alpha=0.3, axis="y")
    fig.tight_layout()
    os.makedirs(os.path.dirname(os.path.abspath(args.output)), exist_ok=True)
    fig.savefig(args.output, dpi=110)
    print("wrote %s" % args.output)
    return 0

