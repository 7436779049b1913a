#!/usr/bin/env python3
"""Plot and summarize clocklab HDF5 files (schema "clocklab/1").

For every run of every file, writes into the output directory:

  <filestem>_<run>_offset.<fmt>    true clock offset of each node over time
                                   (runs with clock/ data)
  <filestem>_<run>_messages.<fmt>  messages sent per node, stacked by type
                                   (runs with messages/ data)
  <filestem>_<run>_election.<fmt>  leader-belief timeline per node
                                   (runs with election/ data)
  <filestem>_<run>_logical.<fmt>   each node's Lamport clock over time; for
                                   Lamport runs also the clock jumps at
                                   receives and the queue lengths
                                   (logical-clock runs with events/)
  <filestem>_<run>_requests.<fmt>  response-time CDF of the served requests
                                   per server, and each server's number in
                                   the system over time (dispatch runs)
  <filestem>_<run>_mutex.<fmt>     per node, waiting for and holding the
                                   critical section over time
                                   (mutual-exclusion runs)

and prints one summary row per run on stdout (winner: the raffle winner of
a totally-ordered-multicast run, "a/b" when the nodes disagree;
lateness_p99_us: the worst p99 lateness of deliveries and timers from
fidelity/, and timing "NOT TRUSTED" when it is above the run's threshold). Exits with
status 1 and one message when a file is missing or not a clocklab/1 file;
nothing is written in that case.

Example:  /usr/bin/python3 analysis/clocklab_plot.py berkeley.h5 -o figures
"""

import argparse
import os
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402  (backend must be chosen first)
import numpy as np  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402
from matplotlib.patches import Patch  # noqa: E402
from matplotlib.ticker import MaxNLocator  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import clocklab_h5 as ch5  # noqa: E402

#: Above this many nodes the per-node legend is left out (unreadable).
MAX_LEGEND_NODES = 16
DPI = 120
#: Figures grow with the node count up to this size (inches).
MAX_FIG_INCHES = 16
#: At most this many node names on a node axis (every k-th node beyond).
MAX_NODE_TICKS = 32
#: Up to this many rounds get full-height lines on the offset plot.
MAX_ROUND_LINES = 60
NO_LEADER_COLOR = "0.75"

COLUMNS = [  # (header, key, formatter)
    ("file", "file", str),
    ("run", "run", str),
    ("algorithm", "algorithm", str),
    ("nodes", "nodes", str),
    ("status", "status", str),
    ("final_skew_ms", "final_skew", lambda v: f"{v * 1e3:.4f}"),
    ("max_abs_offset_ms", "max_abs_offset", lambda v: f"{v * 1e3:.4f}"),
    ("messages", "messages", str),
    ("leader", "leader", str),
    ("winner", "winner", lambda v: "/".join(map(str, v)) if isinstance(v, tuple) else str(v)),
    ("lateness_p99_us", "lateness_p99", lambda v: f"{v * 1e6:.1f}"),
    ("timing", "trusted", lambda v: "ok" if v else "NOT TRUSTED"),
]


# --------------------------------------------------------------------------
# Summary table
# --------------------------------------------------------------------------

def format_table(rows):
    """Return the summary rows (dicts from clocklab_h5.summary) as aligned text."""
    header = [name for name, _, _ in COLUMNS]
    cells = [[("-" if row.get(key) is None else fmt(row[key])) for _, key, fmt in COLUMNS]
             for row in rows]
    widths = [max(len(str(c)) for c in column) for column in zip(header, *cells)]
    numeric = {"nodes", "final_skew_ms", "max_abs_offset_ms", "messages", "leader", "winner",
               "lateness_p99_us", "timing"}

    def line(values):
        parts = [v.rjust(w) if h in numeric else v.ljust(w)
                 for v, w, h in zip(values, widths, header)]
        return "  ".join(parts).rstrip()

    return "\n".join([line(header)] + [line(c) for c in cells])


# --------------------------------------------------------------------------
# Figure helpers
# --------------------------------------------------------------------------

def node_colors(n):
    """One colour per node (tab10/tab20, cycling beyond 20)."""
    cmap = plt.get_cmap("tab10" if n <= 10 else "tab20")
    return [cmap(i % cmap.N) for i in range(n)]


