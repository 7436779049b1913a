"""[cristian] rounds and [berkeley] rounds: a run with duration 0 ends after
exactly that many rounds, each client adjusting once per round."""
import unittest

import numpy as np

import clocklab_testlib as lab

CONFIG = """
[experiment]
algorithm = {algorithm}
duration = 0
[network]
delay = uniform(1ms, 2ms)
[{algorithm}]
rounds = {rounds}
period = 50ms
"""


class Rounds(unittest.TestCase):
    def check(self, algorithm, nodes, rounds):
        _, path = lab.run_clocklab(nodes, CONFIG.format(algorithm=algorithm, rounds=rounds))
        (_, run), = lab.runs(path)
        self.assertEqual(run.attrs["status"], "complete")
        rows = run["clock/rounds"][()]
        adjusting = range(1, nodes) if algorithm == "cristian" else range(nodes)
        for node in adjusting:
            mine = rows[rows["node"] == node]
            self.assertEqual(sorted(mine["round"]), list(range(rounds)),
                             "%s node %d rounds" % (algorithm, node))
        return rows

    def test_cristian_runs_exactly_its_rounds(self):
        for rounds in (1, 3):
            self.check("cristian", 3, rounds)

    def test_berkeley_runs_exactly_its_rounds(self):
        for rounds in (1, 3):
            rows = self.check("berkeley", 4, rounds)
            self.assertEqual(len(np.unique(rows["round"])), rounds)


if __name__ == "__main__":
    unittest.main()
