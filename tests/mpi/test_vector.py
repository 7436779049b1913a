#!/usr/bin/env python3
"""Vector clocks (Fidge 1988, Mattern 1988), checked on the recorded trace.

Oracle: V(a) < V(b) exactly when a -> b, for every pair of events, where
happens-before is rebuilt from events/table alone (program order by seq,
message edges SEND -> RECEIVE by msg id, transitive closure) and never from
the clocks. Also: V_i[i] after the k-th event of node i (k from 1) is k, the
separate Lamport scalar satisfies the clock condition, and concurrent pairs
exist (else the equivalence would be checked on a total order only).
"""
import unittest

import numpy as np

import clocklab_testlib as lab
from clocklab import causality
from clocklab import event_kinds

BASE = """
[experiment]
algorithm = vector
duration = 0

[network]
delay = uniform(0, 3ms)

[vector]
interval = uniform(2ms, 10ms)
internal = 0.2
rounds = 40
"""


def load(path):
    (_, run), = lab.runs(path)
    return run, run["events/table"][()], run["events/vector"][()]


class VectorTraceMixin:
    """Assertions shared by the scenarios below; subclasses set cls.path."""

    def test_one_uint32_vector_entry_per_event_and_node(self):
        run, table, vectors = load(self.path)
        self.assertEqual(run.attrs["family"], "logical_clock")
        self.assertEqual(run.attrs["status"], "complete")
        self.assertEqual(vectors.shape, (len(table), 4))
        self.assertEqual(vectors.dtype, np.uint32)

    def test_vector_order_is_happens_before(self):
        _, table, vectors = load(self.path)
        bad, before = causality.vector_mismatches(table, vectors)
        self.assertEqual(bad, [], "(a, b, a->b) where V(a) < V(b) disagrees")
        self.assertGreater(int(before.sum()), len(table))

    def test_concurrent_pairs_exist(self):
        _, table, vectors = load(self.path)
        before = causality.happens_before(table)
        concurrent = ~before & ~before.T & ~np.eye(len(table), dtype=bool)
        self.assertGreater(int(concurrent.sum()) // 2, 100)
        # ... and the vectors see them as such: neither V(a) < V(b) nor V(b) < V(a)
        less = causality.vector_less(vectors)
        self.assertTrue(np.all(~less[concurrent]))

    def test_own_entry_counts_own_events(self):
        _, table, vectors = load(self.path)
        for node, rows in causality.program_order(table).items():
            np.testing.assert_array_equal(vectors[rows, node], np.arange(1, len(rows) + 1))

    def test_lamport_scalar_clock_condition(self):
        _, table, _ = load(self.path)
        a, b = np.nonzero(causality.happens_before(table))
        stamps = table["lamport"].astype(np.int64)
        self.assertTrue(np.all(stamps[a] < stamps[b]))

    def test_every_receive_matches_exactly_one_send(self):
        _, table, _ = load(self.path)
        pairs = causality.message_pairs(table)
        self.assertEqual(len(pairs), int((table["kind"] == event_kinds(table).RECEIVE).sum()))
        self.assertGreater(len(pairs), 30)

    def test_checker_catches_a_wrong_vector(self):
        # The oracle must be able to fail: a receive that forgot the
        # sender's entry (the send happens before it, V(send) < V(receive) no more).
        _, table, vectors = load(self.path)
        recv, send = next(iter(causality.message_pairs(table).items()))
        wrong = vectors.copy()
        wrong[recv, table["node"][send]] = 0
        bad, _ = causality.vector_mismatches(table, wrong, limit=len(table) ** 2)
        self.assertIn((send, recv, True), bad)
        self.assertTrue(all(recv in (a, b) for a, b, _ in bad))


class DirectTest(VectorTraceMixin, unittest.TestCase):
    """Four nodes that all are clients, sending straight to each other."""

    @classmethod
    def setUpClass(cls):
        _, cls.path = lab.run_clocklab(4, BASE)

    def test_each_client_has_40_sends_or_internal_events(self):
        # rounds = 40 timer events per client: each a send or an internal event.
        _, table, _ = load(self.path)
        kinds = event_kinds(table)
        for node in range(4):
            mine = table[table["node"] == node]
            own = int(np.isin(mine["kind"], (kinds.SEND, kinds.INTERNAL)).sum())
            self.assertEqual(own, 40)
        self.assertGreater(int((table["kind"] == kinds.INTERNAL).sum()), 0)


class RelayTest(VectorTraceMixin, unittest.TestCase):
    """The demo's message server: node 0 relays every message between clients."""

    @classmethod
    def setUpClass(cls):
        _, cls.path = lab.run_clocklab(4, BASE, sets=["vector.relay=0"])

    def test_messages_go_through_the_server(self):
        _, table, _ = load(self.path)
        clients = table["node"] != 0
        sends = table[clients & (table["kind"] == event_kinds(table).SEND)]
        self.assertTrue(np.all(sends["peer"] == 0))
        receives = table[clients & (table["kind"] == event_kinds(table).RECEIVE)]
        self.assertTrue(np.all(receives["peer"] == 0))
        server = table[~clients]
        self.assertFalse(np.any(server["kind"] == event_kinds(table).INTERNAL))
        # the server forwards each message it receives right after receiving it
        rows = causality.program_order(table)[0]
        kinds = table["kind"][rows]
        self.assertEqual(list(kinds[0::2]), [event_kinds(table).RECEIVE] * len(kinds[0::2]))
        self.assertEqual(list(kinds[1::2]), [event_kinds(table).SEND] * len(kinds[1::2]))


class ConfigErrorTest(unittest.TestCase):
    def test_relay_must_exist(self):
        proc, _ = lab.run_clocklab(2, BASE, sets=["vector.relay=5"], check=False)
        self.assertNotEqual(proc.returncode, 0)
        self.assertIn("[vector] relay", proc.stderr)


if __name__ == "__main__":
    unittest.main()
