#!/usr/bin/env python3
"""Tests of the logical-clock helpers of clocklab.metrics and the `logical` figure.

The expected numbers are worked out by hand in synthetic.py (LOGICAL_*).

Run:  PYTHONPATH=analysis /usr/bin/python3 -m unittest discover -s tests/analysis
"""

import os
import tempfile
import unittest

import numpy as np

import clocklab
import synthetic as syn
from helpers import run_cli


class LogicalFileMixin:
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        cls.path = os.path.join(cls.tmp.name, "logical.h5")
        syn.write_logical_file(cls.path)
        cls.runs = {r["name"]: r for r in clocklab.read_runs(cls.path, events=True)[1]}

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()


class LogicalHelpersTest(LogicalFileMixin, unittest.TestCase):
    def test_clock_jumps_match_the_worked_example(self):
        nodes, times, jumps = clocklab.clock_jumps(self.runs["run000"])
        found = {(int(n), round(float(t), 6)): int(j) for n, t, j in zip(nodes, times, jumps)}
        self.assertEqual(found, syn.LOGICAL_JUMPS)

    def test_queue_lengths_match_the_worked_example(self):
        series = clocklab.queue_lengths(self.runs["run000"])
        for node, expected in syn.LOGICAL_QUEUE.items():
            times, lengths = series[node]
            self.assertEqual((times[0], lengths[0]), (0.0, 0))
            got = [(round(float(t), 6), int(q)) for t, q in zip(times[1:], lengths[1:])]
            self.assertEqual(got, expected, f"node {node}")

    def test_lamport_series_in_program_order(self):
        series = clocklab.lamport_series(self.runs["run001"])
        self.assertEqual(series[0][1].tolist(), [1, 2, 6, 7])
        self.assertEqual(series[2][0].tolist(), [0.12, 0.30, 0.35])

    def test_results_read_and_helpers_none_without_events(self):
        run = self.runs["run000"]
        self.assertEqual(run["results"]["rate"].tolist(), syn.LOGICAL_RATE)
        self.assertIsNone(self.runs["run001"]["results"])
        other = self.runs["run002"]
        for helper in (clocklab.lamport_series, clocklab.clock_jumps, clocklab.queue_lengths):
            self.assertIsNone(helper(other))
        without = clocklab.read_runs(self.path)[1][0]  # events not loaded
        self.assertIsNone(clocklab.clock_jumps(without))


class LogicalFigureTest(LogicalFileMixin, unittest.TestCase):
    def test_logical_figures_written_for_logical_runs_only(self):
        out = os.path.join(self.tmp.name, "figs")
        result = run_cli("plot", self.path, "-o", out)
        self.assertEqual(result.returncode, 0, result.stderr)
        names = set(os.listdir(out))
        self.assertIn("logical_run000_logical.png", names)  # lamport: 3 panels
        self.assertIn("logical_run001_logical.png", names)  # vector: clocks only
        self.assertNotIn("logical_run002_logical.png", names)
        for name in ("logical_run000_logical.png", "logical_run001_logical.png"):
            with open(os.path.join(out, name), "rb") as fh:
                data = fh.read()
            self.assertTrue(data.startswith(b"\x89PNG"), name)
            self.assertGreater(len(data), 5000, name)
        self.assertTrue(np.all([n.endswith(".png") for n in names]))


if __name__ == "__main__":
    unittest.main()
