#!/usr/bin/env python3
"""Build small synthetic clocklab/1 HDF5 files whose summary numbers are known.

Used by the analysis tests; run directly to write demo files for a look at the plots:

    PYTHONPATH=analysis /usr/bin/python3 tests/analysis/synthetic.py OUTDIR

Every expected number below follows from the construction, not from the
code under test.
"""

import os
import sys

import h5py
import numpy as np

from clocklab import schema

MS = 1e-3

# ---- sync.h5 / run000: Berkeley, 5 nodes --------------------------------
# Offsets go linearly from THETA (t=0) to FINAL (t=1), except while a node
# is down (then DOWN_VALUE). Node 3 crashes for good at 0.45 s (so its
# FINAL is never reached: it only sets the slope before the crash); node 4
# is down from 0.3 s to 0.6 s and is alive at the end.
SYNC_THETA = np.array([40.0, -60.0, 20.0, 90.0, -30.0]) * MS
SYNC_FINAL = np.array([1.0, -2.0, 0.5, 0.0, 2.5]) * MS
SYNC_CRASHED = np.array([np.nan, np.nan, np.nan, 0.45, 0.30])
SYNC_RECOVERED = np.array([np.nan, np.nan, np.nan, np.nan, 0.60])
SYNC_DOWN_VALUE = np.array([0, 0, 0, 500.0, -200.0]) * MS
SYNC_TYPES = ["poll", "reply", "adjust"]
SYNC_SENT = np.array([[10, 0, 10], [0, 10, 0], [0, 10, 0], [0, 4, 0], [0, 7, 0]])
# Alive at the end: nodes 0, 1, 2, 4 -> finals 1, -2, 0.5, 2.5 ms.
SYNC_FINAL_SKEW = 4.5 * MS
# Node 3 is alive at t=0 with |90 ms|; its 500 ms come only after its crash.
SYNC_MAX_ABS = 90.0 * MS
SYNC_MESSAGES = 51

# ---- sync.h5 / run001: Bully, 5 nodes, no clock group -------------------
# Nodes 3 and 4 crash for good; both still "believe" in 4. Of the alive
# nodes, 0 and 1 believe in 2 and node 2 is undecided (-1).
BULLY_CRASHED = np.array([np.nan, np.nan, np.nan, 0.20, 0.10])
BULLY_LEADER = np.array([2, 2, -1, 4, 4])
BULLY_HISTORY = [  # (node, time, leader)
    (0, 0.01, 4), (1, 0.01, 4), (2, 0.01, 4), (3, 0.01, 4), (4, 0.00, 4),
    (0, 0.25, -1), (1, 0.25, -1), (2, 0.25, -1),
    (0, 0.40, 2), (1, 0.41, 2),
]
BULLY_TYPES = ["election", "ok", "coordinator"]
BULLY_SENT = np.array([[4, 0, 0], [3, 1, 0], [2, 2, 4], [0, 0, 0], [0, 0, 4]])
BULLY_EXPECTED_LEADER = 2
BULLY_MESSAGES = 20

# ---- combo.h5 / run000: bully+berkeley, 3 nodes, everything -------------
COMBO_FINAL = np.array([0.2, -0.1, 0.4]) * MS
COMBO_FINAL_SKEW = 0.5 * MS
COMBO_MAX_ABS = 25.0 * MS
COMBO_LEADER = 2
COMBO_MESSAGES = 9

# ---- logical.h5: run000 lamport, run001 vector, run002 berkeley ---------
# One hand-made execution of 3 nodes, used twice. Rows in the file are in
# this (mixed) order; (node, seq, kind, peer, msg, lamport, time, vector):
#   VM 1 sends m1 to VM2, has an internal event, receives m3, sends m4
#   VM2: internal event, receives m1, sends m2 to VM3
#   VM3: internal event, receives m2, sends m3 to VM 1; m4 is never received
# Lamport timestamps follow IR1/IR2 by hand; vectors by Fidge/Mattern by hand.
# msg k stands for the message id LOGICAL_MSG[k] (clocklab's encoding: the
# sender's first, second, ... message).
SEND, RECEIVE, INTERNAL = (schema.EVENT_KINDS[k] for k in ("SEND", "RECEIVE", "INTERNAL"))
LOGICAL_LABELS = ["VM 1", "VM2", "VM3"]
LOGICAL_ROWS = [
    (0, 0, SEND, 1, 1, 1, 0.10, [1, 0, 0]),
    (1, 0, INTERNAL, -1, 0, 1, 0.15, [0, 1, 0]),
    (1, 1, RECEIVE, 0, 1, 2, 0.20, [1, 2, 0]),
    (1, 2, SEND, 2, 2, 3, 0.25, [1, 3, 0]),
    (2, 0, INTERNAL, -1, 0, 1, 0.12, [0, 0, 1]),
    (2, 1, RECEIVE, 1, 2, 4, 0.30, [1, 3, 2]),
    (2, 2, SEND, 0, 3, 5, 0.35, [1, 3, 3]),
    (0, 1, INTERNAL, -1, 0, 2, 0.18, [2, 0, 0]),
    (0, 2, RECEIVE, 2, 3, 6, 0.40, [3, 3, 3]),
    (0, 3, SEND, 1, 4, 7, 0.45, [4, 3, 3]),
]
#: msg k of LOGICAL_ROWS -> (sender node, its message number): m1 and m4 are
#: VM 1's first and second messages, m2 VM2's first, m3 VM3's first.
LOGICAL_MSG = {1: (0, 1), 2: (1, 1), 3: (2, 1), 4: (0, 2)}


