"""Hirschberg-Sinclair election (Hirschberg & Sinclair 1980; Lynch,
Distributed Algorithms 3.4).

Oracles, with every node a candidate from the start:
- PROBE + REPLY + ELECTED <= 8n(1 + ceil(log2 n)) (the O(n log n) bound);
- ELECTED = n (the announcement goes all the way back to the coordinator);
- PROBE >= 4n: 2n in phase 0 (every candidate probes both ways, distance 1)
  plus 2n for the winner's final phase (>= 1 when n >= 2), whose two probes
  travel all the way round; with a single initiator the final phase alone
  gives PROBE >= 2n;
- every node names the node holding the largest id.
"""
import math
import unittest

import clocklab_testlib as lab

BASE = ["experiment.algorithm=hs", "experiment.duration=0", "experiment.timeout=120s"]


def hs_bound(n):
    return 8 * n * (1 + math.ceil(math.log2(n)))


class HirschbergSinclairTest(unittest.TestCase):
    def check_run(self, g, initiators_all=True):
        self.assertEqual(g.attrs["status"], "complete")
        ids = [int(v) for v in g["election/ids"][()]]
        n = len(ids)
        self.assertEqual(sorted(ids), list(range(n)))
        leaders = [int(v) for v in g["election/leader"][()]]
        self.assertEqual(leaders, [ids.index(n - 1)] * n, "ids %s" % ids)
        c = lab.message_counts(g)
        total = c["PROBE"] + c["REPLY"] + c["ELECTED"]
        self.assertLessEqual(total, hs_bound(n), "ids %s, counts %s" % (ids, c))
        self.assertEqual(c["ELECTED"], n)
        self.assertGreaterEqual(c["PROBE"], (4 if initiators_all else 2) * n)
        return c

    def test_highest_id_elected_within_the_bound_at_any_n(self):
        for n in (2, 3, 5, 8, 13, 16):  # every n to 64, and more, in test_virtual.py
            layouts = (("random", 3), ("rank", 1), ("reverse", 1)) if n % 3 == 2 else \
                (("random", 3),)
            for layout, repeat in layouts:
                with self.subTest(n=n, ids=layout):
                    _, out = lab.run_clocklab(n, sets=BASE + [
                        "election.initiators=all", "election.ids=" + layout,
                        "experiment.repeat=%d" % repeat, "experiment.seed=%d" % (100 + n)])
                    groups = lab.runs(out)
                    self.assertEqual(len(groups), repeat)
                    for _, g in groups:
                        self.check_run(g)

    def test_one_initiator_wakes_the_others(self):
        # Only the lowest id starts; the others join when a smaller probe reaches them.
        _, out = lab.run_clocklab(9, sets=BASE + ["election.initiators=lowest",
                                                  "election.ids=random", "experiment.repeat=2"])
        for _, g in lab.runs(out):
            self.check_run(g, initiators_all=False)


if __name__ == "__main__":
    unittest.main()
