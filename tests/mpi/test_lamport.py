#!/usr/bin/env python3
"""Lamport clocks (Lamport 1978) on the "virtual machines with a clock rate"
scenario, checked on the recorded trace.

Oracles: the clock condition a -> b => L(a) < L(b), which follows from its
two parts (C1: L grows along each node's events; C2: a message's receive has
a larger timestamp than its send); every RECEIVE is the receive of exactly
one SEND; and the implementation rules IR1 (an event ticks the clock by 1)
and IR2 (a receive sets L = max(L, T_m) + 1, the smallest value IR2 allows).
The scenario: a machine ticking 6x slower than the others cannot keep up
with its queue (it takes one message per tick), the fast ones can.
"""
import unittest

import numpy as np

import clocklab_testlib as lab
from clocklab import causality
from clocklab import event_kinds

# Time unit 10 ms: a 1 s run is 100 time units.
BASE = """
[experiment]
algorithm = lamport
duration = 1s

[lamport]
time_unit = 10ms
"""


def load(path):
    (_, run), = lab.runs(path)
    table = run["events/table"][()]
    results = {k: run["results"][k][()] for k in run["results"]}
    return run, table, results


def previous_lamport(table):
    """For every row, the Lamport timestamp of the node's previous event (0 if first)."""
    prev = np.zeros(len(table), dtype=np.int64)
    for rows in causality.program_order(table).values():
        prev[rows[1:]] = table["lamport"][rows[:-1]].astype(np.int64)
    return prev


class LamportTraceMixin:
    """Assertions shared by the scenarios below; subclasses set cls.path."""

    def test_run_is_a_logical_clock_without_vectors(self):
        run, table, _ = load(self.path)
        self.assertEqual(run.attrs["family"], "logical_clock")
        self.assertEqual(run.attrs["status"], "complete")
        self.assertNotIn("vector", run["events"])
        self.assertGreater(len(table), 100)

    def test_every_receive_matches_exactly_one_send(self):
        _, table, _ = load(self.path)
        pairs = causality.message_pairs(table)
        self.assertEqual(len(pairs), int((table["kind"] == event_kinds(table).RECEIVE).sum()))
        self.assertGreater(len(pairs), 20)

    def test_receive_timestamp_exceeds_send(self):
        _, table, _ = load(self.path)
        for recv, send in causality.message_pairs(table).items():
            self.assertGreater(table["lamport"][recv], table["lamport"][send],
                               f"message {table['msg'][recv]}")

    def test_timestamps_strictly_grow_along_each_node(self):
        _, table, _ = load(self.path)
        for node, rows in causality.program_order(table).items():
            stamps = table["lamport"][rows].astype(np.int64)
            self.assertGreaterEqual(stamps[0], 1, f"node {node}")
            self.assertTrue(np.all(np.diff(stamps) > 0), f"node {node}")

    def test_clock_condition_on_every_pair(self):
        _, table, _ = load(self.path)
        before = causality.happens_before(table)
        a, b = np.nonzero(before)
        stamps = table["lamport"].astype(np.int64)
        self.assertTrue(np.all(stamps[a] < stamps[b]))

    def test_timestamps_follow_rules_ir1_and_ir2(self):
        _, table, _ = load(self.path)
        prev = previous_lamport(table)
        stamps = table["lamport"].astype(np.int64)
        local = table["kind"] != event_kinds(table).RECEIVE
        np.testing.assert_array_equal(stamps[local], prev[local] + 1)
        for recv, send in causality.message_pairs(table).items():
            self.assertEqual(stamps[recv], max(prev[recv], stamps[send]) + 1)


