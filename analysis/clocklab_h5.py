"""The reader and metrics of the clocklab package under their former module name.

Scripts that ``import clocklab_h5`` keep working; new code imports
``clocklab`` (clocklab.reader, clocklab.metrics). EVENT_KINDS and
REQUEST_STATUS map value -> name as clocklab writes them; a file's own
values come from clocklab.reader.event_kinds / request_status.
"""

from clocklab import schema as _schema
from clocklab.metrics import (alive_mask, alive_matrix, clock_jumps, clock_offsets, clock_times,
                              end_time, fidelity_text, final_skew, finite_ints, lamport_series,
                              lateness_p99, leader, leader_intervals, max_abs_offset,
                              queue_lengths, raffle_winner, sections_in_order, served_requests,
                              skew_envelope, summary, timing_trusted, total_messages)
from clocklab.reader import (ClocklabError, event_kinds, open_clocklab, read_files, read_run,
                             read_runs, request_status, run_names)
from clocklab.schema import SCHEMA

EVENT_KINDS = {value: name for name, value in _schema.EVENT_KINDS.items()}
REQUEST_STATUS = {value: name for name, value in _schema.REQUEST_STATUS.items()}

__all__ = ["ClocklabError", "EVENT_KINDS", "REQUEST_STATUS", "SCHEMA", "alive_mask",
           "alive_matrix", "clock_jumps", "clock_offsets", "clock_times", "end_time",
           "event_kinds", "fidelity_text", "final_skew", "finite_ints", "lamport_series",
           "lateness_p99", "leader", "leader_intervals", "max_abs_offset", "open_clocklab",
           "queue_lengths", "raffle_winner", "read_files", "read_run", "read_runs",
           "request_status", "run_names", "sections_in_order", "served_requests",
           "skew_envelope", "summary", "timing_trusted", "total_messages"]
