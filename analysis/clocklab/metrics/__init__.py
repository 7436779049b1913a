"""Numbers derived from a run dict of :func:`clocklab.reader.read_run`, by
family: common.py (every run), clock_sync.py, election.py, logical.py,
service.py, mutex.py, and summary.py (a run's summary row).

Every function takes a run dict, never touches the file, and returns
``None`` when the run has no data for it (a group the run does not
produce). Times are seconds of reference time, offsets seconds. Every
public function is importable from here (``from clocklab import metrics``).
"""

from .common import (clock_times, alive_mask, alive_matrix, total_messages, end_time,
                     messages_by_type, dropped_messages, lateness_p99, timing_trusted,
                     fidelity_text, worst_fidelity, finite_ints)
from .clock_sync import (clock_offsets, final_skew, max_abs_offset, skew_envelope, skew_series,
                         clock_jumps, adjustments)
from .election import leader, leader_intervals, decided_at
from .logical import raffle_winner, lamport_series
from .service import queue_lengths, served_requests, request_metrics
from .mutex import (sections_in_order, completed_sections, sync_delays, messages_per_entry,
                    mutex_metrics)
from .summary import summary

__all__ = [
    "clock_times",
    "alive_mask",
    "alive_matrix",
    "total_messages",
    "end_time",
    "messages_by_type",
    "dropped_messages",
    "lateness_p99",
    "timing_trusted",
    "fidelity_text",
    "worst_fidelity",
    "finite_ints",
    "clock_offsets",
    "final_skew",
    "max_abs_offset",
    "skew_envelope",
    "skew_series",
    "clock_jumps",
    "adjustments",
    "leader",
    "leader_intervals",
    "decided_at",
    "raffle_winner",
    "lamport_series",
    "queue_lengths",
    "served_requests",
    "request_metrics",
    "sections_in_order",
    "completed_sections",
    "sync_delays",
    "messages_per_entry",
    "mutex_metrics",
    "summary",
]
