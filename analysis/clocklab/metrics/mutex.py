"""Numbers of the mutual-exclusion family: sections, synchronization delay.

Every function takes a run dict of :func:`clocklab.reader.read_run` and
returns ``None`` when the run has no data for it."""

import numpy as np

from .common import _mean, total_messages


def sections_in_order(run):
    """mutex/sections sorted by entry time, or ``None`` without mutex/."""
    if run.get("mutex") is None or "sections" not in run["mutex"]:
        return None
    s = run["mutex"]["sections"]
    return s[np.argsort(s["entered"], kind="stable")]


def completed_sections(run):
    """mutex/sections rows that were entered and exited, by entry time; ``None`` without mutex/."""
    s = sections_in_order(run)
    if s is None:
        return None
    return s[np.isfinite(s["entered"]) & np.isfinite(s["exited"])]


def sync_delays(run):
    """Synchronization delays (s): from an exit to the next entry, where the
    next node was already waiting (Coulouris et al. 15.2). ``None`` without mutex/."""
    s = completed_sections(run)
    if s is None:
        return None
    waiting = s["requested"][1:] < s["exited"][:-1]
    return (s["entered"][1:] - s["exited"][:-1])[waiting]


def messages_per_entry(run):
    """Messages sent (all types) per completed critical section, or ``None``."""
    s = completed_sections(run)
    total = total_messages(run)
    if s is None or total is None or len(s) == 0:
        return None
    return total / len(s)


def mutex_metrics(run):
    """The mutual-exclusion figures of a run as a dict, or ``None`` without
    mutex/: entries (completed sections), messages_per_entry, sync_delay_mean
    (s, :func:`sync_delays`), wait_mean (requested to entered, s)."""
    s = completed_sections(run)
    if s is None:
        return None
    delays = sync_delays(run)
    return {"entries": int(len(s)), "messages_per_entry": messages_per_entry(run),
            "sync_delay_mean": _mean(delays) if len(delays) else None,
            "wait_mean": _mean(s["entered"] - s["requested"]) if len(s) else None}
