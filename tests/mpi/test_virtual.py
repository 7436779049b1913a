"""Virtual time ([experiment] time = virtual): the timing is exactly the
configured model, so the literature's counts hold exactly, and the same
configuration and seed give the same file whatever the rank count.

Oracles:
* Bully's worst case (Garcia-Molina 1982; ids by rank, the highest crashed,
  the lowest detects): n(n-1)/2 ELECTION, (n-1)(n-2)/2 OK, n-2 COORDINATOR,
  for every n = 2..64;
* LCR with ids decreasing along the ring, every node initiating (Lynch,
  Distributed Algorithms, 3.3.2): n(n+1)/2 ELECTION messages, n = 2..256;
* Chang-Roberts with every node initiating, over all n! orders of the ids
  (Chang & Roberts 1979): the mean number of ELECTION messages is n*H_n
  exactly, for n = 2..7;
* Hirschberg-Sinclair (Lynch 3.3.3): at most 8n(1 + ceil(log2 n)) messages
  and the largest id wins, for n up to 1024;
* vector clocks (Fidge 1988, Mattern 1988): V(a) < V(b) exactly when a -> b
  on a 64-node trace (happens-before rebuilt from the trace alone);
* determinism: -n 1 and -n 3 write the same datasets (clocklab compare).
"""
import math
import os
import unittest
from fractions import Fraction

import numpy as np

import clocklab_oracles as orc
import clocklab_testlib as lab
from clocklab import causality
from clocklab.commands import compare
from clocklab import event_kinds

VIRTUAL = """
[experiment]
time = virtual
duration = 0
timeout = 1000000s
seed = {seed}
repeat = {repeat}
nodes = {nodes}
algorithm = {algorithm}

[network]
delay = constant(1ms)

[election]
ids = {ids}
initiators = {initiators}

[faults]
crash = {crash}
"""


def run_virtual(algorithm, nodes, ids="rank", initiators="all", crash="none", seed=42, repeat=1,
                ranks=1, extra=""):
    text = VIRTUAL.format(algorithm=algorithm, nodes=nodes, ids=ids, initiators=initiators,
                          crash=crash, seed=seed, repeat=repeat) + extra
    _, path = lab.run_clocklab(ranks, text, timeout=600)
    return lab.runs(path)


def sent(run, name):
    return orc.counters(run)[name][0]


