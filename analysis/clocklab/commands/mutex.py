"""The mutual-exclusion study (experiments/mutex.sh): figures and tables.

  python3 -m clocklab mutex scaling FILE.h5... -o docs/mutex_scaling.png
      messages per entry and synchronization delay against the node count n,
      at saturation, with the theory lines; prints a Markdown table.
  python3 -m clocklab mutex rate FILE.h5... -o docs/mutex_rate.png
      mean response time (request to entry) against the request rate per
      node, pooled over the runs (seeds) of a rate; prints a Markdown table.

Theory (Coulouris et al., Distributed Systems, 5th ed., 15.2; Ricart &
Agrawala 1981; Lamport 1978; Suzuki & Kasami 1985), with one-way delay T:

  algorithm         messages per entry     synchronization delay
  mutex_central     3                      2T (RELEASE, then GRANT)
  ricart_agrawala   2(n-1)                 T  (the deferred REPLY)
  lamport_mutex     3(n-1)                 T  (the RELEASE)
  token_ring        1 when saturated       T  (one hop to the waiting successor)
  suzuki_kasami     n                      T  (the TOKEN)

The token algorithms make their first entry with the token in hand (no
message), so at saturation token_ring sends n*E - 1 messages for n*E
entries; suzuki_kasami enters free (0 messages) whenever the holder asks
again before another request has reached it, and sends exactly n for every
other entry (results/free_entries counts the free ones). The synchronization delay is measured, from
mutex/sections alone, as the gap between an exit and the next entry when
the next node was already waiting.
"""

import argparse
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from .. import metrics  # noqa: E402
from ..config import config_value, distribution  # noqa: E402
from ..reader import ClocklabError, exit_status, read_files  # noqa: E402
from ..theory import closed_form  # noqa: E402

ALGORITHMS = ["mutex_central", "ricart_agrawala", "lamport_mutex", "token_ring", "suzuki_kasami"]
LABELS = {"mutex_central": "central", "ricart_agrawala": "Ricart-Agrawala",
          "lamport_mutex": "Lamport", "token_ring": "token ring",
          "suzuki_kasami": "Suzuki-Kasami"}
COLORS = dict(zip(ALGORITHMS, plt.get_cmap("tab10").colors))


def messages_theory(algorithm, n):
    """Messages per entry by the formulas above (clocklab.theory)."""
    return closed_form(algorithm)[0](n)


def delay_theory(algorithm):
    """Synchronization delay in one-way delays T."""
    return 2 if algorithm == "mutex_central" else 1


def one_way_delay(run):
    """T of a run with [network] delay = constant(T) (s); NaN for another delay."""
    name, args = distribution(config_value(run, "network", "delay", "0"))
    return args[0] if name == "constant" else float("nan")


def request_rate(run):
    """Requests per second per node of an exponential(mean) interval."""
    name, args = distribution(config_value(run, run["attrs"]["algorithm"], "interval"))
    return 1.0 / args[0] if name == "exponential" else float("nan")


def entries(run):
    """Completed sections (entered and exited), sorted by entry."""
    return metrics.completed_sections(run)


messages_per_entry = metrics.messages_per_entry
sync_delays = metrics.sync_delays


def load(paths):
    """The complete runs, and the interrupted ones of runs with a duration."""
    return [r for r in read_files(paths) if r["attrs"].get("status") == "complete"
            or r["attrs"].get("duration", 0) > 0]


def print_lateness(runs):
    """How well the machine kept these runs' timing (fidelity/), one line."""
    values = [v for v in (metrics.lateness_p99(r) for r in runs) if v is not None]
    if values:
        print(f"\nworst p99 lateness of deliveries and timers per run (fidelity/): median "
              f"{np.median(values) * 1e6:.0f} us, max {np.max(values) * 1e6:.0f} us over "
              f"{len(values)} runs")


