"""The offset figure of ``clocklab plot``: what a clock-synchronization run measured.

Two panels over reference time t (s), sharing the time axis:

- top: each node's true offset C_i(t) - t (ms, ``clock/offset``) with the
  envelope over the alive nodes, crash/recover lines and round starts;
- bottom: the skew, max_i - min_i of the true offsets over the alive nodes
  (ms, :func:`clocklab.metrics.skew_series`), on a log axis, so that a
  final skew of a millisecond stays visible beside initial offsets of
  seconds.
"""

import numpy as np

from . import metrics
from .drawing import (MAX_LEGEND_NODES, crash_handles, draw_crashes, legend_outside,
                      node_colors, plt, save, title)
from matplotlib.lines import Line2D  # noqa: E402,I100  (after drawing: the Agg backend)
from matplotlib.patches import Patch  # noqa: E402

#: Up to this many rounds get full-height lines (else a rug of short ticks).
MAX_ROUND_LINES = 60
#: The ``label`` of the skew panel's Axes (tests and callers find it by it).
SKEW_AXES = "skew"
SKEW_COLOR = "k"


def round_starts(rounds):
    """Start time (s) of each synchronization round of ``clock/rounds``
    (the earliest row of each round): a 1-D array, empty without rounds."""
    if rounds is None or len(rounds) == 0:
        return np.array([])
    ids, which = np.unique(rounds["round"], return_inverse=True)
    starts = np.full(len(ids), np.inf)
    np.minimum.at(starts, which, np.asarray(rounds["time"], float))
    return starts


def draw_rounds(ax, rounds):
    """Mark the start of each synchronization round lightly: full-height
    faint lines for up to MAX_ROUND_LINES rounds, else a rug of short ticks
    along the bottom (so many rounds do not grey out the plot)."""
    starts = round_starts(rounds)
    if starts.size == 0:
        return
    top = 1.0 if len(starts) <= MAX_ROUND_LINES else 0.03
    ax.vlines(starts, 0, top, transform=ax.get_xaxis_transform(),
              colors="0.6", linewidth=0.5, alpha=0.35 if top == 1.0 else 0.8, zorder=0)


def draw_offset_lines(ax, run, times, offsets, colors):
    """One line per node (ms); samples taken while a node is down are faded.
    Returns the N lines (for the legend)."""
    alive = metrics.alive_matrix(run)
    lines = []
    for i in range(run["n"]):
        ms = offsets[:, i] * 1e3
        if not alive[:, i].all():
            ax.plot(times, ms, color=colors[i], linewidth=0.8, alpha=0.3)
        lines.append(ax.plot(times, np.where(alive[:, i], ms, np.nan), color=colors[i],
                             linewidth=1.2, label=run["nodes"]["label"][i])[0])
    return lines


def offset_legend(ax, run, colors, lines):
    """Legend of the offset panel: nodes (when few), envelope, the crash and
    recover lines as drawn (:func:`clocklab.drawing.crash_handles`), round starts."""
    handles = list(lines) if run["n"] <= MAX_LEGEND_NODES else []
    handles.append(Patch(color="0.5", alpha=0.25, label="envelope over alive nodes"))
    if not metrics.alive_matrix(run).all():
        handles.append(Line2D([], [], color="0.5", alpha=0.3, label="while down"))
    handles += crash_handles(run, colors)
    if round_starts(run["clock"].get("rounds")).size:
        handles.append(Line2D([], [], color="0.6", alpha=0.5, label="round start"))
    legend_outside(ax, handles)


def draw_skew(ax, run, colors):
    """The skew panel: max - min of the alive nodes' true offsets (ms) on a
    log y axis; samples with zero skew (one alive node, or equal clocks)
    cannot be drawn on it and are left out."""
    times, skew = metrics.skew_series(run)
    ms = skew * 1e3
    positive = np.isfinite(ms) & (ms > 0)
    line, = ax.plot(times[positive], ms[positive], color=SKEW_COLOR, linewidth=1.2,
                    label="skew max - min (alive)")
    if positive.any():
        ax.set_yscale("log")
    draw_rounds(ax, run["clock"].get("rounds"))
    draw_crashes(ax, run, colors)
    ax.set_xlabel("reference time t (s)")
    ax.set_ylabel("skew (ms, log)")
    ax.grid(True, which="both", alpha=0.3)
    legend_outside(ax, [line])


def offset_figure(run, stem):
    """The offset figure of one run (a matplotlib Figure, not yet saved):
    the offset panel on top, the skew panel (Axes labelled SKEW_AXES) below.
    ``stem`` names the file in the title. Needs clock/ data."""
    times, offsets = metrics.clock_times(run), metrics.clock_offsets(run)
    colors = node_colors(run["n"])
    fig, (ax, skew_ax) = plt.subplots(2, 1, sharex=True, figsize=(9, 7),
                                      gridspec_kw={"height_ratios": (2, 1)})
    skew_ax.set_label(SKEW_AXES)
    lo, hi = metrics.skew_envelope(run)
    ax.fill_between(times, lo * 1e3, hi * 1e3, color="0.5", alpha=0.25, linewidth=0)
    lines = draw_offset_lines(ax, run, times, offsets, colors)
    draw_rounds(ax, run["clock"].get("rounds"))
    draw_crashes(ax, run, colors)
    ax.axhline(0, color="k", linewidth=0.5)
    skew = metrics.final_skew(run)
    ax.set_title(title(stem, run) + ("" if skew is None else
                                     f"\nfinal skew {skew * 1e3:.4g} ms"), fontsize="medium")
    ax.set_ylabel("true offset C_i(t) - t (ms)")
    ax.grid(True, alpha=0.3)
    offset_legend(ax, run, colors, lines)
    draw_skew(skew_ax, run, colors)
    return fig


def plot_offset(run, stem, path):
    """Write the offset figure (:func:`offset_figure`) of one run to ``path``."""
    save(offset_figure(run, stem), path)
