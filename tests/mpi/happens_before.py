"""Happens-before from a recorded trace alone (Lamport 1978, section 2).

events/table gives, per event, its node, its per-node index seq, its kind
(SEND=0, RECEIVE=1, INTERNAL=2, DELIVER=3) and, for SEND and RECEIVE rows,
the message id msg shared by both rows of one message. Happens-before is
the smallest transitive relation with a -> b when a and b are events of one
node and a comes first (seq), and when a sends the message b receives.

These helpers never look at the clocks they are used to check.
"""
import numpy as np

SEND, RECEIVE, INTERNAL, DELIVER = 0, 1, 2, 3


def message_pairs(table):
    """Match every RECEIVE row to its SEND row by msg id.

    Returns a dict receive row index -> send row index. Raises
    AssertionError when a RECEIVE has no SEND, a message id has several
    SENDs or several RECEIVEs, or the rows' node/peer fields disagree.
    """
    sends = {}
    for i in np.flatnonzero(table["kind"] == SEND):
        msg = int(table["msg"][i])
        if msg == 0:
            raise AssertionError(f"SEND row {i} has no message id")
        if msg in sends:
            raise AssertionError(f"message {msg} has two SEND rows: {sends[msg]} and {i}")
        sends[msg] = int(i)
    pairs, seen = {}, set()
    for i in np.flatnonzero(table["kind"] == RECEIVE):
        msg = int(table["msg"][i])
        if msg not in sends:
            raise AssertionError(f"RECEIVE row {i} (message {msg}) matches no SEND")
        if msg in seen:
            raise AssertionError(f"message {msg} is received twice")
        seen.add(msg)
        s = sends[msg]
        if table["peer"][s] != table["node"][i] or table["peer"][i] != table["node"][s]:
            raise AssertionError(f"message {msg}: SEND row {s} and RECEIVE row {i} disagree "
                                 "on who sent it to whom")
        pairs[int(i)] = s
    return pairs


def program_order(table):
    """Per node, the row indices of its events sorted by seq.

    Raises AssertionError unless each node's seq values are 0, 1, 2, ...
    """
    order = {}
    for node in np.unique(table["node"]):
        rows = np.flatnonzero(table["node"] == node)
        rows = rows[np.argsort(table["seq"][rows], kind="stable")]
        seqs = table["seq"][rows].astype(np.int64)
        if not np.array_equal(seqs, np.arange(len(rows))):
            raise AssertionError(f"node {node}: seq is not 0..{len(rows) - 1}")
        order[int(node)] = rows
    return order


def predecessors(table):
    """Immediate predecessors of every row: list of lists of row indices."""
    preds = [[] for _ in range(len(table))]
    for rows in program_order(table).values():
        for a, b in zip(rows[:-1], rows[1:]):
            preds[int(b)].append(int(a))
    for recv, send in message_pairs(table).items():
        preds[recv].append(send)
    return preds


def happens_before(table):
    """Return hb, an [E,E] bool matrix with hb[a, b] True exactly when a -> b.

    Transitive closure over a topological order (Kahn's algorithm); raises
    AssertionError if the trace has a cycle (it cannot be a real execution).
    """
    n = len(table)
    preds = predecessors(table)
    succs = [[] for _ in range(n)]
    indegree = np.zeros(n, dtype=np.int64)
    for b, ps in enumerate(preds):
        indegree[b] = len(ps)
        for a in ps:
            succs[a].append(b)
    ready = [i for i in range(n) if indegree[i] == 0]
    before = np.zeros((n, n), dtype=bool)  # before[b, a]: a -> b
    done = 0
    while ready:
        b = ready.pop()
        done += 1
        for a in preds[b]:
            before[b] |= before[a]
            before[b, a] = True
        for c in succs[b]:
            indegree[c] -= 1
            if indegree[c] == 0:
                ready.append(c)
    if done != n:
        raise AssertionError("the trace's happens-before graph has a cycle")
    return before.T.copy()


def vector_less(vectors):
    """[E,E] bool: V(a) < V(b), i.e. V(a) <= V(b) component-wise and V(a) != V(b)."""
    v = np.asarray(vectors, dtype=np.int64)
    le = np.all(v[:, None, :] <= v[None, :, :], axis=2)
    eq = np.all(v[:, None, :] == v[None, :, :], axis=2)
    return le & ~eq


def vector_mismatches(table, vectors, limit=5):
    """Pairs (a, b) where V(a) < V(b) disagrees with a -> b (at most `limit`)."""
    hb = happens_before(table)
    bad = np.argwhere(vector_less(vectors) != hb)
    return [(int(a), int(b), bool(hb[a, b])) for a, b in bad[:limit]], hb