def title(stem, run):
    """Figure title: file, run, algorithm, node count and status."""
    a = run["attrs"]
    status = a.get("status", "?")
    return (f"{stem} / {run['name']}: {a.get('algorithm', '?')} "
            f"({run['n']} nodes{'' if status == 'complete' else ', ' + status})")


def label_nodes(axis, run, **text):
    """Tick the node axis with node labels, at most MAX_NODE_TICKS of them."""
    step = -(-run["n"] // MAX_NODE_TICKS)  # ceiling division
    ticks = np.arange(0, run["n"], step)
    axis.set_ticks(ticks)
    axis.set_ticklabels([run["nodes"]["label"][i] for i in ticks], **text)


def save(fig, path):
    """Write the figure and close it."""
    fig.savefig(path, dpi=DPI, bbox_inches="tight")
    plt.close(fig)


def finite(values):
    """The finite entries of an array, as floats."""
    values = np.asarray(values, float)
    return values[np.isfinite(values)]


# --------------------------------------------------------------------------
# Offset figure
# --------------------------------------------------------------------------

def draw_rounds(ax, rounds):
    """Mark the start of each synchronization round lightly.

    Full-height faint lines for up to MAX_ROUND_LINES rounds, else a rug of
    short ticks along the bottom (so many rounds do not grey out the plot).
    """
    if rounds is None or len(rounds) == 0:
        return
    ids, which = np.unique(rounds["round"], return_inverse=True)
    starts = np.full(len(ids), np.inf)
    np.minimum.at(starts, which, np.asarray(rounds["time"], float))
    top = 1.0 if len(starts) <= MAX_ROUND_LINES else 0.03
    ax.vlines(starts, 0, top, transform=ax.get_xaxis_transform(),
              colors="0.6", linewidth=0.5, alpha=0.35 if top == 1.0 else 0.8, zorder=0)


def draw_crashes(ax, run, colors):
    """Dashed (crash) and dotted (recover) vertical lines in the node's colour."""
    nodes = run["nodes"]
    for i in range(run["n"]):
        for key, style in (("crashed_at", "--"), ("recovered_at", ":")):
            t = nodes[key][i]
            if np.isfinite(t):
                ax.axvline(t, color=colors[i], linestyle=style, linewidth=1.2)


def offset_legend(ax, run, colors, lines):
    """Legend: nodes (when few), envelope, crash/recover/round markers."""
    handles = list(lines) if run["n"] <= MAX_LEGEND_NODES else []
    handles.append(Patch(color="0.5", alpha=0.25, label="skew envelope (alive)"))
    if not ch5.alive_matrix(run).all():
        handles.append(Line2D([], [], color="0.5", alpha=0.3, label="while down"))
    if np.isfinite(run["nodes"]["crashed_at"]).any():
        handles.append(Line2D([], [], color="k", linestyle="--", label="crash"))
    if np.isfinite(run["nodes"]["recovered_at"]).any():
        handles.append(Line2D([], [], color="k", linestyle=":", label="recover"))
    if "rounds" in run["clock"] and len(run["clock"]["rounds"]):
        handles.append(Line2D([], [], color="0.6", alpha=0.5, label="round start"))
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1.0),
              fontsize="small", frameon=False)


def draw_offset_lines(ax, run, times, offsets, colors):
    """One line per node (ms); samples taken while a node is down are faded."""
    alive = ch5.alive_matrix(run)
    lines = []
    for i in range(run["n"]):
        ms = offsets[:, i] * 1e3
        if not alive[:, i].all():
            ax.plot(times, ms, color=colors[i], linewidth=0.8, alpha=0.3)
        lines.append(ax.plot(times, np.where(alive[:, i], ms, np.nan), color=colors[i],
                             linewidth=1.2, label=run["nodes"]["label"][i])[0])
    return lines


