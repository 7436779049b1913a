"""pandas DataFrames of the table datasets of clocklab/1 files.

Every reader takes one path (str or os.PathLike) or a list of paths and
returns one DataFrame over every run of every file, one row per row of the
dataset, with two leading columns: ``file`` (the path as given, str) and
``run`` (the run's name, "run000", ...). The other columns are the
dataset's fields in file order, with the file's numpy dtypes (an HDF5 enum
field keeps its integer values). Runs without the dataset contribute no
rows; with no rows at all the frame is empty but has the schema's columns.

``frame.attrs["units"]`` maps each column to its unit (``s``, ``s/s``,
``ppm``, ``bytes``; "1" for counts, ids, node indices and enum values;
schema.FIELD_UNITS); ``frame.attrs["enums"]`` maps each enum field to its
{name: value} as the (first) file gives it. Node indices are 0..N-1; join
with :func:`read_nodes` on (file, run, node) for the nodes' labels. The
meaning of every field is in docs/schema.md.

Errors: :class:`clocklab.reader.ClocklabFileError` naming the path for a
missing, unreadable or non-clocklab file (before any frame is built);
``ValueError`` for a dataset the schema does not have.
"""

import os

import h5py
import numpy as np

from . import schema
from .reader import _node_count, _read_nodes, _strings, as_paths, open_clocklab, run_names

#: The compound datasets (:func:`read_table` reads any of them).
COMPOUND = ("clock/rounds", "clock/models", "election/history", "events/table",
            "requests/table", "requests/queue", "mutex/sections")


def _frame(columns, parts, units, enums=None):
    """Concatenate {column: array} parts into a DataFrame with ``columns`` first."""
    import pandas as pd

    if parts:
        frame = pd.concat([pd.DataFrame(part) for part in parts], ignore_index=True)
        first = [c for c in columns if c in frame.columns]
        frame = frame[first + [c for c in frame.columns if c not in first]]
    else:
        frame = pd.DataFrame(columns=list(columns))
    frame.attrs["units"] = {c: units[c] for c in frame.columns if c in units}
    frame.attrs["enums"] = enums or {}
    return frame


def _runs(paths):
    """Yield (path, run name, h5py run group) of every run of every file;
    every file is opened and checked first, so a bad one raises before any row."""
    paths = [os.fspath(p) for p in as_paths(paths)]
    for path in paths:
        open_clocklab(path).close()
    for path in paths:
        with open_clocklab(path) as f:
            for name in run_names(f):
                yield path, name, f[schema.RUNS][name]


def _keys(path, name, rows):
    """The leading ``file`` and ``run`` columns of ``rows`` rows of one run."""
    return {"file": np.full(rows, path, dtype=object), "run": np.full(rows, name, dtype=object)}


def _units(group):
    """{dataset: unit} of the plain datasets of schema group ``group`` that have one."""
    return {key.split("/", 1)[1]: unit for key, unit in schema.DATASET_UNITS.items()
            if key.startswith(group + "/")}


def read_table(paths, dataset):
    """The compound dataset ``dataset`` ("clock/rounds", "events/table", ...;
    COMPOUND) of every run of the files as one DataFrame: columns file, run
    and the dataset's fields (schema.FIELDS[dataset]) with the file's dtypes.
    Raises ValueError for a dataset not in COMPOUND."""
    if dataset not in COMPOUND:
        raise ValueError(f"{dataset!r} is not a table dataset of {schema.SCHEMA} "
                         f"(tables: {', '.join(COMPOUND)})")
    parts, enums = [], {}
    for path, name, group in _runs(paths):
        if dataset not in group:
            continue
        rows = group[dataset][()]
        part = _keys(path, name, len(rows))
        for field in rows.dtype.names:
            mapping = h5py.check_enum_dtype(rows.dtype[field])
            if mapping is not None:
                enums.setdefault(field, {str(k): int(v) for k, v in mapping.items()})
            part[field] = np.ascontiguousarray(rows[field])
        parts.append(part)
    return _frame(("file", "run") + schema.FIELDS[dataset], parts, schema.FIELD_UNITS[dataset],
                  enums)


def read_rounds(paths):
    """``clock/rounds``: one row per synchronization reading [R rows]: node,
    round, time (s), rtt (s), estimated_offset (s), true_offset (s),
    adjustment (s), excluded (1 = left out of the round's average)."""
    return read_table(paths, "clock/rounds")


def read_models(paths):
    """``clock/models``: one row per clock model fitted by the HPC sync
    algorithms [M rows]: node, reference, points, time (s), intercept (s),
    slope (s/s), rtt (s), bound (s), slope_bound (s/s), true_offset (s)."""
    return read_table(paths, "clock/models")


def read_history(paths):
    """``election/history``: one row per change of a node's leader belief
    [H rows]: node, time (s), leader (node index, -1 none)."""
    return read_table(paths, "election/history")


