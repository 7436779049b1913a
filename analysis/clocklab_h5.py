#!/usr/bin/env python3
"""Read clocklab HDF5 files (schema "clocklab/1") into plain numpy data.

One file holds one ``mpirun``; each run is a group ``/runs/<name>``.
:func:`read_runs` loads every run of a file into a dict (see
:func:`read_run` for its layout); the helpers below (:func:`final_skew`,
:func:`max_abs_offset`, :func:`total_messages`, :func:`leader`, ...) take
such a dict and never touch the file again.

Conventions: times are float64 seconds of reference time ``t``, offsets
are seconds (``C_i(t) - t``), drift is ppm. Groups a run does not produce
are absent from the file and ``None`` in the dict. Only h5py and numpy are
needed (Debian: python3-h5py).
"""

import math
import os
import re
from collections import Counter

import h5py
import numpy as np

SCHEMA = "clocklab/1"

#: Values of the ``kind`` enum in ``events/table``.
EVENT_KINDS = {0: "SEND", 1: "RECEIVE", 2: "INTERNAL", 3: "DELIVER"}

#: Values of the ``status`` enum in ``requests/table``.
REQUEST_STATUS = {0: "SERVED", 1: "TIMEOUT", 2: "NO_SERVER", 3: "PENDING", 4: "LOST"}


class ClocklabError(Exception):
    """A file is missing, unreadable or not a clocklab/1 file."""


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
# Opening and loading
# --------------------------------------------------------------------------

def open_clocklab(path):
    """Open ``path`` read-only and check it is a clocklab/1 file.

    Returns an open :class:`h5py.File` (use it as a context manager).
    Raises :class:`ClocklabError` with a message naming the file when the
    file is missing, is not HDF5, or lacks ``schema="clocklab/1"``.
    """
    if not os.path.exists(path):
        raise ClocklabError(f"{path}: no such file")
    if os.path.isdir(path):
        raise ClocklabError(f"{path}: is a directory, not an HDF5 file")
    try:
        f = h5py.File(path, "r")
    except OSError as exc:
        raise ClocklabError(f"{path}: not a readable HDF5 file ({exc})") from None
    schema = _attr(f.attrs["schema"]) if "schema" in f.attrs else None
    if schema != SCHEMA:
        f.close()
        found = "no schema attribute" if schema is None else f"schema={schema!r}"
        raise ClocklabError(f"{path}: not a {SCHEMA} file ({found})")
    return f


def run_names(f):
    """Return the names of the runs under ``/runs`` in natural order."""
    if "runs" not in f:
        return []
    return sorted(f["runs"].keys(), key=_natural_key)


def _read_group(group, names):
    """Return {name: numpy array} for the datasets of ``names`` present."""
    return {name: group[name][()] for name in names if name in group}


def _read_nodes(run_group, n):
    """Return the ``nodes/`` group as a dict of [N] arrays (NaN-filled if absent)."""
    g = run_group["nodes"] if "nodes" in run_group else {}
    nodes = {}
    for key in ("initial_offset", "drift", "crashed_at", "recovered_at"):
        if key in g:
            nodes[key] = np.asarray(g[key][()], dtype=float)
        else:
            nodes[key] = np.full(n, np.nan)
    raw = _strings(g["label"][()]) if "label" in g else [""] * n
    nodes["label"] = [lab if lab.strip() else f"node {i}" for i, lab in enumerate(raw)]
    return nodes


def _read_messages(run_group):
    """Return the ``messages/`` group: types as list of str, counts as [N,T] u8."""
    if "messages" not in run_group:
        return None
    g = run_group["messages"]
    msgs = _read_group(g, ("sent", "received", "bytes_sent", "dropped"))
    msgs["types"] = _strings(g["types"][()]) if "types" in g else []
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


