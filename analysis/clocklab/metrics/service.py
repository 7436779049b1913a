"""Numbers of the request-routing family: requests served, queue lengths.

Every function takes a run dict of :func:`clocklab.reader.read_run` and
returns ``None`` when the run has no data for it."""

import numpy as np

from ..reader import event_kinds
from ..reader import request_status
from .common import _event_table, _mean, _percentile


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


def served_requests(run):
    """The requests/table rows with status SERVED, or ``None`` without requests/."""
    if run.get("requests") is None or "table" not in run["requests"]:
        return None
    t = run["requests"]["table"]
    return t[t["status"] == request_status(t).SERVED]


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
