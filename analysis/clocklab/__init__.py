"""clocklab's analysis: read clocklab HDF5 files (schema "clocklab/1") and
turn them into numbers, tables, figures and exports.

    import clocklab
    runs = clocklab.read_files("a.h5")                 # run dicts (clocklab.reader)
    clocklab.final_skew(runs[0])                       # metrics (clocklab.metrics)
    frame = clocklab.table(["a.h5", "b.h5"])           # pandas: one row per run
    events = clocklab.read_events("a.h5")              # pandas: one row per event

Every function that reads files takes one path or a list of paths. On the
command line: ``python3 -m clocklab COMMAND`` or ``analysis/clocklab-analysis
COMMAND`` (``plot``, ``summary``, ``table``, ``sweep``, ``accuracy``,
``shiviz``, ``compare``, ``complexity``, ...; clocklab.cli lists them;
``--version``). Modules:

- schema: every group, dataset, field and enum name of the schema;
- reader: the one reader of the files (``read_runs``, ``event_kinds``);
- frames: the table datasets as pandas DataFrames (``read_events``, ...);
- labels: node labels (``[nodes] labels``) with their indices;
- metrics: numbers of a run, by family (metrics/common.py, clock_sync.py,
  election.py, logical.py, service.py, mutex.py, summary.py);
- config: a run's resolved configuration and clocklab's units;
- causality: message matching, happens-before, causal order, vector clocks;
- stats, queueing, theory: intervals, M/M/c, closed forms of the literature;
- runtable: one row per run over many files;
- drawing, offset, summarytable, naming: figures and the summary table;
- commands/: the commands, one module each (plot, table, sweep, accuracy,
  shiviz, compare, complexity, fidelity, hpcsync, mutex, service,
  real_virtual, pingpong, soak); they use the modules above.
"""

#: The version of the analysis package (the clocklab release it belongs to).
__version__ = "0.1.0"

from .frames import (read_evaluation, read_events, read_history,  # noqa: E402
                     read_messages, read_models, read_nodes, read_offsets, read_queue,
                     read_requests, read_rounds, read_sections, read_table)
from .labels import has_labels, node_label, node_name  # noqa: E402
from .metrics import (alive_mask, alive_matrix, clock_jumps, clock_offsets,  # noqa: E402
                      clock_times, end_time, fidelity_text, final_skew, finite_ints,
                      lamport_series, lateness_p99, leader, leader_intervals, max_abs_offset,
                      queue_lengths, raffle_winner, sections_in_order, served_requests,
                      skew_envelope, skew_series, summary, timing_trusted, total_messages)
from .reader import (ClocklabError, ClocklabFileError, event_kinds,  # noqa: E402
                     open_clocklab, read_files, read_run, read_runs, request_status,
                     run_names)
from .runtable import table  # noqa: E402
from .schema import SCHEMA  # noqa: E402

__all__ = ["ClocklabError", "ClocklabFileError", "SCHEMA", "alive_mask", "alive_matrix",
           "clock_jumps", "clock_offsets", "clock_times", "end_time", "event_kinds",
           "fidelity_text", "final_skew", "finite_ints", "has_labels", "lamport_series",
           "lateness_p99", "leader", "leader_intervals", "max_abs_offset", "node_label",
           "node_name", "open_clocklab", "queue_lengths", "raffle_winner", "read_evaluation",
           "read_events", "read_files", "read_history", "read_messages", "read_models",
           "read_nodes", "read_offsets", "read_queue", "read_requests", "read_rounds",
           "read_run", "read_runs", "read_sections", "read_table", "request_status",
           "run_names", "sections_in_order", "served_requests", "skew_envelope",
           "skew_series", "summary", "table", "timing_trusted", "total_messages"]
