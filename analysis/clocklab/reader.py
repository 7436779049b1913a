"""The one reader of clocklab HDF5 files (schema "clocklab/1").

One file holds one ``mpirun``; each run is a group ``/runs/<name>``.
:func:`read_runs` loads every run of a file into a dict (see
:func:`read_run` for its layout); :mod:`clocklab.metrics` takes such a dict
and never touches the file again. Every name comes from
:mod:`clocklab.schema`; the meaning of every dataset is in docs/schema.md.

Conventions: times are float64 seconds of reference time ``t``, offsets
are seconds (``C_i(t) - t``), drift is ppm. Groups a run does not produce
are absent from the file and ``None`` in the dict. Only h5py and numpy are
needed (Debian: python3-h5py).
"""

import os
import re

import h5py
import numpy as np

from . import schema


class ClocklabError(Exception):
    """A file is missing, unreadable or not a clocklab/1 file, or lacks what is asked of it."""


class ClocklabFileError(ClocklabError):
    """An input file is missing, a directory, not HDF5, or not a clocklab/1 file.

    The commands exit with status 2 for it (as clocklab does for a
    configuration file it cannot read), 1 for any other :class:`ClocklabError`."""


def exit_status(error):
    """The exit status of a command stopped by ``error``: 2 for a
    :class:`ClocklabFileError` (an input file it cannot read), else 1."""
    return 2 if isinstance(error, ClocklabFileError) else 1


def as_paths(paths):
    """``paths`` as a list of paths: one path (str, bytes or os.PathLike)
    becomes a list of one, any other iterable a list of its items."""
    if isinstance(paths, (str, bytes, os.PathLike)):
        return [paths]
    return list(paths)


# --------------------------------------------------------------------------
# Small conversions
# --------------------------------------------------------------------------

def _text(value):
    """Return ``value`` as ``str``: decode bytes (ASCII/UTF-8), drop NULs."""
    if isinstance(value, (bytes, np.bytes_)):
        value = bytes(value).decode("utf-8", errors="replace")
    elif isinstance(value, np.ndarray) and value.shape == ():
        return _text(value[()])
    return str(value).rstrip("\0")


def _attr(value):
    """Return an HDF5 attribute value as a plain Python value."""
    if isinstance(value, (bytes, np.bytes_, str)):
        return _text(value)
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        if value.dtype.kind in "SOU":
            return [_text(v) for v in value.ravel()]
        return value.tolist()
    return value


def _attrs(obj):
    """Return all attributes of an h5py object as a dict of plain values."""
    return {key: _attr(obj.attrs[key]) for key in obj.attrs}


def _strings(array):
    """Return a 1-D array of fixed- or variable-length strings as a list."""
    return [_text(v) for v in np.asarray(array).ravel()]


def _natural_key(name):
    """Sort key that orders ``run2`` before ``run10``."""
    return [int(part) if part.isdigit() else part
            for part in re.split(r"(\d+)", name)]


# --------------------------------------------------------------------------
# Enums: values read from the file
# --------------------------------------------------------------------------

class Enum:
    """The name -> value map of one HDF5 enum as a file stores it.

    ``kinds.SEND`` or ``kinds["SEND"]`` is the value; ``kinds.name(v)`` the
    name of a value. Asking for a name the enum lacks raises
    :class:`ClocklabError` naming the enum and the names it has.
    """

    def __init__(self, mapping, where):
        self._values = {str(k): int(v) for k, v in mapping.items()}
        self._names = {v: k for k, v in self._values.items()}
        self._where = where

    def __getitem__(self, name):
        if name not in self._values:
            raise ClocklabError(f"{self._where}: the enum has no {name!r} "
                                f"(it has {', '.join(self._values)})")
        return self._values[name]

    def __getattr__(self, name):
        if name.startswith("_"):
            raise AttributeError(name)
        return self[name]

    def __contains__(self, name):
        return name in self._values

    def __eq__(self, other):
        return dict(self.items()) == dict(other.items() if isinstance(other, Enum) else other)

    def items(self):
        """(name, value) pairs in value order."""
        return sorted(self._values.items(), key=lambda kv: kv[1])

    def name(self, value):
        """The name of ``value``, or ``str(value)`` when the enum has none."""
        return self._names.get(int(value), str(int(value)))

    def __repr__(self):
        return f"Enum({dict(self.items())!r})"


