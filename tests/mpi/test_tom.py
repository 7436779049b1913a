#!/usr/bin/env python3
"""Totally ordered multicast ("tom", the raffle), checked on the HDF5 trace.

Oracles (Lamport 1978; Coulouris et al., totally ordered multicast; van
Steen & Tanenbaum 6.2):
  * every node delivers the same sequence, and it is the (timestamp, sender)
    order of the multicasts; every multicast is delivered exactly once;
  * the Lamport clock condition a -> b => L(a) < L(b) on SEND/RECEIVE rows;
  * n-1 MULTICAST and (n-1)^2 ACK messages per multicast: n(n-1) in all;
  * every node names the same raffle winner, the one drawn from the sequence.
The runs inject random delays so that arrival orders differ between nodes;
the test checks that some node received multicasts in an order other than
the delivery order (otherwise agreement would be trivial).
"""
import os
import sys
import unittest

import numpy as np

import clocklab_testlib as tl
from clocklab import event_kinds
from clocklab.causality import node_rows

TICKETS = 4
SEEDS_PER_N = 2
DELAYS = ("uniform(0, 5ms)", "exponential(2ms)")


def config(delay, tickets=TICKETS, seed=7):
    return f"""
[experiment]
algorithm = tom
duration = 0
timeout = 60s
seed = {seed}
repeat = {SEEDS_PER_N}

[network]
delay = {delay}

[tom]
tickets = {tickets}
interval = uniform(0, 4ms)
"""


def fnv1a64(sequence):
    """FNV-1a 64 over (ts as 8 bytes, sender as 4 bytes, little-endian) per message."""
    h = 0xcbf29ce484222325
    for ts, sender in sequence:
        for byte in int(ts).to_bytes(8, "little") + int(sender).to_bytes(4, "little"):
            h = ((h ^ byte) * 0x100000001b3) & 0xFFFFFFFFFFFFFFFF
    return h


types_of = tl.type_names


class Trace:
    """The events/table of one tom run, split per node in seq order."""

    def __init__(self, run, n):
        self.n = n
        names = types_of(run)
        self.MC, self.ACK = names.index("MULTICAST"), names.index("ACK")
        table = run["events/table"][()]
        self.kinds = event_kinds(table)  # SEND, RECEIVE, DELIVER as the file's enum has them
        self.rows = [table[node_rows(table, node)] for node in range(n)]
        self.multicasts = self._multicasts()

    def _multicasts(self):
        """canonical id -> (ts, sender, [copy ids]); copy id -> canonical id.

        A multicast's id is its copy to the lowest-numbered other node; its
        timestamp is the Lamport time of that copy's SEND row; the other
        copies are the sender's following SEND MULTICAST rows."""
        self.copy_of = {}
        mcs = {}
        for node in range(self.n):
            first_peer = 1 if node == 0 else 0
            current = None
            for row in self.rows[node]:
                if row["kind"] != self.kinds.SEND or row["type"] != self.MC:
                    continue
                if row["peer"] == first_peer:
                    current = int(row["msg"])
                    mcs[current] = (int(row["lamport"]), node, [])
                mcs[current][2].append(int(row["peer"]))
                self.copy_of[int(row["msg"])] = current
        return mcs

    def delivered(self, node):
        rows = self.rows[node]
        return rows[rows["kind"] == self.kinds.DELIVER]

    def received_multicasts(self, node):
        rows = self.rows[node]
        rows = rows[(rows["kind"] == self.kinds.RECEIVE) & (rows["type"] == self.MC)]
        return [self.copy_of[int(m)] for m in rows["msg"]]


class TotallyOrderedMulticastTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.results = []  # (n, run name, h5 group)
        for k, n in enumerate(range(3, 9)):
            _, path = tl.run_clocklab(n, config(DELAYS[k % 2], seed=11 * n))
            for name, run in tl.runs(path):
                cls.results.append((n, name, run))

        cls.traces = [Trace(run, n) for n, _, run in cls.results]

    def for_each_run(self, check):
        """Call check(n, run, trace) for every run, each under its own subTest."""
        for (n, name, run), tr in zip(self.results, self.traces):
            with self.subTest(n=n, run=name, seed=int(run.attrs["seed"])):
                check(n, run, tr)

    def test_runs_complete_with_duration_zero(self):
        self.assertEqual(len(self.results), 6 * SEEDS_PER_N)

        def check(n, run, _):
            self.assertEqual(run.attrs["status"], "complete")
            self.assertEqual(run.attrs["family"], "logical_clock")

        self.for_each_run(check)

    def test_every_multicast_goes_to_all_others(self):
        def check(n, run, tr):
            self.assertEqual(len(tr.multicasts), n * TICKETS)
            for ts, sender, peers in tr.multicasts.values():
                self.assertEqual(sorted(peers), [i for i in range(n) if i != sender])

        self.for_each_run(check)

    def test_same_sequence_in_timestamp_order_each_once(self):
        def check(n, run, tr):
            expected = sorted(tr.multicasts, key=lambda m: tr.multicasts[m][:2])
            for node in range(n):
                rows = tr.delivered(node)
                seq = [int(m) for m in rows["msg"]]
                self.assertEqual(seq, expected, f"node {node}")
                # DELIVER rows carry the message's timestamp and sender
                self.assertEqual([(int(r["lamport"]), int(r["peer"])) for r in rows],
                                 [tr.multicasts[m][:2] for m in seq])

        self.for_each_run(check)

    def test_lamport_clock_condition_holds(self):
        def check(n, run, tr):
            sends = {}
            for node in range(n):
                rows = tr.rows[node]
                clocked = rows[rows["kind"] != tr.kinds.DELIVER]
                self.assertTrue(np.all(np.diff(clocked["lamport"].astype(np.int64)) > 0),
                                f"node {node}: Lamport times not increasing")
                for r in rows[rows["kind"] == tr.kinds.SEND]:
                    sends[int(r["msg"])] = int(r["lamport"])
            for node in range(n):
                rows = tr.rows[node]
                for r in rows[rows["kind"] == tr.kinds.RECEIVE]:
                    self.assertGreater(int(r["lamport"]), sends[int(r["msg"])])

        self.for_each_run(check)

    def test_message_counts_match_multicasts_and_acks_per_node(self):
        def check(n, run, tr):
            names = types_of(run)
            sent, received = run["messages/sent"][()], run["messages/received"][()]
            mc, ack = names.index("MULTICAST"), names.index("ACK")
            # per node: T(n-1) MULTICAST and T(n-1)^2 ACK, both ways
            for counts in (sent, received):
                self.assertEqual(counts[:, mc].tolist(), [TICKETS * (n - 1)] * n)
                self.assertEqual(counts[:, ack].tolist(), [TICKETS * (n - 1) ** 2] * n)
            self.assertEqual(int(sent.sum()), n * TICKETS * n * (n - 1))  # n(n-1) each

        self.for_each_run(check)

    def test_raffle_winner_agreed_and_drawn_from_sequence(self):
        def check(n, run, tr):
            winners = run["results/raffle_winner"][()]
            self.assertEqual(run["results/delivered"][()].tolist(), [n * TICKETS] * n)
            rows = tr.delivered(0)
            seq = [(int(r["lamport"]), int(r["peer"])) for r in rows]
            draw = seq[fnv1a64(seq) % len(seq)][1]
            self.assertEqual(winners.tolist(), [draw] * n)

        self.for_each_run(check)

    def test_not_vacuous_arrival_order_differs(self):
        """Some node received other nodes' multicasts out of delivery order."""
        reordered = []

        def check(n, run, tr):
            for node in range(n):
                arrived = tr.received_multicasts(node)
                delivered = [int(m) for m in tr.delivered(node)["msg"]]
                delivered = [m for m in delivered if tr.multicasts[m][1] != node]
                self.assertEqual(sorted(arrived), sorted(delivered))
                reordered.append(arrived != delivered)

        self.for_each_run(check)
        print(f"\n{sum(reordered)} of {len(reordered)} node-runs received multicasts out of "
              "delivery order", file=sys.stderr)
        self.assertGreater(sum(reordered), 0)


class ConfigurationTest(unittest.TestCase):
    def test_lossy_network_is_rejected(self):
        proc, path = tl.run_clocklab(3, config("constant(0)") + "\n", check=False,
                                     sets=["network.loss=0.1"])
        self.assertNotEqual(proc.returncode, 0)
        self.assertIn("loss", proc.stderr)
        self.assertFalse(os.path.exists(path))


if __name__ == "__main__":
    unittest.main()