def read_run(f, name, events=False):
    """Load run ``/runs/<name>`` of an open file into a dict.

    Keys (``None`` when the group is absent from the file):

    - ``name`` (str), ``attrs`` (dict: algorithm, family, nodes, seed,
      status, config, wall_time [s], duration [s], ...), ``n`` (int N).
    - ``nodes``: initial_offset [N] s, drift [N] ppm, crashed_at [N] s,
      recovered_at [N] s (NaN = never; NaN-filled when absent), label
      (list of N str, "node i" where the file has none or an empty one).
    - ``clock``: time [S] s, offset [S,N] s, rounds [R] structured
      (node, round, time s, rtt s, estimated_offset s, true_offset s,
      adjustment s, excluded) -- each key only if present.
    - ``messages``: types (list of T str), sent/received/bytes_sent/dropped
      [N,T] u8.
    - ``election``: ids [N] i4, leader [N] i4 (-1 none), decided_at [N] s,
      history [H] structured (node, time s, leader).
    - ``events``: table [E] structured (node, seq, kind int 0..3, peer,
      type, msg, lamport, local_time s, time s, due s), vector [E,N] u4 -- loaded
      only when ``events=True`` (traces can be large), else ``None``.
    - ``fidelity``: how well the runtime kept time: delivery_p50/p99/max,
      timer_p50/p99/max, cpu_time [N] s, deliveries, timers [N] counts and
      the warning ``threshold`` (s); absent from files of older versions.
    - ``results``: {name: [N] f8} per-node results (NaN where a node
      recorded nothing), e.g. raffle_winner, or a Lamport run's rate and max_queue.
    - ``requests``: table [Q] structured (id, client, coordinator, server,
      status int 0..4 (:data:`REQUEST_STATUS`), attempts, dispatches,
      served, sent, dispatched, arrived, started, finished, received,
      response_local; times s, NaN = never), queue [K] structured (node,
      time s, waiting, in_service) -- dispatch runs.
    - ``mutex``: sections [M] structured (node, seq, stamp, requested,
      entered, exited, requested_local, entered_local, exited_local; s) --
      mutual-exclusion runs.
    """
    g = f["runs"][name]
    attrs = _attrs(g)
    n = _node_count(g, attrs)
    run = {"name": name, "attrs": attrs, "n": n, "nodes": _read_nodes(g, n)}
    run["clock"] = _read_group(g["clock"], ("time", "offset", "rounds")) if "clock" in g else None
    run["messages"] = _read_messages(g)
    run["election"] = (_read_group(g["election"], ("ids", "leader", "decided_at", "history"))
                       if "election" in g else None)
    run["events"] = (_read_group(g["events"], ("table", "vector"))
                     if events and "events" in g else None)
    run["results"] = ({key: np.asarray(g["results"][key][()], float) for key in g["results"]}
                      if "results" in g else None)
    run["requests"] = (_read_group(g["requests"], ("table", "queue"))
                       if "requests" in g else None)
    run["mutex"] = _read_group(g["mutex"], ("sections",)) if "mutex" in g else None
    run["fidelity"] = _read_fidelity(g["fidelity"]) if "fidelity" in g else None
    return run


def _read_fidelity(group):
    """fidelity/ as a dict of [N] arrays plus the scalar ``threshold`` (s)."""
    out = {key: np.asarray(group[key][()]) for key in group}
    out["threshold"] = float(group.attrs.get("threshold", float("nan")))
    return out


def read_runs(path, events=False):
    """Check and load a whole file.

    Returns ``(file_attrs, runs)``: the root attributes as a dict and the
    list of run dicts (see :func:`read_run`) in natural name order.
    Raises :class:`ClocklabError` for missing or non-clocklab files.
    """
    with open_clocklab(path) as f:
        return _attrs(f), [read_run(f, name, events) for name in run_names(f)]


# --------------------------------------------------------------------------
# Derived quantities
# --------------------------------------------------------------------------

def alive_mask(run, t=math.inf):
    """Return which nodes are up at reference time ``t`` (s): bool [N].

    ``t`` may also be an array of times [S]; the result is then [S,N].
    A node is down from ``crashed_at`` until ``recovered_at`` (if it
    recovers after the crash). The default ``t=inf`` means "at the end of
    the run": alive when it never crashed, or recovered after its crash.
    """
    crashed = run["nodes"]["crashed_at"]
    recovered = run["nodes"]["recovered_at"]
    t = np.asarray(t, dtype=float)[..., None]  # scalar -> [1], [S] -> [S,1]
    with np.errstate(invalid="ignore"):
        down = crashed <= t
        back = (recovered <= t) & (recovered >= crashed)
    return ~down | back