def read_events(paths):
    """``events/table``: one row per traced event [E rows]: node, seq, kind
    (enum SEND/RECEIVE/INTERNAL/DELIVER, values in attrs["enums"]["kind"]),
    peer (node index, -1 none), type, msg (message id), lamport, local_time
    (s), time (s), due (s)."""
    return read_table(paths, "events/table")


def read_requests(paths):
    """``requests/table``: one row per client request [Q rows]: id, client,
    coordinator, server (node indices), status (enum SERVED/TIMEOUT/
    NO_SERVER/PENDING/LOST, attrs["enums"]["status"]), attempts,
    dispatches, served, and the times sent, dispatched, arrived, started,
    finished, received, response_local (s, NaN = never)."""
    return read_table(paths, "requests/table")


def read_queue(paths):
    """``requests/queue``: one row per change of a server's queue [K rows]:
    node, time (s), waiting, in_service (counts)."""
    return read_table(paths, "requests/queue")


def read_sections(paths):
    """``mutex/sections``: one row per critical-section request [M rows]:
    node, seq, stamp, requested, entered, exited (s of reference time, NaN =
    never) and requested_local, entered_local, exited_local (s, the node's clock)."""
    return read_table(paths, "mutex/sections")


def read_evaluation(paths):
    """``evaluation/``: the independent evaluator's rows [R rows], one array
    per column in the file: node, samples, at (s), time (s), offset (s),
    rtt_min (s), true_offset (s)."""
    parts = []
    for path, name, group in _runs(paths):
        if schema.EVALUATION not in group:
            continue
        g = group[schema.EVALUATION]
        part = {key: g[key][()] for key in schema.DATASETS[schema.EVALUATION] if key in g}
        rows = len(next(iter(part.values()))) if part else 0
        parts.append({**_keys(path, name, rows), **part})
    return _frame(("file", "run") + schema.DATASETS[schema.EVALUATION], parts,
                  dict(_units(schema.EVALUATION), node="1", samples="1"))


def read_nodes(paths):
    """``nodes/``: one row per node [N rows per run]: node (index 0..N-1),
    label (``nodes/label``; "node i" where the file gives none), named
    (bool: the file gives a label), initial_offset (s), drift (ppm),
    crashed_at (s), recovered_at (s) (NaN = never)."""
    parts = []
    for path, name, group in _runs(paths):
        n = _node_count(group, group.attrs)
        nodes = _read_nodes(group, n)
        parts.append({**_keys(path, name, n),
                      "node": np.arange(n, dtype=np.int32),
                      "label": np.array(nodes["label"], dtype=object),
                      "named": np.array(nodes["named"], dtype=bool),
                      **{key: nodes[key] for key in ("initial_offset", "drift", "crashed_at",
                                                     "recovered_at")}})
    return _frame(("file", "run", "node", "label", "named", "initial_offset", "drift",
                   "crashed_at", "recovered_at"), parts, dict(_units(schema.NODES), node="1"))


def read_offsets(paths):
    """``clock/time`` and ``clock/offset`` in long form: one row per sample
    and node [S*N rows per run]: sample (index), time (s), node, offset (s,
    the true offset C_i(t) - t)."""
    parts = []
    for path, name, group in _runs(paths):
        if "clock/offset" not in group or "clock/time" not in group:
            continue
        times = np.asarray(group["clock/time"][()], float)
        offsets = np.asarray(group["clock/offset"][()], float).reshape(len(times), -1)
        s, n = offsets.shape
        parts.append({**_keys(path, name, s * n),
                      "sample": np.repeat(np.arange(s), n), "time": np.repeat(times, n),
                      "node": np.tile(np.arange(n, dtype=np.int32), s),
                      "offset": offsets.ravel()})
    return _frame(("file", "run", "sample", "time", "node", "offset"), parts,
                  dict(_units(schema.CLOCK), sample="1", node="1"))


def read_messages(paths):
    """``messages/`` in long form: one row per node and message type [N*T
    rows per run]: node, type (str), sent, received, dropped (counts),
    bytes_sent (bytes)."""
    parts = []
    for path, name, group in _runs(paths):
        if "messages/sent" not in group:
            continue
        g = group["messages"]
        sent = np.asarray(g["sent"][()])
        n = sent.shape[0]
        sent = sent.reshape(n, -1)
        t = sent.shape[1]
        types = _strings(g["types"][()]) if "types" in g else [f"type {k}" for k in range(t)]
        part = {**_keys(path, name, n * t),
                "node": np.repeat(np.arange(n, dtype=np.int32), t),
                "type": np.array(types * n, dtype=object)}
        for key in ("sent", "received", "dropped", "bytes_sent"):
            if key in g:
                part[key] = np.asarray(g[key][()]).reshape(n, t).ravel()
        parts.append(part)
    return _frame(("file", "run", "node", "type", "sent", "received", "dropped", "bytes_sent"),
                  parts, dict(_units(schema.MESSAGES), node="1", sent="1", received="1",
                              dropped="1"))