def plot_offset(run, stem, path):
    """True offset of every node over time (ms) with skew envelope and markers."""
    times, offsets = ch5.clock_times(run), ch5.clock_offsets(run)
    colors = node_colors(run["n"])
    fig, ax = plt.subplots(figsize=(9, 4.8))
    lo, hi = ch5.skew_envelope(run)
    ax.fill_between(times, lo * 1e3, hi * 1e3, color="0.5", alpha=0.25, linewidth=0)
    lines = draw_offset_lines(ax, run, times, offsets, colors)
    draw_rounds(ax, run["clock"].get("rounds"))
    draw_crashes(ax, run, colors)
    ax.axhline(0, color="k", linewidth=0.5)
    skew = ch5.final_skew(run)
    ax.set_title(title(stem, run) + ("" if skew is None else
                                     f"\nfinal skew {skew * 1e3:.4g} ms"), fontsize="medium")
    ax.set_xlabel("reference time t (s)")
    ax.set_ylabel("true offset C_i(t) - t (ms)")
    ax.grid(True, alpha=0.3)
    offset_legend(ax, run, colors, lines)
    save(fig, path)


# --------------------------------------------------------------------------
# Messages figure
# --------------------------------------------------------------------------

def plot_messages(run, stem, path):
    """Messages sent per node, stacked by message type."""
    msgs = run["messages"]
    sent = np.asarray(msgs["sent"], dtype=float).reshape(run["n"], -1)
    types = msgs["types"] or [f"type {k}" for k in range(sent.shape[1])]
    x = np.arange(run["n"])
    fig, ax = plt.subplots(figsize=(min(max(6, 0.35 * run["n"] + 3), MAX_FIG_INCHES), 4.5))
    cmap = plt.get_cmap("tab10" if len(types) <= 10 else "tab20")
    bottom = np.zeros(run["n"])
    for k, name in enumerate(types):
        ax.bar(x, sent[:, k], bottom=bottom, color=cmap(k % cmap.N), label=name,
               edgecolor="white", linewidth=0.5)
        bottom += sent[:, k]
    label_nodes(ax.xaxis, run, rotation=45 if run["n"] > 8 else 0,
                ha="right" if run["n"] > 8 else "center")
    ax.set_ylabel("messages sent")
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_title(f"{title(stem, run)}\n{int(sent.sum())} messages sent", fontsize="medium")
    ax.grid(True, axis="y", alpha=0.3)
    ax.legend(title="type", loc="upper left", bbox_to_anchor=(1.01, 1.0),
              fontsize="small", frameon=False)
    save(fig, path)


# --------------------------------------------------------------------------
# Election figure
# --------------------------------------------------------------------------

def leader_colors(intervals):
    """Map each leader value seen in the intervals to a colour."""
    values = sorted({v for lane in intervals for _, _, v in lane if v >= 0})
    cmap = plt.get_cmap("tab10" if len(values) <= 10 else "tab20")
    return {v: cmap(k % cmap.N) for k, v in enumerate(values)}


def draw_lanes(ax, intervals, colors):
    """One horizontal lane per node, a coloured bar per belief interval.

    Intervals without a leader (-1) are a thin grey bar.
    """
    for node, lane in enumerate(intervals):
        for start, stop, value in lane:
            if value >= 0:
                ax.broken_barh([(start, stop - start)], (node - 0.35, 0.7),
                               facecolors=colors[value], edgecolor="white", linewidth=0.5)
            else:
                ax.broken_barh([(start, stop - start)], (node - 0.08, 0.16),
                               facecolors=NO_LEADER_COLOR)


def draw_election_markers(ax, run):
    """Crash (red X), recover (green P) and decided_at (black dot) markers."""
    nodes, lanes = run["nodes"], np.arange(run["n"])
    crashed, recovered = nodes["crashed_at"], nodes["recovered_at"]
    ax.scatter(crashed, lanes, marker="X", s=90, color="tab:red", zorder=3, label="crash")
    ax.scatter(recovered, lanes, marker="P", s=90, color="tab:green", zorder=3,
               label="recover")
    decided = run["election"].get("decided_at")
    if decided is not None:
        ax.scatter(decided, lanes[: len(decided)], marker="o", s=25, color="k", zorder=4,
                   label="decided")
    for i in range(run["n"]):  # hatch the time a node is down
        if np.isfinite(crashed[i]):
            stop = recovered[i] if np.isfinite(recovered[i]) else ch5.end_time(run)
            ax.broken_barh([(crashed[i], max(stop - crashed[i], 0))], (i - 0.35, 0.7),
                           facecolors="none", edgecolor="0.4", hatch="///", linewidth=0)


