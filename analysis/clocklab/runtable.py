"""One row per run from any number of files: configuration and metrics.

The command ``python3 -m clocklab table FILE.h5 [FILE.h5 ...] [-o runs.csv]``
(clocklab.commands.table) writes them as CSV. From Python,
``clocklab.table(paths)`` returns the same rows as a pandas
DataFrame (numeric columns as numbers); ``paths`` is one path or a list.

Columns, in this order (empty where a run has no data for it):

- the run: ``file`` (the file's base name; the path as given where two
  inputs share a base name), ``run``, ``algorithm``, ``family``, ``nodes`` (the
  node count N), ``seed``, ``status``, ``time`` (real | virtual),
  ``duration`` and ``wall_time`` (s); in virtual time also
  ``events_processed``, ``event_time`` (s), ``windows``, ``window_time``
  (s) and ``events_per_second``;
- clock synchronization: ``final_skew`` and ``max_abs_offset`` (s, over
  the nodes alive; clocklab.metrics), ``adjustments`` (clock/rounds rows);
- messages: ``messages`` (sent, all types), ``dropped``, and
  ``messages.<TYPE>`` for every message type of any run (0 where a run
  with messages/ sent none of that type);
- elections: ``leader`` (the node index most alive nodes believe in at
  the end), ``leader_label`` (that node's ``nodes/label``, empty where the
  run names no nodes), ``decided_at`` (s, the last alive node's decision);
  the raffle's ``winner`` (node index, "a/b" when nodes disagree) and
  ``winner_label``;
- timing (real time, fidelity/): ``lateness_p99`` (the worst p99 of
  deliveries and timers, s), ``delivery_p99``, ``timer_p99`` (worst node,
  s), ``cpu_time`` (s, all ranks), ``trusted`` (p99 within the threshold);
- request routing (requests/): ``requests``, ``requests.served``,
  ``requests.timeout``, ... (one per status), ``sojourn_mean``,
  ``sojourn_p99``, ``response_mean``, ``response_p99`` (s, served
  requests), ``largest_queue``;
- mutual exclusion (mutex/): ``entries``, ``messages_per_entry``,
  ``sync_delay_mean`` (s), ``wait_mean`` (s);
- every key of the run's resolved configuration as ``section.key`` (its
  text as the run's ``config`` attribute gives it).

Times are seconds of reference time, as in the file.
"""

import csv
import os

from . import metrics
from .config import config_items
from .labels import labels_of
from .naming import display_names
from .reader import as_paths, read_runs

#: The run's own columns, in order.
RUN_COLUMNS = ("file", "run", "algorithm", "family", "nodes", "seed", "status", "time",
               "duration", "wall_time", "events_processed", "event_time", "windows",
               "window_time", "events_per_second")


def _winner(run):
    w = metrics.raffle_winner(run)
    return "/".join(map(str, w)) if isinstance(w, tuple) else w


def metric_columns(run):
    """{column: value} of the run's metrics (see the module's list); ``None`` for no data."""
    row = {
        "final_skew": metrics.final_skew(run),
        "max_abs_offset": metrics.max_abs_offset(run),
        "adjustments": metrics.adjustments(run),
        "messages": metrics.total_messages(run),
        "dropped": metrics.dropped_messages(run),
    }
    for name, count in (metrics.messages_by_type(run) or {}).items():
        row[f"messages.{name}"] = count
    leader = metrics.leader(run)
    row.update(leader=leader, leader_label=labels_of(run, leader),
               decided_at=metrics.decided_at(run), winner=_winner(run),
               winner_label=labels_of(run, metrics.raffle_winner(run)),
               lateness_p99=metrics.lateness_p99(run),
               delivery_p99=metrics.worst_fidelity(run, "delivery_p99"),
               timer_p99=metrics.worst_fidelity(run, "timer_p99"),
               cpu_time=(float(run["fidelity"]["cpu_time"].sum())
                         if run.get("fidelity") and "cpu_time" in run["fidelity"] else None),
               trusted=metrics.timing_trusted(run))
    requests = metrics.request_metrics(run)
    if requests is not None:
        row["requests"] = requests.pop("requests")
        for key in ("sojourn_mean", "sojourn_p99", "response_mean", "response_p99",
                    "largest_queue"):
            row[key] = requests.pop(key)
        for status, count in requests.items():
            row[f"requests.{status}"] = count
    row.update(metrics.mutex_metrics(run) or {})
    return row


def run_row(run, file=None):
    """The table row of one run dict (read by clocklab.reader) as a dict;
    ``file``: its ``file`` column (default: the base name of run["file"])."""
    attrs = run["attrs"]
    row = {"file": file if file is not None else os.path.basename(run.get("file", "")),
           "run": run["name"]}
    for key in ("algorithm", "family"):
        row[key] = attrs.get(key)
    row["nodes"] = run["n"]
    for key in ("seed", "status", "time", "duration", "wall_time", "events_processed",
                "event_time", "windows", "window_time"):
        row[key] = attrs.get(key)
    if attrs.get("events_processed") and attrs.get("event_time"):
        row["events_per_second"] = attrs["events_processed"] / attrs["event_time"]
    row.update(metric_columns(run))
    row.update(config_items(run))
    return row


def rows(paths):
    """(columns, rows) of every run of the files (``paths``: one path or a
    list): the column names in order (run columns, metrics, configuration
    keys) and one dict per run. ``messages.<TYPE>`` is 0 in a run with
    messages/ that sent none of it. Raises ClocklabFileError for a missing
    or foreign file, before any row."""
    paths = as_paths(paths)
    loaded = [read_runs(path)[1] for path in paths]
    table = [run_row(run, name) for runs, name in zip(loaded, display_names(paths))
             for run in runs]
    columns, seen = [], set()

    def add(name):
        if name not in seen:
            seen.add(name)
            columns.append(name)

    for name in RUN_COLUMNS:
        if any(row.get(name) is not None for row in table):
            add(name)
    config_keys = []
    for row in table:
        for name in row:
            if "." in name and not name.startswith(("messages.", "requests.")):
                config_keys.append(name)
            elif name not in RUN_COLUMNS:
                add(name)
    for name in config_keys:
        add(name)
    message_types = [c for c in columns if c.startswith("messages.")]
    for row in table:
        if row.get("messages") is not None:
            for c in message_types:
                row.setdefault(c, 0)
    return columns, table


def table(paths):
    """Every run of the files as a pandas DataFrame, one row per run (the
    columns of this module's list).

    ``paths``: one path (str or os.PathLike) or a list of them. Columns
    whose values are all numbers are numeric; configuration values stay
    text where any is not a number. Times are in s. Raises
    :class:`clocklab.reader.ClocklabFileError` (naming the file) for a
    missing, unreadable or non-clocklab file."""
    import pandas as pd

    columns, table_rows = rows(paths)
    frame = pd.DataFrame(table_rows, columns=columns)
    for column in frame.columns:
        if frame[column].dtype == object:
            try:
                frame[column] = pd.to_numeric(frame[column])
            except (ValueError, TypeError):
                pass
    return frame


def _cell(value):
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    return str(value)


def write_csv(columns, table_rows, out):
    """Write the rows as CSV (header line, then one line per run) to a text stream."""
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    for row in table_rows:
        writer.writerow([_cell(row.get(c)) for c in columns])