def alive_matrix(run):
    """Return a [S,N] bool array: node alive at each ``clock/time`` sample."""
    times = clock_times(run)
    if times is None:
        return None
    return alive_mask(run, times).reshape(len(times), run["n"])


def clock_times(run):
    """Return ``clock/time`` [S] in s, or ``None`` when not recorded."""
    clock = run["clock"]
    return None if clock is None or "time" not in clock else np.asarray(clock["time"], float)


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


def total_messages(run):
    """Total number of messages sent (sum of ``messages/sent``), ``None`` if absent."""
    msgs = run["messages"]
    if msgs is None or "sent" not in msgs:
        return None
    return int(np.asarray(msgs["sent"], dtype=np.uint64).sum())


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


def end_time(run):
    """Reference time (s) at which the run ended, for timelines.

    The ``duration`` attribute when positive, else the latest time found
    in the run's data (samples, rounds, election, crash/recover), else 0.
    """
    duration = run["attrs"].get("duration")
    if duration is not None and np.isfinite(duration) and duration > 0:
        return float(duration)
    candidates = [run["nodes"]["crashed_at"], run["nodes"]["recovered_at"]]
    times = clock_times(run)
    if times is not None:
        candidates.append(times)
    if run["clock"] is not None and "rounds" in run["clock"]:
        candidates.append(run["clock"]["rounds"]["time"])
    election = run["election"] or {}
    if "decided_at" in election:
        candidates.append(election["decided_at"])
    if "history" in election:
        candidates.append(election["history"]["time"])
    values = np.concatenate([np.asarray(c, float).ravel() for c in candidates])
    values = values[np.isfinite(values)]
    return float(values.max()) if values.size else 0.0


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


def finite_ints(values):
    """Sorted distinct finite entries of an array, as ints."""
    values = np.asarray(values, dtype=float)
    return sorted({int(v) for v in values[np.isfinite(values)]})


def raffle_winner(run):
    """The raffle winner (node index) of a totally-ordered-multicast run.

    From ``results/raffle_winner`` over the nodes that drew one (finite
    entries): the int when they all name the same node, else a sorted tuple
    of the distinct names (the nodes disagree). ``None`` when the run has no
    raffle or no node drew a winner.
    """
    results = run.get("results") or {}
    if "raffle_winner" not in results:
        return None
    drawn = finite_ints(results["raffle_winner"])
    if not drawn:
        return None
    return drawn[0] if len(drawn) == 1 else tuple(drawn)

# --------------------------------------------------------------------------
# Logical clocks (events/, loaded with events=True)
# --------------------------------------------------------------------------

def _event_table(run):
    events = run.get("events")
    if events is None or "table" not in events or len(events["table"]) == 0:
        return None
    return events["table"]


def _node_rows(table, node):
    """Row indices of ``node``'s events in program order (by seq)."""
    rows = np.flatnonzero(table["node"] == node)
    return rows[np.argsort(table["seq"][rows], kind="stable")]


def lamport_series(run):
    """Per node, ``(time, lamport)`` arrays of its events in program order.

    time is reference time (s). ``None`` without events.
    """
    table = _event_table(run)
    if table is None:
        return None
    series = []
    for node in range(run["n"]):
        rows = _node_rows(table, node)
        series.append((np.asarray(table["time"][rows], float),
                       np.asarray(table["lamport"][rows], np.int64)))
    return series


def clock_jumps(run):
    """The clock jump at every RECEIVE: ``(node, time, jump)`` arrays.

    jump = L(receive) - L(the node's previous event) - 1 (previous = 0 for
    a first event): how far the received timestamp pushed the Lamport clock
    beyond the +1 of an ordinary event (0 = no jump). ``None`` without events.
    """
    table = _event_table(run)
    if table is None:
        return None
    nodes, times, jumps = [], [], []
    for node in range(run["n"]):
        rows = _node_rows(table, node)
        stamps = np.asarray(table["lamport"][rows], np.int64)
        previous = np.concatenate([[0], stamps[:-1]])
        receive = table["kind"][rows] == 1
        nodes.append(np.full(int(receive.sum()), node))
        times.append(np.asarray(table["time"][rows][receive], float))
        jumps.append((stamps - previous - 1)[receive])
    return (np.concatenate(nodes).astype(int), np.concatenate(times),
            np.concatenate(jumps).astype(np.int64))