def enum_of(table, field, where):
    """The :class:`Enum` of compound ``field`` of ``table`` (an array read
    from the file, or an h5py dataset): h5py keeps the HDF5 enum's names and
    values in the field's dtype. Raises :class:`ClocklabError` when the
    field is missing or is not an enum."""
    names = table.dtype.names or ()
    if field not in names:
        raise ClocklabError(f"{where}: no field {field!r}")
    mapping = h5py.check_enum_dtype(table.dtype[field])
    if mapping is None:
        raise ClocklabError(f"{where}: field {field!r} is not an HDF5 enum")
    return Enum(mapping, f"{where}.{field}")


def event_kinds(table):
    """The ``kind`` enum of an events/table array: SEND, RECEIVE, INTERNAL,
    DELIVER with the values the file gives them."""
    return enum_of(table, "kind", "events/table")


def request_status(table):
    """The ``status`` enum of a requests/table array: SERVED, TIMEOUT,
    NO_SERVER, PENDING, LOST with the values the file gives them."""
    return enum_of(table, "status", "requests/table")


# --------------------------------------------------------------------------
# Opening and loading
# --------------------------------------------------------------------------

def open_clocklab(path):
    """Open ``path`` read-only and check it is a clocklab/1 file.

    ``path``: str or os.PathLike. Returns an open :class:`h5py.File` (use
    it as a context manager). Raises :class:`ClocklabFileError` with a
    message naming the file when the file is missing, is not HDF5, or lacks
    ``schema="clocklab/1"``.
    """
    path = os.fspath(path)
    if not os.path.exists(path):
        raise ClocklabFileError(f"{path}: no such file")
    if os.path.isdir(path):
        raise ClocklabFileError(f"{path}: is a directory, not an HDF5 file")
    try:
        f = h5py.File(path, "r")
    except OSError as exc:
        raise ClocklabFileError(f"{path}: not a readable HDF5 file ({exc})") from None
    version = _attr(f.attrs["schema"]) if "schema" in f.attrs else None
    if version != schema.SCHEMA:
        f.close()
        found = "no schema attribute" if version is None else f"schema={version!r}"
        raise ClocklabFileError(f"{path}: not a {schema.SCHEMA} file ({found})")
    return f


def run_names(f):
    """Return the names of the runs under ``/runs`` in natural order."""
    if schema.RUNS not in f:
        return []
    return sorted(f[schema.RUNS].keys(), key=_natural_key)


def _read_group(run_group, group):
    """{name: numpy array} of the datasets of schema group ``group`` present,
    or ``None`` when the run has no such group."""
    if group not in run_group:
        return None
    g = run_group[group]
    return {name: g[name][()] for name in schema.DATASETS[group] if name in g}


def _read_nodes(run_group, n):
    """Return the ``nodes/`` group as a dict of [N] arrays (NaN-filled if absent)."""
    g = run_group[schema.NODES] if schema.NODES in run_group else {}
    nodes = {}
    for key in ("initial_offset", "drift", "crashed_at", "recovered_at"):
        if key in g:
            nodes[key] = np.asarray(g[key][()], dtype=float)
        else:
            nodes[key] = np.full(n, np.nan)
    raw = _strings(g["label"][()]) if "label" in g else [""] * n
    nodes["label"] = [lab if lab.strip() else f"node {i}" for i, lab in enumerate(raw)]
    nodes["named"] = [bool(lab.strip()) for lab in raw]
    return nodes


def _read_messages(run_group):
    """Return the ``messages/`` group: types as list of str, counts as [N,T] u8."""
    msgs = _read_group(run_group, schema.MESSAGES)
    if msgs is not None:
        msgs["types"] = _strings(msgs["types"]) if "types" in msgs else []
    return msgs


def _node_count(run_group, attrs):
    """Number of nodes N: the ``nodes`` attribute, else the first [N] shape found."""
    if "nodes" in attrs:
        return int(attrs["nodes"])
    for path in ("nodes/initial_offset", "nodes/crashed_at", "election/leader",
                 "messages/sent"):
        if path in run_group:
            return int(run_group[path].shape[0])
    if "clock/offset" in run_group:
        return int(run_group["clock/offset"].shape[1])
    return 0


def _read_fidelity(run_group):
    """fidelity/ as a dict of [N] arrays plus the scalar ``threshold`` (s)."""
    if schema.FIDELITY not in run_group:
        return None
    group = run_group[schema.FIDELITY]
    out = {key: np.asarray(group[key][()]) for key in group}
    out["threshold"] = float(group.attrs.get(schema.FIDELITY_THRESHOLD, float("nan")))
    return out