def message_id(sender, k):
    """clocklab's message id of the k-th message of node ``sender`` (docs/schema.md,
    events/table): (sender + 1) << 40 | k."""
    return ((sender + 1) << 40) | k


# Clock jump at each receive, L(receive) - L(node's previous event) - 1:
# m1 at VM2: 2-1-1 = 0; m2 at VM3: 4-1-1 = 2; m3 at VM 1: 6-2-1 = 3.
LOGICAL_JUMPS = {(1, 0.20): 0, (2, 0.30): 2, (0, 0.40): 3}
# Messages sent to the node and not yet received, as (time, length) steps.
LOGICAL_QUEUE = {0: [(0.35, 1), (0.40, 0)], 1: [(0.10, 1), (0.20, 0), (0.45, 1)],
                 2: [(0.25, 1), (0.30, 0)]}
LOGICAL_RATE = [1.0, 2.0, 3.0]

ROUND_DTYPE = np.dtype([("node", "<i4"), ("round", "<i4"), ("time", "<f8"), ("rtt", "<f8"),
                        ("estimated_offset", "<f8"), ("true_offset", "<f8"),
                        ("adjustment", "<f8"), ("excluded", "i1")])
HISTORY_DTYPE = np.dtype([("node", "<i4"), ("time", "<f8"), ("leader", "<i4")])


def event_dtype():
    """events/table compound with an HDF5 enum for ``kind``."""
    kind = h5py.enum_dtype(schema.EVENT_KINDS, basetype="i4")
    return np.dtype([("node", "<i4"), ("seq", "<u8"), ("kind", kind), ("peer", "<i4"),
                     ("type", "<i4"), ("msg", "<u8"), ("lamport", "<u8"),
                     ("local_time", "<f8"), ("time", "<f8")])


def write_root(f, name=schema.SCHEMA, fixed_length=False):
    """Root attributes of a clocklab/1 file."""
    f.attrs["schema"] = np.bytes_(name) if fixed_length else name
    for key, value in (("software", "clocklab"), ("version", "0.0.0-test"),
                       ("git_commit", "0000000"), ("created", "2024-01-01T00:00:00Z"),
                       ("command_line", "synthetic"), ("mpi_library", "none"),
                       ("hdf5_version", h5py.version.hdf5_version), ("hosts", "localhost")):
        f.attrs[key] = value
    f.attrs["nranks"] = np.int32(5)


def write_run_attrs(g, algorithm, family, nodes, status="complete", duration=1.0):
    """Attributes of a /runs/<run> group."""
    g.attrs.update({"algorithm": algorithm, "family": family, "nodes": np.int32(nodes),
                    "seed": np.int64(42), "status": status, "config": "[experiment]\n",
                    "wall_time": 1.25, "duration": duration})


def with_units(ds, units):
    """Set a dataset's units attribute and return it."""
    ds.attrs["units"] = units
    return ds


def write_nodes(g, theta, crashed, recovered=None, labels=None, vlen_labels=False):
    """nodes/ group; labels fixed-length unless ``vlen_labels``."""
    n = len(theta)
    nodes = g.create_group("nodes")
    with_units(nodes.create_dataset("initial_offset", data=theta), "s")
    with_units(nodes.create_dataset("drift", data=np.linspace(-20, 20, n)), "ppm")
    with_units(nodes.create_dataset("crashed_at", data=crashed), "s")
    if recovered is not None:
        with_units(nodes.create_dataset("recovered_at", data=recovered), "s")
    if labels is not None:
        if vlen_labels:
            nodes.create_dataset("label", data=labels, dtype=h5py.string_dtype())
        else:
            nodes.create_dataset("label", data=np.array([s.encode() for s in labels],
                                                        dtype="S16"))


def linear_offsets(times, theta, final):
    """[S,N] offsets going linearly from theta at t=0 to final at t=1."""
    return theta[None, :] + (final - theta)[None, :] * times[:, None]


