"""Ring election (Chang & Roberts 1979; LCR, Lynch, Distributed Algorithms 3.3).

Oracles, computed from election/ids of each run (node i sends to i+1 mod n):
- every node initiating (LCR): ELECTION messages = sum over nodes of the hops
  from the node to the next node holding a larger id (n for the largest id);
  with ids decreasing along the ring (ids = reverse) that is n(n+1)/2;
- one initiator s: hops(s -> node of the largest id) + n ELECTION messages;
- ELECTED messages = n (the announcement goes all the way back to the
  coordinator, the convention stated in src/algorithms/election/ring.c);
- every node names the node holding the largest id; with crashed nodes, every
  live node names the node holding the largest live id.
"""
import math
import unittest

import clocklab_testlib as lab

# A generous ACK timeout: in crash-free runs no timeout may fire, even on a
# loaded machine (a fired one would add resends and break the exact counts).
NO_CRASH = ["experiment.algorithm=ring", "experiment.duration=0", "ring.timeout=20s",
            "experiment.timeout=120s"]


def hops(n, a, b):
    """Hops from node a to node b in ring direction (a -> a+1 -> ...)."""
    return (b - a) % n


def lcr_election_messages(ids):
    """Sum over nodes of the hops to the next larger id; n for the largest."""
    n = len(ids)
    total = 0
    for i in range(n):
        k = 1
        while k < n and ids[(i + k) % n] < ids[i]:
            k += 1
        total += k
    return total


def run(nodes, sets):
    _, out = lab.run_clocklab(nodes, sets=NO_CRASH + list(sets))
    return out


def node_of_max(ids, alive=None):
    candidates = [i for i in range(len(ids)) if alive is None or alive[i]]
    return max(candidates, key=lambda i: ids[i])


class RingTest(unittest.TestCase):
    def check_common(self, run_group):
        self.assertEqual(run_group.attrs["status"], "complete")
        ids = [int(v) for v in run_group["election/ids"][()]]
        leaders = [int(v) for v in run_group["election/leader"][()]]
        n = len(ids)
        self.assertEqual(sorted(ids), list(range(n)))
        counts = lab.message_counts(run_group)
        self.assertEqual(leaders, [node_of_max(ids)] * n, "ids %s" % ids)
        self.assertEqual(counts["ELECTED"], n)
        # Each ELECTION and ELECTED is acknowledged exactly once.
        self.assertEqual(counts["ACK"], counts["ELECTION"] + counts["ELECTED"])
        return ids, counts

    def test_all_initiators_elect_the_max_with_lcr_counts(self):
        for n in (3, 6, 12):  # every n to 256 in test_virtual.py
            for layout, repeat in (("rank", 1), ("reverse", 1), ("random", 4)):
                with self.subTest(n=n, ids=layout):
                    out = run(n, ["election.initiators=all", "election.ids=" + layout,
                                  "experiment.repeat=%d" % repeat, "experiment.seed=%d" % n])
                    groups = lab.runs(out)
                    self.assertEqual(len(groups), repeat)
                    for _, g in groups:
                        ids, counts = self.check_common(g)
                        self.assertEqual(counts["ELECTION"], lcr_election_messages(ids),
                                         "ids %s" % ids)
                        if layout == "reverse":  # the worst case
                            self.assertEqual(counts["ELECTION"], n * (n + 1) // 2)
                        if layout == "rank":  # the best case: n - 1 one-hop messages + n
                            self.assertEqual(counts["ELECTION"], 2 * n - 1)

    def test_single_initiator_elects_the_max_in_hops_plus_n(self):
        n = 7
        for initiators in ("lowest", "highest", "2"):
            with self.subTest(initiators=initiators):
                out = run(n, ["election.initiators=" + initiators, "election.ids=random",
                              "experiment.repeat=3", "experiment.seed=11"])
                for _, g in lab.runs(out):
                    ids, counts = self.check_common(g)
                    if initiators == "lowest":
                        s = ids.index(0)
                    elif initiators == "highest":
                        s = ids.index(n - 1)
                    else:
                        s = int(initiators)
                    expected = hops(n, s, node_of_max(ids)) + n
                    self.assertEqual(counts["ELECTION"], expected, "ids %s, initiator %d" %
                                     (ids, s))

    def check_crash(self, n, crash, sets):
        _, out = lab.run_clocklab(n, sets=["experiment.algorithm=ring", "experiment.duration=0",
                                           "ring.timeout=300ms", "experiment.timeout=120s",
                                           "faults.crash=" + crash] + list(sets))
        (_, g), = lab.runs(out)
        self.assertEqual(g.attrs["status"], "complete")
        ids = [int(v) for v in g["election/ids"][()]]
        alive = [math.isnan(v) for v in g["nodes/crashed_at"][()]]  # NaN = never crashed
        self.assertLess(sum(alive), n)
        leaders = [int(v) for v in g["election/leader"][()]]
        winner = node_of_max(ids, alive)
        for i in range(n):
            if alive[i]:
                self.assertEqual(leaders[i], winner, "node %d, ids %s, alive %s" % (i, ids, alive))
        self.assertNotEqual(winner, node_of_max(ids))

    def test_crashed_max_is_skipped_by_its_predecessor(self):
        # The node with the largest id never starts; its predecessor skips it.
        self.check_crash(8, "7@0s", ["election.ids=rank", "election.initiators=all"])
        self.check_crash(6, "0@0s", ["election.ids=reverse", "election.initiators=lowest"])

    def test_crashed_max_with_random_ids_is_skipped(self):
        n, seed = 8, 5
        (_, g), = lab.runs(run(n, ["election.ids=random", "experiment.seed=%d" % seed]))
        ids = [int(v) for v in g["election/ids"][()]]
        m = node_of_max(ids)
        self.check_crash(n, "%d@0s" % m, ["election.ids=random", "experiment.seed=%d" % seed,
                                          "election.initiators=all"])

    def test_two_crashed_neighbours_are_skipped(self):
        # Nodes 7 (largest id) and 0 are down: node 6 must skip two nodes.
        self.check_crash(8, "7@0s, 0@0s", ["election.ids=rank", "election.initiators=all"])


if __name__ == "__main__":
    unittest.main()