def queue_lengths(run):
    """Per node, ``(time, length)`` steps: messages sent to it not yet received.

    Counted from events/table alone: +1 at each SEND row with peer = node,
    -1 at each of the node's RECEIVE rows. For a Lamport run (one message
    taken off the queue per tick) this is the queue length plus the
    messages in flight, i.e. the queue length without injected delay and
    loss. Each series starts at (0, 0). ``None`` without events.
    """
    table = _event_table(run)
    if table is None:
        return None
    out = []
    for node in range(run["n"]):
        sent = (table["kind"] == 0) & (table["peer"] == node)
        received = (table["kind"] == 1) & (table["node"] == node)
        times = np.concatenate([table["time"][sent], table["time"][received]]).astype(float)
        steps = np.concatenate([np.ones(int(sent.sum()), np.int64),
                                -np.ones(int(received.sum()), np.int64)])
        order = np.argsort(times, kind="stable")
        out.append((np.concatenate([[0.0], times[order]]),
                    np.concatenate([[0], np.cumsum(steps[order])])))
    return out


def lateness_p99(run):
    """Worst p99 lateness of the run (s): the largest per-node p99 of
    deliveries and of timers in fidelity/; ``None`` without that group."""
    fid = run.get("fidelity")
    if not fid:
        return None
    values = np.concatenate([fid["delivery_p99"], fid["timer_p99"]])
    values = values[np.isfinite(values)]
    return float(values.max()) if len(values) else None


def timing_trusted(run):
    """False when the worst p99 lateness is above the run's fidelity
    threshold (the machine was too loaded); ``None`` without fidelity/."""
    p99 = lateness_p99(run)
    if p99 is None:
        return None
    return bool(p99 <= run["fidelity"]["threshold"])


def fidelity_text(run):
    """One line on how well the run kept time, or ``None`` without fidelity/."""
    fid = run.get("fidelity")
    if not fid:
        return None

    def worst(key):
        v = fid[key][np.isfinite(fid[key])]
        return float(v.max()) * 1e6 if len(v) else float("nan")

    trusted = timing_trusted(run)
    return ("lateness (worst node): deliveries p50 %.1f / p99 %.1f / max %.1f us, timers p50 "
            "%.1f / p99 %.1f / max %.1f us; CPU %.3f s over all ranks; %s %.0f us" %
            (worst("delivery_p50"), worst("delivery_p99"), worst("delivery_max"),
             worst("timer_p50"), worst("timer_p99"), worst("timer_max"),
             float(np.sum(fid["cpu_time"])),
             "within the threshold" if trusted else "NOT TRUSTED: p99 above the threshold",
             fid["threshold"] * 1e6))


def served_requests(run):
    """The requests/table rows with status SERVED, or ``None`` without requests/."""
    if run.get("requests") is None or "table" not in run["requests"]:
        return None
    t = run["requests"]["table"]
    return t[t["status"] == 0]


def sections_in_order(run):
    """mutex/sections sorted by entry time, or ``None`` without mutex/."""
    if run.get("mutex") is None or "sections" not in run["mutex"]:
        return None
    s = run["mutex"]["sections"]
    return s[np.argsort(s["entered"], kind="stable")]


def summary(run):
    """Return the summary numbers of a run as a dict.

    Keys: run, algorithm, family, nodes, status, final_skew (s),
    max_abs_offset (s), messages (int), leader (int), winner (int, or a
    tuple when nodes disagree; see :func:`raffle_winner`), lateness_p99 (s,
    :func:`lateness_p99`), trusted (bool, :func:`timing_trusted`) --
    ``None`` where the run has no data for it.
    """
    attrs = run["attrs"]
    return {
        "run": run["name"],
        "algorithm": attrs.get("algorithm", "?"),
        "family": attrs.get("family", "?"),
        "nodes": run["n"],
        "status": attrs.get("status", "?"),
        "final_skew": final_skew(run),
        "max_abs_offset": max_abs_offset(run),
        "messages": total_messages(run),
        "leader": leader(run),
        "winner": raffle_winner(run),
        "lateness_p99": lateness_p99(run),
        "trusted": timing_trusted(run),
    }
