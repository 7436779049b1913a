"""Bully election (H. Garcia-Molina, "Elections in a distributed computing
system", IEEE Trans. Computers C-31(1), 1982; Coulouris et al., 15.3.2).

Oracles:
* every alive node ends believing in the same coordinator, the alive node
  with the highest election id (election/leader holds node indices,
  election/ids the ids);
* the worst case (ids by rank, the highest crashed, the lowest detects it and
  every live node holds one election): n(n-1)/2 ELECTION, (n-1)(n-2)/2 OK and
  n-2 COORDINATOR messages (the new coordinator tells only the lower ids);
* the textbook scenario with ten processes: P5 notices that P10 crashed, P9
  wins.

Runs use duration = 0 (until every node is done) and no heartbeats, with
generous timeouts so that a loaded 2-core machine cannot fire a timeout
before the OKs arrive; messages are then counted exactly.
"""
import unittest

import numpy as np

import clocklab_oracles as orc
import clocklab_testlib as lab

CONFIG = """
[experiment]
algorithm = bully
duration = 0
timeout = 60s
seed = {seed}

[network]
delay = {delay}

[faults]
crash = {crash}

[election]
ids = {ids}
initiators = {initiators}

[nodes]
labels = {labels}

[bully]
heartbeat = 0
timeout = 300ms
coordinator_timeout = 2s
"""


def run_bully(nodes, ids="rank", initiators="lowest", crash="none", seed=42,
              delay="constant(0)", labels=""):
    text = CONFIG.format(seed=seed, delay=delay, crash=crash, ids=ids, initiators=initiators,
                         labels=labels)
    proc, path = lab.run_clocklab(nodes, text)
    (name, run), = lab.runs(path)
    return run


class Bully(unittest.TestCase):
    def check_agreement(self, run, expected_dead=(), exact=True):
        """Every alive node believes in the alive node with the highest id.
        exact: every message sent was received or dropped (one election wave;
        with concurrent initiators a late ELECTION may still be in flight when
        the last node is done)."""
        self.assertEqual(run.attrs["status"], "complete")
        ids = run["election/ids"][()]
        leader = run["election/leader"][()]
        alive = orc.alive_at_end(run)
        self.assertEqual(sorted(set(range(len(ids))) - set(alive)), sorted(expected_dead))
        winner = max(alive, key=lambda i: ids[i])
        for i in alive:
            self.assertEqual(leader[i], winner,
                             "node %d believes %d, the highest alive id is node %d (id %d)" %
                             (i, leader[i], winner, ids[winner]))
            self.assertEqual(ids[leader[i]], max(ids[j] for j in alive))
            self.assertTrue(np.isfinite(run["election/decided_at"][i]))
        orc.assert_conserved(self, run, exact=exact)
        return winner

    def test_rank_ids_next_highest_wins_after_a_crash(self):
        n = 6
        run = run_bully(n, ids="rank", crash="%d@0s" % (n - 1))
        np.testing.assert_array_equal(run["election/ids"][()], np.arange(n))
        self.assertEqual(self.check_agreement(run, expected_dead=[n - 1]), n - 2)

    def test_reverse_ids_next_highest_wins_after_a_crash(self):
        n = 6
        # With reverse ids node 0 holds the highest id, and the lowest id
        # (node n-1) starts the election.
        run = run_bully(n, ids="reverse", crash="0@0s", delay="uniform(1ms, 3ms)")
        np.testing.assert_array_equal(run["election/ids"][()], np.arange(n)[::-1])
        self.assertEqual(self.check_agreement(run, expected_dead=[0]), 1)

    def test_random_ids_next_highest_wins_after_a_crash(self):
        n, seed = 7, 1234
        # First without a crash: learn the permutation, the highest id wins.
        run = run_bully(n, ids="random", initiators="all", seed=seed,
                        delay="uniform(1ms, 3ms)")
        ids = run["election/ids"][()]
        self.assertEqual(sorted(ids), list(range(n)))
        self.assertNotEqual(list(ids), list(range(n)), "seeded permutation is the identity")
        top = int(np.argmax(ids))
        self.assertEqual(self.check_agreement(run, exact=False), top)
        # Same seed, the node with the highest id crashed from the start.
        run = run_bully(n, ids="random", initiators="all", seed=seed, crash="%d@0s" % top,
                        delay="uniform(1ms, 3ms)")
        np.testing.assert_array_equal(run["election/ids"][()], ids)
        second = int(np.argsort(ids)[-2])
        self.assertEqual(self.check_agreement(run, expected_dead=[top], exact=False), second)

    def test_worst_case_counts_match_garcia_molina(self):
        """Garcia-Molina's worst case, n = 4, 8, 16 in real time (every n to 64
        in virtual time: test_virtual.py)."""
        for n in (4, 8, 16):
            with self.subTest(n=n):
                run = run_bully(n, ids="rank", initiators="lowest", crash="%d@0s" % (n - 1))
                self.assertEqual(self.check_agreement(run, expected_dead=[n - 1]), n - 2)
                c = orc.counters(run)
                self.assertEqual(c["ELECTION"][0], n * (n - 1) // 2)
                self.assertEqual(c["OK"][0], (n - 1) * (n - 2) // 2)
                self.assertEqual(c["COORDINATOR"][0], n - 2)
                self.assertEqual(c["HEARTBEAT"][0] + c["HEARTBEAT_ACK"][0], 0)
                # The crashed coordinator received (and dropped) one ELECTION
                # from each live node.
                dropped = run["messages/dropped"][()]
                self.assertEqual(int(dropped[n - 1].sum()), n - 1)
                self.assertEqual(int(dropped[: n - 1].sum()), 0)

    def test_p5_notices_the_crash_of_p10_and_p9_wins(self):
        """P5 notices that the coordinator P10 has crashed; P9 wins."""
        n = 10
        labels = ", ".join("P%d" % (i + 1) for i in range(n))
        run = run_bully(n, ids="rank", initiators="4", crash="9@0s", labels=labels,
                        delay="uniform(1ms, 3ms)")
        self.assertEqual(orc.labels(run), ["P%d" % (i + 1) for i in range(n)])
        winner = self.check_agreement(run, expected_dead=[9])
        self.assertEqual(orc.labels(run)[winner], "P9")
        c = orc.counters(run)
        # P5 sends to P6..P10; each of P6..P9 answers the lower ones that
        # asked it and sends to every higher process; P9 tells P1..P8.
        self.assertEqual(c["ELECTION"][0], 5 + 4 + 3 + 2 + 1)
        self.assertEqual(c["OK"][0], 1 + 2 + 3 + 4)
        self.assertEqual(c["COORDINATOR"][0], 8)
        history = run["election/history"][()]
        # P1..P4 never took part: their only belief is P9's announcement.
        for i in range(4):
            mine = history[history["node"] == i]
            self.assertEqual(list(mine["leader"]), [8])


if __name__ == "__main__":
    unittest.main()
