"""Happens-before and message matching from a recorded trace alone.

events/table gives, per event, its node, its per-node index seq, its kind
(an HDF5 enum: SEND, RECEIVE, INTERNAL, DELIVER; values read with
:func:`clocklab.reader.event_kinds`) and, on SEND and RECEIVE rows, the
message id msg that both rows of one message share. Happens-before is the
smallest transitive relation with a -> b when a and b are events of one
node and a comes first (seq), and when a sends the message b receives
(L. Lamport, "Time, clocks, and the ordering of events in a distributed
system", CACM 21(7), 1978, section 2). Vector clocks follow the rules of
C. Fidge (1988) and F. Mattern (1988): an event ticks its node's own entry,
a receive first takes the component-wise maximum with its send's vector.

This module is the one place that matches messages and orders events: the
ShiViz export, the analysis and the tests use it. It never looks at the
clocks (Lamport or vector) it is used to check. Inconsistent traces raise
:class:`TraceError` naming the rows.

A message id is (sender + 1) << 40 | k: the k-th message (k = 1, 2, ...)
node ``sender`` sent; :func:`message_label` writes it "sender:k".
"""

import heapq

import numpy as np

from .reader import ClocklabError, event_kinds
from .schema import MSG_SENDER_SHIFT


class TraceError(ClocklabError):
    """events/table is not a possible execution (unmatched or duplicate
    messages, gaps in seq, a cycle)."""


# --------------------------------------------------------------------------
# Message ids
# --------------------------------------------------------------------------

def decode_message(msg):
    """``(sender, k)`` of a message id: the k-th message node ``sender``
    sent; ``(None, msg)`` for an id not made that way (0 = no message)."""
    msg = int(msg)
    sender = (msg >> MSG_SENDER_SHIFT) - 1
    if sender < 0:
        return None, msg
    return sender, msg & ((1 << MSG_SENDER_SHIFT) - 1)


def message_id(sender, k):
    """The message id of the k-th message (k >= 1) of node ``sender``."""
    return ((int(sender) + 1) << MSG_SENDER_SHIFT) | int(k)


def message_label(msg, names=None):
    """A message id as a reader follows it: "sender:k", the sender as
    ``names[sender]`` when names are given (e.g. ShiViz host names), else
    its node index; the bare number for an id not made by clocklab."""
    sender, k = decode_message(msg)
    if sender is None:
        return str(k)
    who = names[sender] if names is not None and sender < len(names) else str(sender)
    return f"{who}:{k}"


# --------------------------------------------------------------------------
# Program order and message edges
# --------------------------------------------------------------------------

def node_rows(table, node):
    """Row indices of ``node``'s events in program order (by seq)."""
    rows = np.flatnonzero(table["node"] == node)
    return rows[np.argsort(table["seq"][rows], kind="stable")]


def program_order(table):
    """Per node, the row indices of its events sorted by seq: {node: [rows]}.

    Raises :class:`TraceError` unless each node's seq values are 0, 1, 2, ...
    """
    order = {}
    for node in np.unique(table["node"]):
        rows = node_rows(table, node)
        seqs = table["seq"][rows].astype(np.int64)
        if not np.array_equal(seqs, np.arange(len(rows))):
            raise TraceError(f"node {node}: seq is not 0..{len(rows) - 1}")
        order[int(node)] = rows
    return order


def message_pairs(table):
    """Match every RECEIVE row to its SEND row by message id.

    Returns a dict receive row index -> send row index (a SEND without a
    RECEIVE was lost or still in flight). Raises :class:`TraceError` when a
    SEND has no message id or one that names another sender, a message id
    has several SENDs or several RECEIVEs, a RECEIVE matches no SEND, or the
    two rows disagree on who sent to whom.
    """
    kinds = event_kinds(table)
    sends = {}
    for i in np.flatnonzero(table["kind"] == kinds.SEND):
        msg = int(table["msg"][i])
        if msg == 0:
            raise TraceError(f"SEND row {i} has no message id")
        sender, _ = decode_message(msg)
        if sender is not None and sender != int(table["node"][i]):
            raise TraceError(f"SEND row {i} of node {int(table['node'][i])} carries message "
                             f"{message_label(msg)} of node {sender}")
        if msg in sends:
            raise TraceError(f"message {message_label(msg)} has two SEND rows: "
                             f"{sends[msg]} and {i}")
        sends[msg] = int(i)
    pairs, seen = {}, set()
    for i in np.flatnonzero(table["kind"] == kinds.RECEIVE):
        msg = int(table["msg"][i])
        if msg not in sends:
            raise TraceError(f"RECEIVE row {i} (message {message_label(msg)}) matches no SEND")
        if msg in seen:
            raise TraceError(f"message {message_label(msg)} is received twice")
        seen.add(msg)
        s = sends[msg]
        if table["peer"][s] != table["node"][i] or table["peer"][i] != table["node"][s]:
            raise TraceError(f"message {message_label(msg)}: SEND row {s} and RECEIVE row {i} "
                             "disagree on who sent it to whom")
        pairs[int(i)] = s
    return pairs