def election_legend(ax, run, colors):
    """Legend: one patch per leader value, then the markers that occur."""
    handles = [Patch(color=c, label=f"leader {v}") for v, c in colors.items()]
    if any(v < 0 for lane in ch5.leader_intervals(run) for _, _, v in lane):
        handles.append(Patch(color=NO_LEADER_COLOR, label="no leader"))
    for marker, color, label, key in (("X", "tab:red", "crash", "crashed_at"),
                                      ("P", "tab:green", "recover", "recovered_at")):
        if np.isfinite(run["nodes"][key]).any():
            handles.append(Line2D([], [], marker=marker, color=color, linestyle="",
                                  markersize=9, label=label))
    handles.append(Line2D([], [], marker="o", color="k", linestyle="", markersize=5,
                          label="decided_at"))
    handles.append(Patch(facecolor="none", edgecolor="0.4", hatch="///", label="down"))
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1.0),
              fontsize="small", frameon=False)


def plot_election(run, stem, path):
    """Timeline of each node's leader belief, with crash/recover/decided markers."""
    intervals = ch5.leader_intervals(run)
    colors = leader_colors(intervals)
    fig, ax = plt.subplots(figsize=(9, min(max(2.5, 0.45 * run["n"] + 1.5), MAX_FIG_INCHES)))
    draw_lanes(ax, intervals, colors)
    draw_election_markers(ax, run)
    label_nodes(ax.yaxis, run)
    ax.set_ylim(run["n"] - 0.5, -0.5)
    ax.set_xlim(0, max(ch5.end_time(run), 1e-9) * 1.02)
    ax.set_xlabel("reference time t (s)")
    final = ch5.leader(run)
    ax.set_title(f"{title(stem, run)}\nleader belief over time (final: "
                 f"{'none' if final == -1 else final})", fontsize="medium")
    ax.grid(True, axis="x", alpha=0.3)
    election_legend(ax, run, colors)
    save(fig, path)


# --------------------------------------------------------------------------
# Logical-clock figure
# --------------------------------------------------------------------------

def node_legend(ax, run, lines):
    """Per-node legend outside the axes (left out for many nodes)."""
    if run["n"] <= MAX_LEGEND_NODES:
        ax.legend(handles=lines, loc="upper left", bbox_to_anchor=(1.01, 1.0),
                  fontsize="small", frameon=False)


def rate_labels(run):
    """Node labels, with the tick rate when the run recorded one (Lamport runs)."""
    labels = list(run["nodes"]["label"])
    rate = (run.get("results") or {}).get("rate")
    if rate is None:
        return labels
    return [lab if not np.isfinite(r) else f"{lab} (rate {r:.3g})"
            for lab, r in zip(labels, rate)]


def draw_lamport_clocks(ax, run, colors):
    """Each node's Lamport clock against reference time, as a step line."""
    lines = []
    for i, ((times, stamps), label) in enumerate(zip(ch5.lamport_series(run), rate_labels(run))):
        lines.append(ax.step(np.concatenate([[0.0], times]), np.concatenate([[0], stamps]),
                             where="post", color=colors[i], linewidth=1.2, label=label)[0])
    ax.set_xlabel("reference time t (s)")
    ax.set_ylabel("Lamport clock L")
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.grid(True, alpha=0.3)
    node_legend(ax, run, lines)


def draw_jumps(ax, run, colors):
    """Histogram of the clock jumps at receives, stacked by node."""
    nodes, _, jumps = ch5.clock_jumps(run)
    top = int(jumps.max()) if jumps.size else 0
    bins = np.arange(-0.5, top + 1.5)
    present = [i for i in range(run["n"]) if np.any(nodes == i)]
    if present:
        ax.hist([jumps[nodes == i] for i in present], bins=bins, stacked=True,
                color=[colors[i] for i in present], edgecolor="white", linewidth=0.5)
    ax.set_xlabel("clock jump at a receive, L(receive) - L(previous) - 1")
    ax.set_ylabel("receives")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_title(f"{jumps.size} receives, {int((jumps > 0).sum())} with a jump"
                 + (f", mean {jumps.mean():.3g}" if jumps.size else ""), fontsize="small")
    ax.grid(True, axis="y", alpha=0.3)


