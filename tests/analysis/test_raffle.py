#!/usr/bin/env python3
"""The raffle winner in clocklab.metrics.summary and the `clocklab summary` table.

Run:  PYTHONPATH=analysis /usr/bin/python3 -m unittest discover -s tests/analysis

raffle.h5 is built here: run000 is a tom run whose nodes all name node 2
(one node crashed and drew none: NaN), run001 one whose nodes disagree
(1, 3, 3), run002 a Berkeley run without results.
"""

import os
import tempfile
import unittest

import h5py
import numpy as np

import clocklab
import synthetic as syn
from helpers import run_cli
from test_plot import parse_table

AGREED = [2.0, 2.0, np.nan, 2.0]
SPLIT = [1.0, 3.0, 3.0]


def write_raffle_file(path):
    """Three runs: agreed winner, disagreeing winners, no raffle at all."""
    with h5py.File(path, "w") as f:
        syn.write_root(f)
        for name, winners in (("run000", AGREED), ("run001", SPLIT), ("run002", None)):
            n = len(winners) if winners else 3
            g = f.create_group(f"runs/{name}")
            syn.write_run_attrs(g, "tom" if winners else "berkeley",
                                "logical_clock" if winners else "clock_sync", n)
            syn.write_nodes(g, np.zeros(n), np.full(n, np.nan))
            syn.write_messages(g, ["MULTICAST", "ACK"], np.ones((n, 2), dtype=int))
            if winners:
                results = g.create_group("results")
                results.create_dataset("raffle_winner", data=np.array(winners))
                results.create_dataset("delivered", data=np.full(n, 4.0 * n))


class RaffleSummaryTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        cls.path = os.path.join(cls.tmp.name, "raffle.h5")
        write_raffle_file(cls.path)

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def test_reader_loads_results_and_summary_names_winners(self):
        runs = {r["name"]: r for r in clocklab.read_runs(self.path)[1]}
        self.assertEqual(sorted(runs["run000"]["results"]), ["delivered", "raffle_winner"])
        self.assertIsNone(runs["run002"]["results"])
        self.assertEqual(clocklab.summary(runs["run000"])["winner"], 2)
        self.assertEqual(clocklab.summary(runs["run001"])["winner"], (1, 3))
        self.assertIsNone(clocklab.summary(runs["run002"])["winner"])

    def test_no_node_drew_gives_none(self):
        run = clocklab.read_runs(self.path)[1][0]
        run["results"]["raffle_winner"] = np.full(4, np.nan)
        self.assertIsNone(clocklab.raffle_winner(run))

    def test_summary_winner_column_shows_ties_and_none(self):
        result = run_cli("summary", self.path)
        self.assertEqual(result.returncode, 0, result.stderr)
        rows = parse_table(result.stdout)
        self.assertEqual(rows[("raffle.h5", "run000")]["winner"], "2")
        self.assertEqual(rows[("raffle.h5", "run001")]["winner"], "1/3")
        self.assertEqual(rows[("raffle.h5", "run002")]["winner"], "-")


if __name__ == "__main__":
    unittest.main()