def apply_downtime(times, offsets, crashed, recovered, value):
    """Overwrite samples taken while a node is down with ``value``."""
    for i in range(offsets.shape[1]):
        if np.isfinite(crashed[i]):
            stop = recovered[i] if np.isfinite(recovered[i]) else np.inf
            offsets[(times >= crashed[i]) & (times < stop), i] = value[i]
    return offsets


def write_clock(g, times, offsets, rounds=None):
    """clock/ group."""
    clock = g.create_group("clock")
    with_units(clock.create_dataset("time", data=times), "s")
    with_units(clock.create_dataset("offset", data=offsets), "s")
    if rounds is not None:
        clock.create_dataset("rounds", data=rounds)


def write_messages(g, types, sent):
    """messages/ group; received = sent, 16 bytes per message, nothing dropped."""
    msgs = g.create_group("messages")
    msgs.create_dataset("types", data=np.array([t.encode() for t in types], dtype="S16"))
    sent = np.asarray(sent, dtype="<u8")
    msgs.create_dataset("sent", data=sent)
    msgs.create_dataset("received", data=sent)
    with_units(msgs.create_dataset("bytes_sent", data=sent * 16),
               schema.DATASET_UNITS["messages/bytes_sent"])
    msgs.create_dataset("dropped", data=np.zeros_like(sent))


def write_election(g, leader, decided, history=None, ids=None):
    """election/ group."""
    e = g.create_group("election")
    n = len(leader)
    e.create_dataset("ids", data=np.asarray(ids if ids is not None else np.arange(n), "<i4"))
    e.create_dataset("leader", data=np.asarray(leader, "<i4"))
    with_units(e.create_dataset("decided_at", data=np.asarray(decided, float)), "s")
    if history is not None:
        e.create_dataset("history", data=np.array(history, dtype=HISTORY_DTYPE))


def berkeley_rounds():
    """Three rounds of 4 rows each, one excluded reading."""
    rows = []
    for r, t in enumerate((0.1, 0.4, 0.7)):
        for node in (1, 2, 3, 4):
            rows.append((node, r, t + 0.001 * node, 2e-4, 0.01, 0.011, -0.01,
                         1 if (r == 1 and node == 3) else 0))
    return np.array(rows, dtype=ROUND_DTYPE)


def write_sync_file(path):
    """sync.h5: run000 (Berkeley, crashes/recovery) and run001 (Bully, no clock)."""
    with h5py.File(path, "w") as f:
        write_root(f)
        g = f.create_group("runs/run000")
        write_run_attrs(g, "berkeley", "clock_sync", 5)
        write_nodes(g, SYNC_THETA, SYNC_CRASHED, SYNC_RECOVERED,
                    labels=["master", "", "b", "", ""])
        times = np.linspace(0.0, 1.0, 101)
        offsets = linear_offsets(times, SYNC_THETA, SYNC_FINAL)
        apply_downtime(times, offsets, SYNC_CRASHED, SYNC_RECOVERED, SYNC_DOWN_VALUE)
        write_clock(g, times, offsets, berkeley_rounds())
        write_messages(g, SYNC_TYPES, SYNC_SENT)

        g = f.create_group("runs/run001")
        write_run_attrs(g, "bully", "election", 5, duration=0.5)
        write_nodes(g, np.zeros(5), BULLY_CRASHED, np.full(5, np.nan))
        write_messages(g, BULLY_TYPES, BULLY_SENT)
        write_election(g, BULLY_LEADER, [0.40, 0.41, np.nan, 0.01, 0.0], BULLY_HISTORY)


def write_combo_file(path):
    """combo.h5: one bully+berkeley run with clock, messages, election, events.

    Uses the other string flavours: fixed-length schema attribute,
    variable-length labels, no recovered_at dataset.
    """
    with h5py.File(path, "w") as f:
        write_root(f, fixed_length=True)
        g = f.create_group("runs/run000")
        write_run_attrs(g, "bully+berkeley", "election+clock_sync", 3, status="interrupted")
        theta = np.array([-25.0, 10.0, 5.0]) * MS
        write_nodes(g, theta, np.full(3, np.nan), labels=["a", "b", "c"], vlen_labels=True)
        times = np.linspace(0.0, 1.0, 21)
        offsets = linear_offsets(times, theta, COMBO_FINAL)
        offsets = np.vstack([offsets, np.full((1, 3), np.nan)])  # unfinished last row
        write_clock(g, np.append(times, 1.05), offsets)
        write_messages(g, ["election", "coordinator", "poll"], [[0, 0, 1], [1, 0, 1], [2, 2, 2]])
        write_election(g, [2, 2, 2], [0.02, 0.02, 0.01], [(0, 0.02, 2), (1, 0.02, 2),
                                                          (2, 0.01, 2)])
        events = g.create_group("events")
        table = np.zeros(2, dtype=event_dtype())
        msg = message_id(2, 1)
        table[0] = (2, 0, SEND, 0, 1, msg, 1, 0.01, 0.01)
        table[1] = (0, 0, RECEIVE, 2, 1, msg, 2, 0.02, 0.02)
        events.create_dataset("table", data=table)


