"""Numbers of the clock-synchronization family: offsets, skew, adjustments.

Every function takes a run dict of :func:`clocklab.reader.read_run` and
returns ``None`` when the run has no data for it."""

import numpy as np

from ..causality import node_rows
from ..reader import event_kinds
from .common import _event_table, alive_mask, alive_matrix, clock_times



def clock_offsets(run):
    """Return ``clock/offset`` [S,N] in s, or ``None`` when not recorded."""
    clock = run["clock"]
    if clock is None or "offset" not in clock or "time" not in clock:
        return None
    return np.asarray(clock["offset"], float).reshape(len(clock["time"]), -1)


def final_skew(run):
    """Max minus min true offset (s) at the last sample, over nodes alive at the end.

    "Last sample" is the last row of ``clock/offset`` that has a finite
    value for some node alive at the end (a partly written final row of an
    interrupted run is skipped). Returns ``None`` without clock data or
    without alive nodes.
    """
    offsets = clock_offsets(run)
    if offsets is None or offsets.size == 0:
        return None
    alive = offsets[:, alive_mask(run)]
    rows = np.flatnonzero(np.isfinite(alive).any(axis=1))
    if rows.size == 0:
        return None
    last = alive[rows[-1]]
    return float(np.nanmax(last) - np.nanmin(last))


def max_abs_offset(run):
    """Largest |true offset| (s) over all samples, counting a node only while alive.

    Samples taken while a node is crashed are ignored (its clock is no
    longer synchronized by anyone). Returns ``None`` without clock data.
    """
    offsets = clock_offsets(run)
    if offsets is None or offsets.size == 0:
        return None
    values = np.abs(offsets[alive_matrix(run)])
    values = values[np.isfinite(values)]
    return float(values.max()) if values.size else None


def skew_envelope(run):
    """Return ``(lo, hi)`` [S] arrays (s): min and max offset over alive nodes.

    Entries are NaN where no alive node has a value. ``None`` without clock data.
    """
    offsets = clock_offsets(run)
    if offsets is None:
        return None
    masked = np.where(alive_matrix(run) & np.isfinite(offsets), offsets, np.nan)
    lo = np.full(len(masked), np.nan)
    hi = np.full(len(masked), np.nan)
    ok = np.isfinite(masked).any(axis=1)
    lo[ok] = np.nanmin(masked[ok], axis=1)
    hi[ok] = np.nanmax(masked[ok], axis=1)
    return lo, hi


def skew_series(run):
    """Return ``(time, skew)``, two [S] float arrays (s): the skew at each
    ``clock/time`` sample, max_i - min_i of the true offsets C_i(t) - t over
    the nodes alive at t (the envelope of :func:`skew_envelope`). Skew as
    the largest difference between the clocks' readings at one instant:
    Coulouris et al., Distributed Systems, 14.2. NaN where no alive node
    has a value; 0 with one. ``None`` without clock data.
    """
    envelope = skew_envelope(run)
    if envelope is None:
        return None
    lo, hi = envelope
    return clock_times(run), hi - lo


def clock_jumps(run):
    """The clock jump at every RECEIVE: ``(node, time, jump)`` arrays.

    jump = L(receive) - L(the node's previous event) - 1 (previous = 0 for
    a first event): how far the received timestamp pushed the Lamport clock
    beyond the +1 of an ordinary event (0 = no jump). ``None`` without events.
    """
    table = _event_table(run)
    if table is None:
        return None
    kinds = event_kinds(table)
    nodes, times, jumps = [], [], []
    for node in range(run["n"]):
        rows = node_rows(table, node)
        stamps = np.asarray(table["lamport"][rows], np.int64)
        previous = np.concatenate([[0], stamps[:-1]])
        receive = table["kind"][rows] == kinds.RECEIVE
        nodes.append(np.full(int(receive.sum()), node))
        times.append(np.asarray(table["time"][rows][receive], float))
        jumps.append((stamps - previous - 1)[receive])
    return (np.concatenate(nodes).astype(int), np.concatenate(times),
            np.concatenate(jumps).astype(np.int64))


def adjustments(run):
    """Number of clock adjustments (rows of clock/rounds), or ``None``."""
    clock = run["clock"]
    if clock is None or "rounds" not in clock:
        return None
    return int(len(clock["rounds"]))
