"""Numbers of the election family: the leader and how long each one led.

Every function takes a run dict of :func:`clocklab.reader.read_run` and
returns ``None`` when the run has no data for it."""

from collections import Counter

import numpy as np

from .common import alive_mask, end_time


def leader(run):
    """The leader most alive nodes believe in at the end; -1 if none.

    Counts ``election/leader`` over nodes alive at the end, ignoring -1;
    ties go to the larger value. ``None`` when the run has no election data.
    The value is what the file stores (see ``election/leader``).
    """
    election = run["election"]
    if election is None or "leader" not in election:
        return None
    beliefs = np.asarray(election["leader"]).astype(int)
    beliefs = beliefs[alive_mask(run)[: len(beliefs)]]
    counts = Counter(int(b) for b in beliefs if b >= 0)
    if not counts:
        return -1
    return max(counts, key=lambda value: (counts[value], value))


def leader_intervals(run):
    """Per node, the list of ``(start, end, leader)`` belief intervals (s).

    Built from ``election/history`` (each row = a node's belief changes to
    ``leader`` at ``time``); the last interval ends at :func:`end_time`.
    Without history, falls back to one interval from ``decided_at`` with
    the final ``leader``. Intervals with leader -1 are kept (no belief).
    Returns ``None`` when the run has no election data.
    """
    election = run["election"]
    if election is None:
        return None
    t_end = end_time(run)
    if "history" in election:
        return _intervals_from_history(election["history"], run["n"], t_end)
    return _intervals_from_final(election, run["n"], t_end)


def _intervals_from_history(history, n, t_end):
    """Turn history rows {node, time, leader} into per-node intervals."""
    intervals = [[] for _ in range(n)]
    for node in range(n):
        rows = history[history["node"] == node]
        rows = rows[np.argsort(rows["time"], kind="stable")]
        for k, row in enumerate(rows):
            stop = rows["time"][k + 1] if k + 1 < len(rows) else max(t_end, row["time"])
            intervals[node].append((float(row["time"]), float(stop), int(row["leader"])))
    return intervals


def _intervals_from_final(election, n, t_end):
    """One interval per node, from decided_at to the end, with the final leader."""
    intervals = [[] for _ in range(n)]
    if "leader" not in election:
        return intervals
    decided = election.get("decided_at", np.full(n, np.nan))
    for node, belief in enumerate(np.asarray(election["leader"]).astype(int)):
        start = float(decided[node]) if np.isfinite(decided[node]) else 0.0
        intervals[node].append((start, max(t_end, start), int(belief)))
    return intervals


def decided_at(run):
    """When the election was over (s): the latest ``election/decided_at``
    of the nodes alive at the end that decided; ``None`` without
    election/ or when none of them decided."""
    election = run["election"]
    if election is None or "decided_at" not in election:
        return None
    decided = np.asarray(election["decided_at"], float)
    decided = decided[alive_mask(run)[: len(decided)]]
    decided = decided[np.isfinite(decided)]
    return float(decided.max()) if decided.size else None
