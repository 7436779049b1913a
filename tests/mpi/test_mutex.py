#!/usr/bin/env python3
"""Mutual exclusion, checked on mutex/sections and the message counters.

Oracles (Coulouris et al. 15.2; Ricart & Agrawala 1981; Lamport 1978;
Suzuki & Kasami 1985):
* safety: no two critical sections overlap in reference time, from the
  table alone (sorted by entry, each one is entered after the previous one
  was left);
* liveness: every node made every request, entered and left each one,
  in order (requested <= entered <= exited);
* messages, exactly, without failures: mutex_central 3 per entry (the
  coordinator never asks); ricart_agrawala 2(n-1); lamport_mutex 3(n-1);
  suzuki_kasami n per entry made without the token in hand (results
  free_entries): (n-1) REQUEST and 1 TOKEN; token_ring: the TOKEN messages
  are the token's final hop count, entry k of node i happens at a hop
  count h = i (mod n), and with every node always asking (interval 0) one
  message per entry: n*entries - 1 in all;
* ricart_agrawala and lamport_mutex enter in (Lamport timestamp, node)
  order; mutex_central in grant order 1, 2, ...
Random delays make the arrival orders differ between nodes. Every check
runs on 4 ranks in real time and on 16 nodes of one rank in virtual time.
"""
import unittest

import numpy as np

import clocklab_testlib as lab

NODES = 4
ENTRIES = 6
ALGORITHMS = ("mutex_central", "ricart_agrawala", "lamport_mutex", "token_ring", "suzuki_kasami")


def config(algorithms, interval, delay, virtual_nodes=0):
    text = f"""
[experiment]
algorithm = {", ".join(algorithms)}
duration = 0
timeout = 60s
seed = 11
"""
    if virtual_nodes:
        text += f"time = virtual\nnodes = {virtual_nodes}\n"
    text += f"""

[network]
delay = {delay}
"""
    for a in algorithms:
        text += f"""
[{a}]
entries = {ENTRIES}
interval = {interval}
hold = uniform(0.2ms, 1ms)
"""
    return text


def sections(run):
    s = run["mutex/sections"][()]
    return s[np.argsort(s["entered"], kind="stable")]


class Mutex(unittest.TestCase):
    """NODES ranks in real time."""
    nodes = NODES
    virtual = False

    @classmethod
    def launch(cls, algorithms, interval):
        v = cls.nodes if cls.virtual else 0
        _, path = lab.run_clocklab(1 if cls.virtual else cls.nodes,
                                   config(algorithms, interval, "uniform(0, 2ms)", v))
        return [run for _, run in lab.runs(path)]

    @classmethod
    def setUpClass(cls):
        cls.runs = {run.attrs["algorithm"]: run
                    for run in cls.launch(ALGORITHMS, "exponential(2ms)")}
        (cls.saturated,) = cls.launch(["token_ring"], "constant(0)")

    def requesters(self, name):
        return [i for i in range(self.nodes) if not (name == "mutex_central" and i == 0)]

    def test_runs_complete_with_every_message_delivered(self):
        for name, run in self.runs.items():
            self.assertEqual(run.attrs["status"], "complete", name)
            self.assertEqual(run.attrs["family"], "mutual_exclusion")
            sent = run["messages/sent"][()].sum(axis=0)
            received = run["messages/received"][()].sum(axis=0)
            np.testing.assert_array_equal(sent, received, err_msg=name)

    def test_no_two_critical_sections_overlap(self):
        for name, run in list(self.runs.items()) + [("saturated", self.saturated)]:
            s = sections(run)
            gaps = s["entered"][1:] - s["exited"][:-1]
            self.assertTrue(np.all(gaps >= 0), f"{name}: sections overlap by "
                            f"{-gaps.min() * 1e6:.1f} us")

    def test_every_request_is_entered_and_left_in_order(self):
        for name, run in self.runs.items():
            s = run["mutex/sections"][()]
            for i in range(self.nodes):
                mine = np.sort(s[s["node"] == i], order="seq")
                want = ENTRIES if i in self.requesters(name) else 0
                self.assertEqual(len(mine), want, f"{name}: node {i}")
                np.testing.assert_array_equal(mine["seq"], np.arange(want))
                self.assertTrue(np.all(mine["requested"] <= mine["entered"]), name)
                self.assertTrue(np.all(mine["entered"] <= mine["exited"]), name)
                self.assertTrue(np.all(mine["exited"][:-1] <= mine["requested"][1:]), name)

    def counts(self, name):
        return lab.message_counts(self.runs[name])

    def test_central_sends_3_per_entry_in_grant_order(self):
        entries = (self.nodes - 1) * ENTRIES
        self.assertEqual(self.counts("mutex_central"),
                         {"REQUEST": entries, "GRANT": entries, "RELEASE": entries})
        s = sections(self.runs["mutex_central"])
        np.testing.assert_array_equal(s["stamp"], np.arange(1, entries + 1))

    def test_ricart_agrawala_sends_2n_minus_2_per_entry(self):
        e = self.nodes * ENTRIES
        self.assertEqual(self.counts("ricart_agrawala"),
                         {"REQUEST": (self.nodes - 1) * e, "REPLY": (self.nodes - 1) * e})

    def test_lamport_mutex_sends_3n_minus_3_per_entry(self):
        e = self.nodes * ENTRIES
        self.assertEqual(self.counts("lamport_mutex"), {"REQUEST": (self.nodes - 1) * e,
                                                        "REPLY": (self.nodes - 1) * e,
                                                        "RELEASE": (self.nodes - 1) * e})

    def test_entries_in_lamport_timestamp_order(self):
        for name in ("ricart_agrawala", "lamport_mutex"):
            s = sections(self.runs[name])
            order = list(zip(s["stamp"].tolist(), s["node"].tolist()))
            self.assertEqual(order, sorted(order), name)
            self.assertEqual(len(set(order)), len(order), name)

    def test_arrival_orders_differ(self):
        """Some request was entered in a different order than it was made."""
        s = sections(self.runs["ricart_agrawala"])
        self.assertFalse(np.all(np.diff(s["requested"]) >= 0))

    def test_token_ring_sends_one_message_per_hop(self):
        for run in (self.runs["token_ring"], self.saturated):
            s = sections(run)
            hops = s["stamp"].astype(np.int64)
            self.assertTrue(np.all(hops % self.nodes == s["node"]))
            self.assertTrue(np.all(np.diff(hops) > 0))
            final = int(np.max(run["results/token_hops"][()]))
            self.assertEqual(lab.message_counts(run), {"TOKEN": final})
        self.assertEqual(lab.message_counts(self.saturated), {"TOKEN": self.nodes * ENTRIES - 1})

    def test_suzuki_kasami_sends_n_per_entry_without_token(self):
        run = self.runs["suzuki_kasami"]
        free = int(np.sum(run["results/free_entries"][()]))
        paid = self.nodes * ENTRIES - free
        self.assertEqual(self.counts("suzuki_kasami"),
                         {"REQUEST": (self.nodes - 1) * paid, "TOKEN": paid})
        self.assertLess(free, self.nodes * ENTRIES)


class MutexVirtual(Mutex):
    """The same oracles in virtual time: 16 nodes on one rank."""
    nodes = 16
    virtual = True


if __name__ == "__main__":
    unittest.main()