def write_foreign_file(path):
    """An HDF5 file that is not clocklab/1 (schema of another program)."""
    with h5py.File(path, "w") as f:
        f.attrs["schema"] = "otherlab/2"
        f.create_dataset("x", data=np.arange(3))


def logical_table():
    """events/table of the hand-made execution (LOGICAL_ROWS)."""
    table = np.zeros(len(LOGICAL_ROWS), dtype=event_dtype())
    for i, (node, seq, kind, peer, msg, lamport, t, _) in enumerate(LOGICAL_ROWS):
        msg_id = message_id(*LOGICAL_MSG[msg]) if msg else 0
        table[i] = (node, seq, kind, peer, 0 if msg else -1, msg_id, lamport, t + 0.01, t)
    return table


def logical_vectors():
    """events/vector of the hand-made execution, [E, 3] u4."""
    return np.array([row[-1] for row in LOGICAL_ROWS], dtype="<u4")


def write_logical_file(path):
    """logical.h5: run000 lamport (no vectors, results), run001 vector, run002 berkeley."""
    with h5py.File(path, "w") as f:
        write_root(f)
        for name, algorithm, vectors in (("run000", "lamport", False),
                                         ("run001", "vector", True)):
            g = f.create_group(f"runs/{name}")
            write_run_attrs(g, algorithm, "logical_clock", 3, duration=0.5)
            write_nodes(g, np.zeros(3), np.full(3, np.nan), labels=LOGICAL_LABELS)
            write_messages(g, ["MSG"], [[2], [1], [1]])
            events = g.create_group("events")
            with_units(events.create_dataset("table", data=logical_table()),
                       ";".join(f"{k}={u}" for k, u in schema.FIELD_UNITS["events/table"].items()))
            if vectors:
                events.create_dataset("vector", data=logical_vectors())
            else:
                results = g.create_group("results")
                results.create_dataset("rate", data=np.array(LOGICAL_RATE))
                results.create_dataset("max_queue", data=np.array([1.0, 1.0, 1.0]))
        g = f.create_group("runs/run002")  # no events: nothing to export
        write_run_attrs(g, "berkeley", "clock_sync", 2)
        write_nodes(g, np.zeros(2), np.full(2, np.nan))
        write_messages(g, ["poll"], [[1], [0]])


# ---- labelled.h5: run000 bully, run001 raffle, nodes labelled P1..P5 ----
# Bully: node 4 (P5) crashes at 0.1 s; the others believe in node 3, P4.
# Raffle: every node draws node 2, P3. run002: the same bully run without labels.
LABELS = ["P1", "P2", "P3", "P4", "P5"]
LABELLED_LEADER = 3
LABELLED_WINNER = 2


def write_labelled_file(path):
    """labelled.h5: a bully and a raffle run whose nodes are named P1..P5,
    and run002, the bully run without labels."""
    with h5py.File(path, "w") as f:
        write_root(f)
        for name, labels in (("run000", LABELS), ("run002", None)):
            g = f.create_group(f"runs/{name}")
            write_run_attrs(g, "bully", "election", 5, duration=0.5)
            write_nodes(g, np.zeros(5), np.array([np.nan] * 4 + [0.1]), np.full(5, np.nan),
                        labels=labels)
            write_messages(g, BULLY_TYPES, BULLY_SENT)
            write_election(g, [3, 3, 3, 3, 4], [0.3, 0.3, 0.3, 0.2, 0.0],
                           [(n, 0.0, 4) for n in range(5)] + [(n, 0.2 + 0.1 * (n < 3), 3)
                                                              for n in range(4)])
        g = f.create_group("runs/run001")
        write_run_attrs(g, "tom", "multicast", 5)
        write_nodes(g, np.zeros(5), np.full(5, np.nan), labels=LABELS)
        write_messages(g, ["MULTICAST"], [[4]] * 5)
        results = g.create_group("results")
        results.create_dataset("raffle_winner", data=np.full(5, float(LABELLED_WINNER)))


if __name__ == "__main__":
    outdir = sys.argv[1] if len(sys.argv) > 1 else "."
    os.makedirs(outdir, exist_ok=True)
    write_sync_file(os.path.join(outdir, "sync.h5"))
    write_combo_file(os.path.join(outdir, "combo.h5"))
    write_logical_file(os.path.join(outdir, "logical.h5"))
    write_labelled_file(os.path.join(outdir, "labelled.h5"))
    print(f"wrote {outdir}/sync.h5, {outdir}/combo.h5, {outdir}/logical.h5 and "
          f"{outdir}/labelled.h5")