def predecessors(table):
    """Immediate predecessors of every row: list of lists of row indices
    (the previous event of its node, and for a RECEIVE its SEND)."""
    preds = [[] for _ in range(len(table))]
    for rows in program_order(table).values():
        for a, b in zip(rows[:-1], rows[1:]):
            preds[int(b)].append(int(a))
    for recv, send in message_pairs(table).items():
        preds[recv].append(send)
    return preds


# --------------------------------------------------------------------------
# Orders and relations
# --------------------------------------------------------------------------

def causal_order(table):
    """All row indices in an order that respects happens-before.

    Kahn's algorithm over program order and message edges; among the
    events ready to be written the one with the earliest reference time
    goes first (so the order is also a plausible real-time order). Raises
    :class:`TraceError` if the trace has a cycle.
    """
    per_node = {node: list(rows) for node, rows in program_order(table).items()}
    source = message_pairs(table)
    waiting = {}  # send row -> receive rows that wait for it
    for recv, send in source.items():
        waiting.setdefault(send, []).append(recv)
    position = {node: 0 for node in per_node}
    written = np.zeros(len(table), dtype=bool)
    heap = []

    def offer(node):
        k = position[node]
        if k < len(per_node[node]):
            row = int(per_node[node][k])
            if row not in source or written[source[row]]:
                heapq.heappush(heap, (float(table["time"][row]), node, k, row))

    for node in per_node:
        offer(node)
    order = []
    while heap:
        _, node, _, row = heapq.heappop(heap)
        written[row] = True
        order.append(row)
        position[node] += 1
        offer(node)
        for recv in waiting.get(row, ()):
            other = int(table["node"][recv])
            k = position[other]
            if k < len(per_node[other]) and per_node[other][k] == recv:
                offer(other)
    if len(order) != len(table):
        raise TraceError("the trace's happens-before graph has a cycle")
    return order


def happens_before(table):
    """Return hb, an [E,E] bool matrix with hb[a, b] True exactly when a -> b.

    Transitive closure along :func:`causal_order` (O(E^2) memory: for traces
    of some thousands of events). Raises :class:`TraceError` for a trace
    that cannot be an execution.
    """
    n = len(table)
    preds = predecessors(table)
    before = np.zeros((n, n), dtype=bool)  # before[b, a]: a -> b
    for b in causal_order(table):
        for a in preds[b]:
            before[b] |= before[a]
            before[b, a] = True
    return before.T.copy()


def derived_vectors(table, n_nodes, order=None):
    """Vector clocks from the trace alone (Fidge/Mattern): [E, N] int64.

    ``order`` is a causal order of the rows (default :func:`causal_order`).
    """
    order = causal_order(table) if order is None else order
    source = message_pairs(table)
    current = np.zeros((n_nodes, n_nodes), dtype=np.int64)
    vectors = np.zeros((len(table), n_nodes), dtype=np.int64)
    for row in order:
        node = int(table["node"][row])
        if row in source:
            np.maximum(current[node], vectors[source[row]], out=current[node])
        current[node, node] += 1
        vectors[row] = current[node]
    return vectors


def own_counts_ok(table, vectors):
    """True when each node's own vector entry is 1, 2, 3, ... along its
    events (every event ticks it once, as ShiViz requires)."""
    for node in np.unique(table["node"]):
        rows = node_rows(table, node)
        if not np.array_equal(np.asarray(vectors)[rows, int(node)],
                              np.arange(1, len(rows) + 1)):
            return False
    return True


def vector_less(vectors):
    """[E,E] bool: V(a) < V(b), i.e. V(a) <= V(b) component-wise and V(a) != V(b)."""
    v = np.asarray(vectors, dtype=np.int64)
    le = np.all(v[:, None, :] <= v[None, :, :], axis=2)
    eq = np.all(v[:, None, :] == v[None, :, :], axis=2)
    return le & ~eq


def vector_mismatches(table, vectors, limit=5):
    """Pairs where V(a) < V(b) disagrees with a -> b.

    Returns ``(bad, hb)``: at most ``limit`` triples (a, b, a -> b) and the
    happens-before matrix of :func:`happens_before`.
    """
    hb = happens_before(table)
    bad = np.argwhere(vector_less(vectors) != hb)
    return [(int(a), int(b), bool(hb[a, b])) for a, b in bad[:limit]], hb
