"""Plot and summarize clocklab HDF5 files (schema "clocklab/1").

For every run of every file, writes into the output directory:

  <filestem>_<run>_offset.<fmt>    true clock offset of each node over time,
                                   and below it the skew (max - min over
                                   the alive nodes) on a log axis
                                   (runs with clock/ data; clocklab.offset)
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

<filestem> is the file name without its extension; where two inputs share
it (a/run.h5, b/run.h5), as many parent directories as tell them apart,
joined by "_" (a_run, b_run; clocklab.naming). Nodes are named by their
labels (``[nodes] labels``) where the run has them: alone on axes and in
per-node legends ("P9"), with the index beside them in titles and in the
election figure's legend ("P9 (node 8)").

Prints one summary row per run on stdout (clocklab.summarytable; winner:
the raffle winner of a totally-ordered-multicast run, "a/b" when the nodes
disagree; lateness_p99_us: the worst p99 lateness of deliveries and timers
from fidelity/, and timing "NOT TRUSTED" when it is above the run's
threshold). Exits with status 2 and one message naming the file when a
file is missing, unreadable or not a clocklab/1 file; nothing is written in
that case.

    python3 -m clocklab plot berkeley.h5 -o figures     # figures and the summary
    python3 -m clocklab summary berkeley.h5             # the summary only
"""

import argparse
import os
import sys

import numpy as np

from .. import metrics
from ..drawing import (MAX_FIG_INCHES, MAX_LEGEND_NODES, crash_handles, draw_crashes,
                      label_nodes, legend_outside, node_colors, plt, save, title)
from ..labels import node_name
from ..naming import display_names, figure_stems
from ..offset import plot_offset
from ..reader import ClocklabError, exit_status, read_runs, request_status
from ..summarytable import format_table
from matplotlib.lines import Line2D  # noqa: E402,I100  (after drawing: the Agg backend)
from matplotlib.patches import Patch  # noqa: E402
from matplotlib.ticker import MaxNLocator  # noqa: E402

NO_LEADER_COLOR = "0.75"


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
            stop = recovered[i] if np.isfinite(recovered[i]) else metrics.end_time(run)
            ax.broken_barh([(crashed[i], max(stop - crashed[i], 0))], (i - 0.35, 0.7),
                           facecolors="none", edgecolor="0.4", hatch="///", linewidth=0)


def election_legend(ax, run, colors):
    """Legend: one patch per leader value, then the markers that occur."""
    handles = [Patch(color=c, label=f"leader {node_name(run, v)}") for v, c in colors.items()]
    if any(v < 0 for lane in metrics.leader_intervals(run) for _, _, v in lane):
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
    intervals = metrics.leader_intervals(run)
    colors = leader_colors(intervals)
    end = metrics.end_time(run)
    right = max(end, 1e-9) * 1.02
    # the belief a node ends with holds to the edge, so that a run that stops as
    # the last node decides (duration = 0) still shows what they decided
    intervals = [[(a, right if b >= end else b, v) for a, b, v in lane] for lane in intervals]
    fig, ax = plt.subplots(figsize=(9, min(max(2.5, 0.45 * run["n"] + 1.5), MAX_FIG_INCHES)))
    draw_lanes(ax, intervals, colors)
    draw_election_markers(ax, run)
    label_nodes(ax.yaxis, run)
    ax.set_ylim(run["n"] - 0.5, -0.5)
    ax.set_xlim(0, right)
    ax.set_xlabel("reference time t (s)")
    final = metrics.leader(run)
    ax.set_title(f"{title(stem, run)}\nleader belief over time (final: "
                 f"{node_name(run, final)})", fontsize="medium")
    ax.grid(True, axis="x", alpha=0.3)
    election_legend(ax, run, colors)
    save(fig, path)


# --------------------------------------------------------------------------
# Logical-clock figure
# --------------------------------------------------------------------------