def read_run(f, name, events=False):
    """Load run ``/runs/<name>`` of an open file into a dict.

    Keys (``None`` when the group is absent from the file):

    - ``name`` (str), ``attrs`` (dict: algorithm, family, nodes, seed,
      status, time, config, wall_time [s], duration [s], ...), ``n`` (int N).
    - ``nodes``: initial_offset [N] s, drift [N] ppm, crashed_at [N] s,
      recovered_at [N] s (NaN = never; NaN-filled when absent), label
      (list of N str, "node i" where the file has none or an empty one),
      named (list of N bool: the file gives node i a label of its own;
      see :mod:`clocklab.labels`).
    - ``clock``: time [S] s, offset [S,N] s, rounds [R] structured
      (node, round, time s, rtt s, estimated_offset s, true_offset s,
      adjustment s, excluded), models [M] structured (node, reference,
      points, time s, intercept s, slope s/s, rtt s, bound s, slope_bound
      s/s, true_offset s) -- each key only if present.
    - ``evaluation``: the independent evaluator's rows: node, samples [R]
      i4, at, time, offset, rtt_min, true_offset [R] s.
    - ``messages``: types (list of T str), sent/received/bytes_sent/dropped
      [N,T] u8.
    - ``election``: ids [N] i4, leader [N] i4 (-1 none), decided_at [N] s,
      history [H] structured (node, time s, leader).
    - ``events``: table [E] structured (node, seq, kind enum (values:
      :func:`event_kinds`), peer, type, msg, lamport, local_time s, time s,
      due s), vector [E,N] u4 -- loaded only when ``events=True`` (traces
      can be large), else ``None``.
    - ``fidelity``: how well the runtime kept time: delivery_p50/p99/max,
      timer_p50/p99/max, cpu_time [N] s, deliveries, timers [N] counts and
      the warning ``threshold`` (s); real-time runs only.
    - ``results``: {name: [N] f8} per-node results (NaN where a node
      recorded nothing), e.g. raffle_winner, or a Lamport run's rate and max_queue.
    - ``requests``: table [Q] structured (id, client, coordinator, server,
      status enum (values: :func:`request_status`), attempts, dispatches,
      served, sent, dispatched, arrived, started, finished, received,
      response_local; times s, NaN = never), queue [K] structured (node,
      time s, waiting, in_service) -- dispatch runs.
    - ``mutex``: sections [M] structured (node, seq, stamp, requested,
      entered, exited, requested_local, entered_local, exited_local; s) --
      mutual-exclusion runs.
    """
    g = f[schema.RUNS][name]
    attrs = _attrs(g)
    n = _node_count(g, attrs)
    run = {"name": name, "attrs": attrs, "n": n, "nodes": _read_nodes(g, n)}
    run["clock"] = _read_group(g, schema.CLOCK)
    run["evaluation"] = _read_group(g, schema.EVALUATION)
    run["messages"] = _read_messages(g)
    run["election"] = _read_group(g, schema.ELECTION)
    run["events"] = _read_group(g, schema.EVENTS) if events else None
    results = g[schema.RESULTS] if schema.RESULTS in g else None
    run["results"] = ({key: np.asarray(results[key][()], float) for key in results}
                      if results is not None else None)
    run["requests"] = _read_group(g, schema.REQUESTS)
    run["mutex"] = _read_group(g, schema.MUTEX)
    run["fidelity"] = _read_fidelity(g)
    return run


def read_runs(path, events=False):
    """Check and load a whole file.

    ``path``: one file (str or os.PathLike). Returns ``(file_attrs,
    runs)``: the root attributes as a dict and the list of run dicts (see
    :func:`read_run`, each with ``file`` = ``path`` added) in natural name
    order. Raises :class:`ClocklabFileError` for missing or non-clocklab
    files.
    """
    path = os.fspath(path)
    with open_clocklab(path) as f:
        runs = [read_run(f, name, events) for name in run_names(f)]
        attrs = _attrs(f)
    for run in runs:
        run["file"] = path
    return attrs, runs


def read_files(paths, events=False):
    """Every run of every file, in order: a list of run dicts (``file`` set).

    ``paths``: one path (str or os.PathLike) or a list of them. All files
    are read before anything is returned, so a bad one raises
    :class:`ClocklabFileError` before any output is made."""
    runs = []
    for path in as_paths(paths):
        runs += read_runs(path, events)[1]
    return runs
