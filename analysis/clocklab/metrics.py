"""Numbers derived from a run dict of :func:`clocklab.reader.read_run`.

Every function takes a run dict, never touches the file, and returns
``None`` when the run has no data for it (a group the run does not
produce). Times are seconds of reference time, offsets seconds.
"""

import math
from collections import Counter

import numpy as np

from .causality import node_rows
from .labels import labels_of
from .reader import event_kinds, request_status


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


def skew_series(run):
    """Return ``(time, skew)``, two [S] float arrays (s): the skew at each
    ``clock/time`` sample, max_i - min_i of the true offsets C_i(t) - t over
    the nodes alive at t (the envelope of :func:`skew_envelope`). Skew as
    the largest difference between the clocks' readings at one instant:
    Coulouris et al., Distributed Systems, 14.2. NaN where no alive node
    has a value; 0 with one. ``None`` without clock data.
    """
    envelope = skew_envelope(run)
    if envelope is None:
        return None
    lo, hi = envelope
    return clock_times(run), hi - lo


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


def lamport_series(run):
    """Per node, ``(time, lamport)`` arrays of its events in program order.

    time is reference time (s). ``None`` without events.
    """
    table = _event_table(run)
    if table is None:
        return None
    series = []
    for node in range(run["n"]):
        rows = node_rows(table, node)
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
    kinds = event_kinds(table)
    nodes, times, jumps = [], [], []
    for node in range(run["n"]):
        rows = node_rows(table, node)
        stamps = np.asarray(table["lamport"][rows], np.int64)
        previous = np.concatenate([[0], stamps[:-1]])
        receive = table["kind"][rows] == kinds.RECEIVE
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
    kinds = event_kinds(table)
    out = []
    for node in range(run["n"]):
        sent = (table["kind"] == kinds.SEND) & (table["peer"] == node)
        received = (table["kind"] == kinds.RECEIVE) & (table["node"] == node)
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
    return t[t["status"] == request_status(t).SERVED]


def sections_in_order(run):
    """mutex/sections sorted by entry time, or ``None`` without mutex/."""
    if run.get("mutex") is None or "sections" not in run["mutex"]:
        return None
    s = run["mutex"]["sections"]
    return s[np.argsort(s["entered"], kind="stable")]


def messages_by_type(run):
    """{type name: messages sent, summed over nodes}, ``None`` without
    messages/. Types of one name in several layers of a stack are added."""
    msgs = run["messages"]
    if msgs is None or "sent" not in msgs:
        return None
    sent = np.asarray(msgs["sent"], dtype=np.uint64).reshape(run["n"], -1).sum(axis=0)
    names = msgs["types"] or [f"type{k}" for k in range(len(sent))]
    out = {}
    for name, count in zip(names, sent):
        out[name] = out.get(name, 0) + int(count)
    return out


def dropped_messages(run):
    """Messages lost at the sender or received while crashed (messages/dropped), or ``None``."""
    msgs = run["messages"]
    if msgs is None or "dropped" not in msgs:
        return None
    return int(np.asarray(msgs["dropped"], dtype=np.uint64).sum())


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


def adjustments(run):
    """Number of clock adjustments (rows of clock/rounds), or ``None``."""
    clock = run["clock"]
    if clock is None or "rounds" not in clock:
        return None
    return int(len(clock["rounds"]))


def worst_fidelity(run, key):
    """The largest finite value over nodes of fidelity/``key`` (s), or ``None``."""
    fid = run.get("fidelity")
    if not fid or key not in fid:
        return None
    values = np.asarray(fid[key], float)
    values = values[np.isfinite(values)]
    return float(values.max()) if values.size else None


def _percentile(values, q):
    values = np.asarray(values, float)
    values = values[np.isfinite(values)]
    return float(np.percentile(values, q)) if values.size else None


def _mean(values):
    values = np.asarray(values, float)
    values = values[np.isfinite(values)]
    return float(values.mean()) if values.size else None


def request_metrics(run):
    """The dispatch figures of a run as a dict, or ``None`` without requests/:
    requests (rows), one count per status (served, timeout, no_server,
    pending, lost; names from the file's enum), sojourn_mean / sojourn_p99
    (finished - arrived at the server, s) and response_mean / response_p99
    (received - sent at the client, s) over the served requests, and
    largest_queue (most requests waiting or in service at one server).
    Nothing is cut at the start or end of the run."""
    if run.get("requests") is None or "table" not in run["requests"]:
        return None
    table = run["requests"]["table"]
    status = request_status(table)
    out = {"requests": int(len(table))}
    for name, value in status.items():
        out[name.lower()] = int(np.sum(table["status"] == value))
    served = table[table["status"] == status.SERVED]
    sojourn = served["finished"] - served["arrived"]
    response = served["received"] - served["sent"]
    out.update(sojourn_mean=_mean(sojourn), sojourn_p99=_percentile(sojourn, 99),
               response_mean=_mean(response), response_p99=_percentile(response, 99))
    queue = run["requests"].get("queue")
    out["largest_queue"] = (int((queue["waiting"] + queue["in_service"]).max())
                            if queue is not None and len(queue) else None)
    return out


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


def summary(run):
    """Return the summary numbers of a run as a dict.

    Keys: run, algorithm, family, nodes, status, final_skew (s),
    max_abs_offset (s), messages (int), leader (int, a node index),
    leader_label (str, the leader's ``nodes/label``), winner (int, or a
    tuple when nodes disagree; see :func:`raffle_winner`), winner_label
    (str, "a/b" when nodes disagree), lateness_p99 (s,
    :func:`lateness_p99`), trusted (bool, :func:`timing_trusted`) --
    ``None`` where the run has no data for it (the labels: where the run
    names none of the nodes, see :func:`clocklab.labels.labels_of`).
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
        "leader_label": labels_of(run, leader(run)),
        "winner": raffle_winner(run),
        "winner_label": labels_of(run, raffle_winner(run)),
        "lateness_p99": lateness_p99(run),
        "trusted": timing_trusted(run),
    }
