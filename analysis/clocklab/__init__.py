"""clocklab's analysis: read clocklab HDF5 files (schema "clocklab/1") and
turn them into numbers, tables, figures and exports.

    import clocklab
    runs = clocklab.read_files(["a.h5", "b.h5"])      # run dicts (clocklab.reader)
    clocklab.final_skew(runs[0])                       # metrics (clocklab.metrics)
    frame = clocklab.table(["a.h5", "b.h5"])           # pandas: one row per run

On the command line: ``python3 -m clocklab COMMAND`` (``plot``, ``summary``,
``table``, ``sweep``, ``accuracy``, ``shiviz``, ``compare``,
``complexity``, ...; clocklab.cli lists them). Modules:

- schema: every group, dataset, field and enum name of the schema;
- reader: the one reader of the files (``read_runs``, ``event_kinds``);
- metrics: numbers of a run (skew, messages, leader, lateness, queues, ...);
- config: a run's resolved configuration and clocklab's units;
- causality: message matching, happens-before, causal order, vector clocks;
- stats, queueing, theory: intervals, M/M/c, closed forms of the literature;
- runtable, sweep: the run table and figures over many runs;
- plot, shiviz, accuracy, compare, complexity, fidelity, mutex, service,
  real_virtual, pingpong: the commands.
"""

from .metrics import (alive_mask, alive_matrix, clock_jumps, clock_offsets,
                      clock_times, end_time, fidelity_text, final_skew, finite_ints,
                      lamport_series, lateness_p99, leader, leader_intervals, max_abs_offset,
                      queue_lengths, raffle_winner, sections_in_order, served_requests,
                      skew_envelope, summary, timing_trusted, total_messages)
from .reader import (ClocklabError, event_kinds, open_clocklab, read_files,
                     read_run, read_runs, request_status, run_names)
from .runtable import table
from .schema import SCHEMA

__all__ = ["ClocklabError", "SCHEMA", "alive_mask", "alive_matrix", "clock_jumps",
           "clock_offsets", "clock_times", "end_time", "event_kinds", "fidelity_text",
           "final_skew", "finite_ints", "lamport_series", "lateness_p99", "leader",
           "leader_intervals", "max_abs_offset", "open_clocklab", "queue_lengths",
           "raffle_winner", "read_files", "read_run", "read_runs", "request_status",
           "run_names", "sections_in_order", "served_requests", "skew_envelope", "summary",
           "table", "timing_trusted", "total_messages"]