class ExactCounts(unittest.TestCase):
    def test_bully_worst_case_counts_exact_to_64_nodes(self):
        runs = run_virtual("bully", "2..64", ids="rank", initiators="lowest",
                           crash="highest@0s", extra="[bully]\ntimeout = 10ms\n")
        self.assertEqual(len(runs), 63)
        for _, run in runs:
            n = int(run.attrs["nodes"])
            with self.subTest(n=n):
                self.assertEqual(sent(run, "ELECTION"), n * (n - 1) // 2)
                self.assertEqual(sent(run, "OK"), (n - 1) * (n - 2) // 2)
                self.assertEqual(sent(run, "COORDINATOR"), max(n - 2, 0))
                leader = run["election/leader"][()]
                self.assertTrue(np.all(leader[: n - 1] == n - 2), leader)

    def test_lcr_with_decreasing_ids_sends_the_worst_case(self):
        runs = run_virtual("ring", "2..256", ids="reverse")
        self.assertEqual(len(runs), 255)
        for _, run in runs:
            n = int(run.attrs["nodes"])
            with self.subTest(n=n):
                self.assertEqual(sent(run, "ELECTION"), n * (n + 1) // 2)
                self.assertEqual(sent(run, "ELECTED"), n)
                self.assertTrue(np.all(run["election/leader"][()] == 0))

    def test_chang_roberts_mean_over_all_orders(self):
        for n in range(2, 8):
            orders = math.factorial(n)
            runs = run_virtual("ring", n, ids="permutation", seed=0, repeat=orders)
            seen, total = set(), 0
            for _, run in runs:
                seen.add(tuple(run["election/ids"][()]))
                total += sent(run, "ELECTION")
                ids = run["election/ids"][()]
                self.assertTrue(np.all(run["election/leader"][()] == int(np.argmax(ids))))
            with self.subTest(n=n):
                self.assertEqual(len(seen), orders)  # every order once
                harmonic = sum(Fraction(1, k) for k in range(1, n + 1))
                self.assertEqual(Fraction(total, orders), n * harmonic)

    def test_hirschberg_sinclair_stays_within_its_bound(self):
        sizes = "2..64, 100, 127, 128, 255, 256, 500, 511, 512, 1000, 1023, 1024"
        runs = run_virtual("hs", sizes, ids="random")
        self.assertEqual(len(runs), 63 + 11)
        for _, run in runs:
            n = int(run.attrs["nodes"])
            with self.subTest(n=n):
                total = int(run["messages/sent"][()].sum())
                self.assertLessEqual(total, 8 * n * (1 + math.ceil(math.log2(n))))
                ids = run["election/ids"][()]
                self.assertTrue(np.all(run["election/leader"][()] == int(np.argmax(ids))))


class VectorTrace(unittest.TestCase):
    def test_vector_order_is_happens_before(self):
        (_, run), = run_virtual("vector", 64,
                                extra="[vector]\ninterval = uniform(2ms, 10ms)\nrounds = 10\n")
        table = run["events/table"][()]
        vectors = run["events/vector"][()].astype(np.int64)
        self.assertEqual(vectors.shape, (len(table), 64))
        self.assertGreater(len(table), 1000)
        before = causality.happens_before(table)
        for a in range(len(table)):  # row by row: [E, E, N] would not fit
            le = np.all(vectors[a] <= vectors, axis=1)
            less = le & np.any(vectors[a] != vectors, axis=1)
            self.assertTrue(np.array_equal(less, before[a]), "event %d" % a)


class ChatterTrace(unittest.TestCase):
    def test_chatter_lamport_clock_condition_holds(self):
        """chatter: a -> b implies L(a) < L(b) (Lamport 1978, the clock
        condition), with happens-before rebuilt from the trace alone; every
        node sends `rounds` messages, each received once."""
        (_, run), = run_virtual("chatter", 32, extra="[chatter]\nrounds = 20\n")
        table = run["events/table"][()]
        sends = table[table["kind"] == event_kinds(table).SEND]
        self.assertEqual(len(sends), 32 * 20)
        self.assertEqual(len(causality.message_pairs(table)), 32 * 20)
        before = causality.happens_before(table)
        a, b = np.nonzero(before)
        self.assertGreater(len(a), 0)
        self.assertTrue(np.all(table["lamport"][a] < table["lamport"][b]))


DETERMINISM = """
[experiment]
algorithm = bully+berkeley
time = virtual
nodes = 12
duration = 2s
seed = 7

[network]
min_delay = 100us
delay = lognormal(1ms, 0.3)
loss = 0.01

[faults]
crash = coordinator@1s, 3@0.5s-1.2s

[bully]
heartbeat = 50ms
"""


class Determinism(unittest.TestCase):
    def test_same_file_on_one_and_three_ranks(self):
        _, one = lab.run_clocklab(1, DETERMINISM)
        _, three = lab.run_clocklab(3, DETERMINISM)
        self.assertEqual(compare.compare(one, three), [])
        (_, run), = lab.runs(one)
        self.assertEqual(run.attrs["time"], "virtual")
        self.assertGreater(sent(run, "ELECTION"), 0)
        self.assertGreater(int(run["messages/dropped"][()].sum()), 0)  # loss and the crash
        self.assertNotIn("fidelity", run)

    def test_compare_sees_a_difference(self):
        _, a = lab.run_clocklab(1, DETERMINISM)
        _, b = lab.run_clocklab(1, DETERMINISM.replace("seed = 7", "seed = 8"))
        self.assertNotEqual(compare.compare(a, b), [])

    def test_lookahead_is_required_on_several_ranks(self):
        text = DETERMINISM.replace("min_delay = 100us\n", "").replace(
            "lognormal(1ms, 0.3)", "exponential(1ms)")
        proc, path = lab.run_clocklab(2, text, check=False)
        self.assertEqual(proc.returncode, 2)
        self.assertIn("[network] min_delay", proc.stderr)
        self.assertFalse(os.path.exists(path))

    def test_real_time_needs_a_node_per_rank(self):
        # real time spreads the nodes over the ranks, at least one each
        proc, path = lab.run_clocklab(4, "[experiment]\nnodes = 3\n", check=False)
        self.assertEqual(proc.returncode, 2)
        self.assertIn("[experiment] nodes: 3 nodes on 4 ranks", proc.stderr)
        self.assertFalse(os.path.exists(path))


if __name__ == "__main__":
    unittest.main()