def scaling(paths, out):
    rows = {}
    runs = load(paths)
    for run in runs:
        a, n = run["attrs"]["algorithm"], run["n"]
        d = sync_delays(run)
        free = 0
        if run["results"] is not None and "free_entries" in run["results"]:
            free = int(np.nansum(run["results"]["free_entries"]))
        rows[(a, n)] = (messages_per_entry(run), np.mean(d) / one_way_delay(run) if len(d)
                        else float("nan"), len(entries(run)), metrics.total_messages(run), free)
    ns = sorted({n for _, n in rows})
    fig, (left, right) = plt.subplots(1, 2, figsize=(13, 5))
    grid = np.array(ns, float)
    for a in ALGORITHMS:
        have = [n for n in ns if (a, n) in rows]
        if not have:
            continue
        c = COLORS[a]
        left.plot(have, [rows[(a, n)][0] for n in have], "o", color=c, label=LABELS[a])
        left.plot(grid, [messages_theory(a, int(n)) for n in grid], "-", color=c, alpha=0.5)
        right.plot(have, [rows[(a, n)][1] for n in have], "o-", color=c, label=LABELS[a])
        right.axhline(delay_theory(a), color=c, alpha=0.4, linestyle=":")
    left.set_xlabel("nodes n")
    left.set_ylabel("messages per entry")
    left.set_title("messages per entry (dots), theory (lines): 3, 2(n-1), 3(n-1), 1, n",
                   fontsize="medium")
    right.set_xlabel("nodes n")
    right.set_ylabel("synchronization delay / one-way delay T")
    right.set_title("exit to the next entry, at saturation; theory (dotted): 2T central, T others",
                    fontsize="medium")
    for ax in (left, right):
        ax.grid(True, alpha=0.3)
        ax.legend(fontsize="small")
    right.set_ylim(bottom=0)
    fig.tight_layout()
    fig.savefig(out, dpi=120)
    plt.close(fig)
    head = "| n | " + " | ".join(f"{LABELS[a]} ({f})" for a, f in zip(
        ALGORITHMS, ["3", "2(n−1)", "3(n−1)", "1", "n"])) + " |"
    print(head)
    print("|---:|" + "---:|" * len(ALGORITHMS))
    for n in ns:
        cells = []
        for a in ALGORITHMS:
            if (a, n) not in rows:
                cells.append("-")
                continue
            m, _, e, total, free = rows[(a, n)]
            cell = f"{m:.2f} ({total}/{e})"
            if free:
                cell += f"; {total / (e - free):.2f} per entry without the token ({free} free)"
            cells.append(cell)
        print(f"| {n} | " + " | ".join(cells) + " |")
    print()
    print("| n | " + " | ".join(f"{LABELS[a]} ({delay_theory(a)}T)" for a in ALGORITHMS) + " |")
    print("|---:|" + "---:|" * len(ALGORITHMS))
    for n in ns:
        cells = [f"{rows[(a, n)][1]:.2f}" if (a, n) in rows and np.isfinite(rows[(a, n)][1])
                 else "-" for a in ALGORITHMS]
        print(f"| {n} | " + " | ".join(cells) + " |")
    print_lateness(runs)


def rate(paths, out):
    pooled = {}  # (algorithm, rate) -> waits of every run (seed) with them
    runs = load(paths)
    for run in runs:
        a = run["attrs"]["algorithm"]
        s = entries(run)
        key = (a, request_rate(run), one_way_delay(run), run["n"])
        pooled.setdefault(key, []).append(s["entered"] - s["requested"])
    points = {}
    for (a, r, T, n), waits in pooled.items():
        w = np.concatenate(waits)
        points.setdefault(a, []).append((r, np.mean(w), len(w), T, n))
    fig, ax = plt.subplots(figsize=(7, 5))
    rates = sorted({p[0] for ps in points.values() for p in ps})
    for a in ALGORITHMS:
        if a not in points:
            continue
        ps = sorted(points[a])
        ax.plot([p[0] for p in ps], [p[1] * 1e3 for p in ps], "o-", color=COLORS[a],
                label=LABELS[a])
    T = next(iter(points.values()))[0][3]
    n = next(iter(points.values()))[0][4]
    ax.axhline(2 * T * 1e3, color="0.5", linestyle=":", label="2T (one round trip)")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("requests per second per node")
    ax.set_ylabel("mean response time, request to entry (ms)")
    ax.set_title(f"{n} nodes, T = {T * 1e3:g} ms, hold 1 ms", fontsize="medium")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize="small")
    fig.tight_layout()
    fig.savefig(out, dpi=120)
    plt.close(fig)
    print("| requests/s per node | " + " | ".join(LABELS[a] for a in ALGORITHMS) + " |")
    print("|---:|" + "---:|" * len(ALGORITHMS))
    for r in rates:
        cells = []
        for a in ALGORITHMS:
            p = [p for p in points.get(a, []) if p[0] == r]
            cells.append(f"{p[0][1] * 1e3:.1f} ms ({p[0][2]})" if p else "-")
        print(f"| {r:g} | " + " | ".join(cells) + " |")
    print_lateness(runs)


def main(argv=None, prog="clocklab mutex"):
    """``clocklab mutex``: returns the exit status."""
    parser = argparse.ArgumentParser(prog=prog, description=__doc__.split("\n\n")[0])
    parser.add_argument("study", choices=("scaling", "rate"))
    parser.add_argument("files", nargs="+", metavar="FILE.h5")
    parser.add_argument("-o", "--output", required=True, help="figure file")
    args = parser.parse_args(argv)
    try:
        (scaling if args.study == "scaling" else rate)(args.files, args.output)
    except ClocklabError as exc:
        print(f"{prog}: error: {exc}", file=sys.stderr)
        return exit_status(exc)
    return 0