def draw_queues(ax, run, colors):
    """Queue length of each node over time (messages sent to it, not yet received)."""
    for i, (times, lengths) in enumerate(ch5.queue_lengths(run)):
        ax.step(times, lengths, where="post", color=colors[i], linewidth=1.0)
    ax.set_xlabel("reference time t (s)")
    ax.set_ylabel("queue length (+ in flight)")
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.grid(True, alpha=0.3)


def is_lamport(run):
    """A run of the Lamport-clock algorithm (alone or in a stack)."""
    return "lamport" in run["attrs"].get("algorithm", "").split("+")


def plot_logical(run, stem, path):
    """Lamport clocks over time; for Lamport runs also clock jumps and queues."""
    colors = node_colors(run["n"])
    if not is_lamport(run):
        fig, ax = plt.subplots(figsize=(9, 4.8))
        draw_lamport_clocks(ax, run, colors)
        ax.set_title(f"{title(stem, run)}\n{len(run['events']['table'])} events",
                     fontsize="medium")
        save(fig, path)
        return
    fig = plt.figure(figsize=(11, 8))
    grid = fig.add_gridspec(2, 2, height_ratios=(1.2, 1.0))
    clocks = fig.add_subplot(grid[0, :])
    draw_lamport_clocks(clocks, run, colors)
    clocks.set_title(f"{title(stem, run)}\n{len(run['events']['table'])} events",
                     fontsize="medium")
    draw_jumps(fig.add_subplot(grid[1, 0]), run, colors)
    draw_queues(fig.add_subplot(grid[1, 1]), run, colors)
    fig.tight_layout()
    save(fig, path)


# --------------------------------------------------------------------------
# Requests figure (dispatch)
# --------------------------------------------------------------------------

def plot_requests(run, stem, path):
    """Response-time CDF per server; number in the system per server."""
    served = ch5.served_requests(run)
    queue = run["requests"].get("queue")
    servers = sorted(set(np.unique(served["server"]).tolist())
                     | (set(np.unique(queue["node"]).tolist()) if queue is not None else set()))
    colors = node_colors(run["n"])
    fig, (left, right) = plt.subplots(1, 2, figsize=(12, 4.5))
    for s in servers:
        x = np.sort(served["received"][served["server"] == s]
                    - served["sent"][served["server"] == s]) * 1e3
        if len(x):
            left.step(x, np.arange(1, len(x) + 1) / len(x), where="post", color=colors[s],
                      label=f"{run['nodes']['label'][s]} ({len(x)})")
    left.set_xlabel("response time received - sent (ms)")
    left.set_ylabel("fraction of served requests")
    left.set_ylim(0, 1.02)
    left.grid(True, alpha=0.3)
    if servers:
        left.legend(title="server (requests)", fontsize="small")
    if queue is not None:
        for s in servers:
            q = queue[queue["node"] == s]
            right.step(q["time"], q["waiting"] + q["in_service"], where="post",
                       color=colors[s], linewidth=0.8)
    draw_crashes(right, run, colors)
    right.set_xlabel("reference time (s)")
    right.set_ylabel("requests in the system (queued + in service)")
    right.yaxis.set_major_locator(MaxNLocator(integer=True))
    right.grid(True, alpha=0.3)
    table = run["requests"]["table"]
    status = ", ".join(f"{np.sum(table['status'] == k)} {name.lower()}"
                       for k, name in ch5.REQUEST_STATUS.items() if np.sum(table["status"] == k))
    fig.suptitle(f"{title(stem, run)}\n{len(table)} requests: {status}", fontsize="medium")
    save(fig, path)


# --------------------------------------------------------------------------
# Mutual exclusion figure
# --------------------------------------------------------------------------

