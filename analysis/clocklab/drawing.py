"""What the figures of ``clocklab plot`` share: colours, titles, node axes,
crash and recovery markers with the legend entries that match them.

Importing this module selects matplotlib's Agg backend (files only).
"""

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402  (backend must be chosen first)
import numpy as np  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402

from .labels import short_name  # noqa: E402

#: Above this many nodes the per-node legend is left out (unreadable).
MAX_LEGEND_NODES = 16
DPI = 120
#: Figures grow with the node count up to this size (inches).
MAX_FIG_INCHES = 16
#: At most this many node names on a node axis (every k-th node beyond).
MAX_NODE_TICKS = 32
#: Up to this many crash/recover lines are drawn in their node's colour,
#: each with its own legend entry; beyond, all are black with one entry each kind.
MAX_MARKER_ENTRIES = 8
#: (key of run["nodes"], line style, legend verb) of the crash and recover lines.
MARKERS = (("crashed_at", "--", "crashes"), ("recovered_at", ":", "recovers"))


def node_colors(n):
    """One colour per node (tab10/tab20, cycling beyond 20): a list of N RGBA tuples."""
    cmap = plt.get_cmap("tab10" if n <= 10 else "tab20")
    return [cmap(i % cmap.N) for i in range(n)]


def title(stem, run):
    """Figure title: file stem, run, algorithm, node count and status (str)."""
    a = run["attrs"]
    status = a.get("status", "?")
    return (f"{stem} / {run['name']}: {a.get('algorithm', '?')} "
            f"({run['n']} nodes{'' if status == 'complete' else ', ' + status})")


def label_nodes(axis, run, **text):
    """Tick a node axis (an x or y matplotlib Axis whose unit is the node
    index) with the node labels, at most MAX_NODE_TICKS of them."""
    step = -(-run["n"] // MAX_NODE_TICKS)  # ceiling division
    ticks = np.arange(0, run["n"], step)
    axis.set_ticks(ticks)
    axis.set_ticklabels([run["nodes"]["label"][i] for i in ticks], **text)


def save(fig, path):
    """Write the figure to ``path`` (format from its extension) and close it."""
    fig.savefig(path, dpi=DPI, bbox_inches="tight")
    plt.close(fig)


def _markers(run):
    """[(node, time s, style, verb)] of every crash and recovery of the run."""
    out = []
    for key, style, verb in MARKERS:
        times = run["nodes"][key]
        out += [(i, float(times[i]), style, verb) for i in range(run["n"])
                if np.isfinite(times[i])]
    return out


def draw_crashes(ax, run, colors):
    """Vertical lines at every crash (dashed) and recovery (dotted): in the
    node's colour (``colors``: one per node) for up to MAX_MARKER_ENTRIES
    lines, else all black. :func:`crash_handles` gives the matching legend."""
    markers = _markers(run)
    per_node = len(markers) <= MAX_MARKER_ENTRIES
    for node, t, style, _ in markers:
        ax.axvline(t, color=colors[node] if per_node else "k", linestyle=style, linewidth=1.2)


def crash_handles(run, colors):
    """Legend handles for what :func:`draw_crashes` draws: one per line
    ("P4 crashes", in the node's colour and style) for a few lines, else
    one black entry per kind ("crash", "recover")."""
    markers = _markers(run)
    if len(markers) <= MAX_MARKER_ENTRIES:
        return [Line2D([], [], color=colors[node], linestyle=style,
                       label=f"{short_name(run, node)} {verb} ({t:.3g} s)")
                for node, t, style, verb in markers]
    kinds = {style: verb for _, _, style, verb in markers}
    return [Line2D([], [], color="k", linestyle=style,
                   label="crash" if verb == "crashes" else "recover")
            for style, verb in kinds.items()]


def legend_outside(ax, handles, **kw):
    """A frameless legend of ``handles`` to the right of the axes (nothing
    when there are none)."""
    if handles:
        ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1.0),
                  fontsize="small", frameon=False, **kw)