def node_legend(ax, run, lines):
    """Per-node legend outside the axes (left out for many nodes)."""
    if run["n"] <= MAX_LEGEND_NODES:
        legend_outside(ax, lines)


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
    series = zip(metrics.lamport_series(run), rate_labels(run))
    for i, ((times, stamps), label) in enumerate(series):
        lines.append(ax.step(np.concatenate([[0.0], times]), np.concatenate([[0], stamps]),
                             where="post", color=colors[i], linewidth=1.2, label=label)[0])
    ax.set_xlabel("reference time t (s)")
    ax.set_ylabel("Lamport clock L")
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.grid(True, alpha=0.3)
    node_legend(ax, run, lines)


def draw_jumps(ax, run, colors):
    """Histogram of the clock jumps at receives, stacked by node."""
    nodes, _, jumps = metrics.clock_jumps(run)
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
    for i, (times, lengths) in enumerate(metrics.queue_lengths(run)):
        ax.step(times, lengths, where="post", color=colors[i], linewidth=1.0)
    ax.set_xlabel("reference time t (s)")
    ax.set_ylabel("queue length (+ in flight)")
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.grid(True, alpha=0.3)


def is_lamport(run):
    """A run of the Lamport-clock algorithm (alone or in a stack)."""
    return "lamport" in run["attrs"].get("algorithm", "").split("+")


def events_text(run):
    """The second title line of the logical-clock figure: the event count,
    and the raffle winner by name where the run drew one ("a/b" when the
    nodes disagree)."""
    text = f"{len(run['events']['table'])} events"
    winner = metrics.raffle_winner(run)
    if winner is not None:
        names = [node_name(run, w) for w in (winner if isinstance(winner, tuple) else (winner,))]
        text += f", raffle winner {' / '.join(names)}"
    return text