class RatesTest(LamportTraceMixin, unittest.TestCase):
    """Four machines, the last one ticking 6x slower, 2 ms injected delay."""

    @classmethod
    def setUpClass(cls):
        _, cls.path = lab.run_clocklab(4, BASE, sets=[
            "lamport.rate=values(6, 6, 6, 1)", "network.delay=uniform(0, 2ms)"])

    def test_rates_recorded_and_fast_machines_tick_more(self):
        _, _, results = load(self.path)
        np.testing.assert_array_equal(results["rate"], [6, 6, 6, 1])
        ticks = results["ticks"]
        self.assertTrue(np.all(ticks[:3] > 2 * ticks[3]), ticks)

    def test_slow_machine_falls_behind_its_queue(self):
        # Each fast machine sends to a given other one on 2 of 10 empty-queue
        # ticks, so the slow machine gets more than one message per tick.
        _, table, results = load(self.path)
        receive = event_kinds(table).RECEIVE
        slow_receives = int(((table["node"] == 3) & (table["kind"] == receive)).sum())
        self.assertGreater(slow_receives, 0.8 * results["ticks"][3])  # a message nearly every tick
        self.assertGreater(results["queue_left"][3], 5)
        self.assertGreater(results["max_queue"][3], results["max_queue"][:3].max())

    def test_one_event_per_tick_except_multicasts(self):
        # A tick is one receive, one internal event, one send, or (draw 3)
        # a send to each of the 3 others.
        _, table, results = load(self.path)
        for node in range(4):
            mine = table[table["node"] == node]
            events = len(mine)
            self.assertGreaterEqual(events, results["ticks"][node])
            self.assertLessEqual(events, 3 * results["ticks"][node])


    def test_sends_follow_the_ring_order(self):
        # Draw 1: the next node, draw 2: the one after, draw 3: all three
        # others in ring order, so a send to node+3 ends such a burst.
        _, table, _ = load(self.path)
        bursts = 0
        send = event_kinds(table).SEND
        for node, rows in causality.program_order(table).items():
            kinds, peers = table["kind"][rows], table["peer"][rows]
            for k in np.flatnonzero(kinds == send):
                step = (int(peers[k]) - node) % 4
                self.assertIn(step, (1, 2, 3))
                if step == 3:
                    bursts += 1
                    self.assertGreaterEqual(k, 2)
                    self.assertEqual(list(kinds[k - 2:k]), [send, send])
                    self.assertEqual([(int(p) - node) % 4 for p in peers[k - 2:k]], [1, 2])
        self.assertGreater(bursts, 0)


class DefaultRatesTest(LamportTraceMixin, unittest.TestCase):
    """Three machines with the default rate distribution, no injected delay."""

    @classmethod
    def setUpClass(cls):
        _, cls.path = lab.run_clocklab(3, BASE)

    def test_default_rates_in_range(self):
        _, _, results = load(self.path)
        self.assertTrue(np.all((results["rate"] >= 1) & (results["rate"] <= 6)))

    def test_sends_go_to_others(self):
        _, table, _ = load(self.path)
        sends = table[table["kind"] == event_kinds(table).SEND]
        self.assertTrue(np.all(sends["peer"] != sends["node"]))
        self.assertEqual(set(np.unique(sends["peer"])), {0, 1, 2})


class FixedTicksTest(LamportTraceMixin, unittest.TestCase):
    """duration = 0: every machine stops after [lamport] ticks."""

    @classmethod
    def setUpClass(cls):
        _, cls.path = lab.run_clocklab(3, BASE, sets=[
            "experiment.duration=0", "lamport.ticks=60", "lamport.rate=values(3, 2, 1)"])

    def test_each_machine_ticked_exactly(self):
        _, _, results = load(self.path)
        np.testing.assert_array_equal(results["ticks"], [60, 60, 60])


class ConfigErrorTest(unittest.TestCase):
    def test_duration_zero_needs_ticks(self):
        proc, _ = lab.run_clocklab(2, BASE, sets=["experiment.duration=0"], check=False)
        self.assertNotEqual(proc.returncode, 0)
        self.assertIn("[lamport] ticks", proc.stderr)


if __name__ == "__main__":
    unittest.main()