def plot_mutex(run, stem, path):
    """Per node: waiting (requested -> entered) and inside (entered -> exited)."""
    s = ch5.sections_in_order(run)
    n = run["n"]
    fig, ax = plt.subplots(figsize=(12, min(max(3, 0.35 * n + 1.5), MAX_FIG_INCHES)))
    for row in s:
        y = int(row["node"])
        if np.isfinite(row["requested"]) and np.isfinite(row["entered"]):
            ax.plot([row["requested"], row["entered"]], [y, y], color="0.7", linewidth=2,
                    solid_capstyle="butt")
        if np.isfinite(row["entered"]):
            end = row["exited"] if np.isfinite(row["exited"]) else row["entered"]
            ax.plot([row["entered"], end], [y, y], color="tab:red", linewidth=6,
                    solid_capstyle="butt")
    ax.set_yticks(range(n))
    label_nodes(ax.yaxis, run)
    ax.set_ylim(-0.7, n - 0.3)
    ax.invert_yaxis()
    ax.set_xlabel("reference time (s)")
    ax.grid(True, axis="x", alpha=0.3)
    ax.legend(handles=[Line2D([], [], color="0.7", linewidth=2, label="waiting"),
                       Line2D([], [], color="tab:red", linewidth=6, label="in the section")],
              loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
    entered = s[np.isfinite(s["entered"])]
    ax.set_title(f"{title(stem, run)}\n{len(entered)} critical sections", fontsize="medium")
    save(fig, path)


# --------------------------------------------------------------------------
# Driver
# --------------------------------------------------------------------------

def figure_kinds(run):
    """The (kind, plot function) pairs a run has data for."""
    kinds = []
    if ch5.clock_offsets(run) is not None and run["n"] > 0:
        kinds.append(("offset", plot_offset))
    if run["messages"] is not None and "sent" in run["messages"] and run["n"] > 0:
        kinds.append(("messages", plot_messages))
    if run["election"] is not None and run["n"] > 0:
        kinds.append(("election", plot_election))
    if ("logical_clock" in run["attrs"].get("family", "").split("+") and run["n"] > 0
            and ch5.lamport_series(run) is not None):
        kinds.append(("logical", plot_logical))
    if ch5.served_requests(run) is not None and run["n"] > 0:
        kinds.append(("requests", plot_requests))
    if ch5.sections_in_order(run) is not None and run["n"] > 0:
        kinds.append(("mutex", plot_mutex))
    return kinds


def plot_run(run, stem, outdir, fmt):
    """Write all figures of one run; return the paths written."""
    paths = []
    for kind, plot in figure_kinds(run):
        path = os.path.join(outdir, f"{stem}_{run['name']}_{kind}.{fmt}")
        plot(run, stem, path)
        paths.append(path)
    return paths


def load_all(paths):
    """Read every file up front so that a bad one stops us before any output."""
    loaded = []
    for path in paths:
        _, runs = ch5.read_runs(path, events=True)
        loaded.append((path, runs))
    return loaded


def parse_args(argv):
    """Command-line interface."""
    parser = argparse.ArgumentParser(
        description="Plot and summarize clocklab/1 HDF5 files: one summary row per run "
                    "on stdout, figures <filestem>_<run>_<kind>.<fmt> in the output "
                    "directory (kinds: offset, messages, election, logical, requests, mutex).")
    parser.add_argument("files", nargs="+", metavar="FILE.h5", help="clocklab output files")
    parser.add_argument("-o", "--outdir", default="figures",
                        help="directory for the figures (default: %(default)s)")
    parser.add_argument("--format", choices=("png", "pdf"), default="png",
                        help="figure format (default: %(default)s)")
    parser.add_argument("--no-plots", action="store_true",
                        help="only print the summary table")
    return parser.parse_args(argv)


def main(argv=None):
    """Entry point; returns the process exit status."""
    args = parse_args(argv)
    try:
        loaded = load_all(args.files)
    except ch5.ClocklabError as exc:
        print(f"clocklab_plot: error: {exc}", file=sys.stderr)
        return 1
    rows, written = [], []
    if not args.no_plots:
        os.makedirs(args.outdir, exist_ok=True)
    for path, runs in loaded:
        stem = os.path.splitext(os.path.basename(path))[0]
        for run in runs:
            rows.append(dict(ch5.summary(run), file=os.path.basename(path)))
            if not args.no_plots:
                written += plot_run(run, stem, args.outdir, args.format)
    print(format_table(rows))
    if not args.no_plots:
        print(f"wrote {len(written)} figure(s) to {args.outdir}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