def plot_logical(run, stem, path):
    """Lamport clocks over time; for Lamport runs also clock jumps and queues."""
    colors = node_colors(run["n"])
    if not is_lamport(run):
        fig, ax = plt.subplots(figsize=(9, 4.8))
        draw_lamport_clocks(ax, run, colors)
        ax.set_title(f"{title(stem, run)}\n{events_text(run)}",
                     fontsize="medium")
        save(fig, path)
        return
    fig = plt.figure(figsize=(11, 8))
    grid = fig.add_gridspec(2, 2, height_ratios=(1.2, 1.0))
    clocks = fig.add_subplot(grid[0, :])
    draw_lamport_clocks(clocks, run, colors)
    clocks.set_title(f"{title(stem, run)}\n{events_text(run)}",
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
    served = metrics.served_requests(run)
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
    legend_outside(right, crash_handles(run, colors))
    right.set_xlabel("reference time (s)")
    right.set_ylabel("requests in the system (queued + in service)")
    right.yaxis.set_major_locator(MaxNLocator(integer=True))
    right.grid(True, alpha=0.3)
    table = run["requests"]["table"]
    status = ", ".join(f"{np.sum(table['status'] == k)} {name.lower()}"
                       for name, k in request_status(table).items()
                       if np.sum(table["status"] == k))
    fig.suptitle(f"{title(stem, run)}\n{len(table)} requests: {status}", fontsize="medium")
    save(fig, path)


# --------------------------------------------------------------------------
# Mutual exclusion figure
# --------------------------------------------------------------------------

def plot_mutex(run, stem, path):
    """Per node: waiting (requested -> entered) and inside (entered -> exited)."""
    s = metrics.sections_in_order(run)
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
    if metrics.clock_offsets(run) is not None and run["n"] > 0:
        kinds.append(("offset", plot_offset))
    if run["messages"] is not None and "sent" in run["messages"] and run["n"] > 0:
        kinds.append(("messages", plot_messages))
    if run["election"] is not None and run["n"] > 0:
        kinds.append(("election", plot_election))
    if ("logical_clock" in run["attrs"].get("family", "").split("+") and run["n"] > 0
            and metrics.lamport_series(run) is not None):
        kinds.append(("logical", plot_logical))
    if metrics.served_requests(run) is not None and run["n"] > 0:
        kinds.append(("requests", plot_requests))
    if metrics.sections_in_order(run) is not None and run["n"] > 0:
        kinds.append(("mutex", plot_mutex))
    return kinds


def figure_path(run, stem, outdir, fmt, kind):
    """The file of one figure of a run: ``outdir/<stem>_<run>_<kind>.<fmt>``."""
    return os.path.join(outdir, f"{stem}_{run['name']}_{kind}.{fmt}")


def plot_run(run, stem, outdir, fmt):
    """Write all figures of one run into ``outdir`` (:func:`figure_path`);
    returns the paths written."""
    paths = []
    for kind, plot in figure_kinds(run):
        path = figure_path(run, stem, outdir, fmt, kind)
        plot(run, stem, path)
        paths.append(path)
    return paths


def load_all(paths, events=True):
    """Read every file up front so that a bad one stops us before any output:
    a list of (path, runs). Raises ClocklabFileError naming the bad file."""
    loaded = []
    for path in paths:
        _, runs = read_runs(path, events=events)
        loaded.append((path, runs))
    return loaded


def parse_args(argv, prog, figures=True):
    """Command-line interface of ``plot`` (figures=True) and ``summary``."""
    if figures:
        description = ("Plot and summarize clocklab/1 HDF5 files: one summary row per run "
                       "on stdout, figures <filestem>_<run>_<kind>.<fmt> in the output "
                       "directory (kinds: offset, messages, election, logical, requests, "
                       "mutex); inputs with the same file name get their parent "
                       "directories in the stem (a_run, b_run for a/run.h5, b/run.h5).")
    else:
        description = "One summary row per run of clocklab/1 HDF5 files, as an aligned table."
    parser = argparse.ArgumentParser(prog=prog, description=description)
    parser.add_argument("files", nargs="+", metavar="FILE.h5", help="clocklab output files")
    if figures:
        parser.add_argument("-o", "--outdir", default="figures",
                            help="directory for the figures (default: %(default)s)")
        parser.add_argument("--format", choices=("png", "pdf"), default="png",
                            help="figure format (default: %(default)s)")
        parser.add_argument("--no-plots", action="store_true",
                            help="only print the summary table")
    args = parser.parse_args(argv)
    if not figures:
        args.no_plots = True
    return args


def written_text(written, replaced, outdir):
    """The closing line of ``plot``: how many figures it wrote to ``outdir``
    and how many of them replaced a file that was there before."""
    text = f"wrote {len(written)} figure(s) to {outdir}"
    if replaced:
        text += f" ({replaced} of them replaced files already there)"
    return text


def main(argv=None, prog="clocklab plot", figures=True):
    """Entry point of ``plot`` and (figures=False) ``summary``; returns the
    exit status: 0, or 2 when an input file is missing or unreadable (one
    message naming it on stderr, nothing written)."""
    args = parse_args(argv, prog, figures)
    try:
        loaded = load_all(args.files, events=not args.no_plots)
    except ClocklabError as exc:
        print(f"{prog}: error: {exc}", file=sys.stderr)
        return exit_status(exc)
    rows, written, replaced = [], [], 0
    if not args.no_plots:
        os.makedirs(args.outdir, exist_ok=True)
    names = display_names(args.files)
    stems = figure_stems(args.files)
    for (path, runs), name, stem in zip(loaded, names, stems):
        for run in runs:
            rows.append(dict(metrics.summary(run), file=name))
            if args.no_plots:
                continue
            replaced += sum(os.path.exists(figure_path(run, stem, args.outdir, args.format, kind))
                            for kind, _ in figure_kinds(run))
            written += plot_run(run, stem, args.outdir, args.format)  # distinct: figure_stems
    print(format_table(rows))
    if not args.no_plots:
        print(written_text(written, replaced, args.outdir), file=sys.stderr)
    return 0


def summary_main(argv=None, prog="clocklab summary"):
    """``clocklab summary``: the summary table of ``plot`` without figures."""
    return main(argv, prog, figures=False)
