"""Run-level numbers every family shares: who is alive, message counts, the
runtime's timing (fidelity/).

Every function takes a run dict of :func:`clocklab.reader.read_run` and
returns ``None`` when the run has no data for it."""

import math

import numpy as np

from .. import schema


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


def _per_type(run, dataset):
    """``messages/<dataset>`` summed over nodes, one count per type (numpy
    array), ``None`` without it."""
    msgs = run["messages"]
    if msgs is None or dataset not in msgs:
        return None
    return np.asarray(msgs[dataset], dtype=np.uint64).reshape(run["n"], -1).sum(axis=0)


def total_messages(run):
    """Messages the run's algorithms sent (``messages/sent`` summed, the
    reliable channel's own types, schema.CHANNEL_TYPES, left out: an
    algorithm's count is the same with the channel on), ``None`` if absent."""
    by_type = messages_by_type(run)
    if by_type is None:
        return None
    return sum(n for name, n in by_type.items() if name not in schema.CHANNEL_TYPES)


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


def messages_by_type(run):
    """{type name: messages sent, summed over nodes}, ``None`` without
    messages/. Types of one name in several layers of a stack are added."""
    sent = _per_type(run, "sent")
    if sent is None:
        return None
    names = run["messages"]["types"] or [f"type{k}" for k in range(len(sent))]
    out = {}
    for name, count in zip(names, sent):
        out[name] = out.get(name, 0) + int(count)
    return out


def dropped_messages(run):
    """Messages lost at the sender or received while crashed (messages/dropped), or ``None``."""
    dropped = _per_type(run, "dropped")
    return None if dropped is None else int(dropped.sum())


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


def finite_ints(values):
    """Sorted distinct finite entries of an array, as ints."""
    values = np.asarray(values, dtype=float)
    return sorted({int(v) for v in values[np.isfinite(values)]})


def _event_table(run):
    events = run.get("events")
    if events is None or "table" not in events or len(events["table"]) == 0:
        return None
    return events["table"]


def clock_times(run):
    """Return ``clock/time`` [S] in s, or ``None`` when not recorded."""
    clock = run["clock"]
    return None if clock is None or "time" not in clock else np.asarray(clock["time"], float)
