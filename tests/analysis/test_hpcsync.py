#!/usr/bin/env python3
"""Tests of ``clocklab hpcsync`` (clocklab.commands.hpcsync) on a synthetic benchmark directory.

Run:  PYTHONPATH=analysis /usr/bin/python3 -m unittest discover -s tests/analysis

Two clocklab files (two repeats of skampi and HCA3O on 2 nodes, with
clock/models and evaluation/ written by hand) and two logs in the format of
mpi-time-sync's check_clock_accuracy; every expected number follows from
what is written here.
"""

import contextlib
import io
import os
import shutil
import tempfile
import unittest

import h5py
import numpy as np

import synthetic as syn
from clocklab.commands import hpcsync

MODEL = np.dtype([("node", "<i4"), ("reference", "<i4"), ("points", "<i4"), ("time", "<f8"),
                  ("intercept", "<f8"), ("slope", "<f8"), ("rtt", "<f8"), ("bound", "<f8"),
                  ("slope_bound", "<f8"), ("true_offset", "<f8")])

# (algorithm, hca model, last model time s, offsets at 0 s and at 1 s of node 1 (s), rtt s)
RUNS = {
    1: [("skampi", None, 0.003, (20e-9, -35e-9), 400e-9),
        ("hca", "offset", 0.0002, (-7e-9, 12e-9), 500e-9)],
    2: [("skampi", None, 0.005, (-44e-9, 10e-9), 600e-9),
        ("hca", "offset", 0.0004, (3e-9, -90e-9), 300e-9)],
}

MPITS_LOG = """#Command-line arguments:  check_clock_accuracy --npp=100 --steps=1
#@npp=100
#@clocksync=HCA3O
#@sync_duration=0.000453000
   wait_time_s       p       min_diff
   0.000000000       1    0.000000004
   1.000000000       1    0.000000019
"""


def write_file(path, runs):
    with h5py.File(path, "w") as f:
        syn.write_root(f)
        for i, (alg, model, t, offsets, rtt) in enumerate(runs):
            g = f.create_group("runs/run%03d" % i)
            syn.write_run_attrs(g, alg, "clock_sync", 2)
            if model:
                g.attrs["config"] = "[experiment]\nalgorithm = hca\n\n[hca]\nmodel = %s\n" % model
            syn.write_nodes(g, np.array([0.0, 1e-3]), np.full(2, np.nan))
            syn.write_clock(g, np.array([0.0]), np.array([[0.0, 1e-3]]))
            g["clock/models"] = np.array([(0, 0, 0, 0.0, 0, 0, np.nan, 0, 0, 0.0),
                                          (1, 0, 1, t, 1e-3, 0, rtt, rtt / 2, 0, 1e-3)], MODEL)
            e = g.create_group("evaluation")
            e["node"] = np.array([1, 1], np.int32)
            e["samples"] = np.array([100, 100], np.int32)
            e["at"] = np.array([0.0, 1.0])
            e["time"] = np.array([t + 1e-3, t + 1.001])
            e["offset"] = np.array(offsets)
            e["rtt_min"] = np.array([rtt, rtt])
            e["true_offset"] = np.array(offsets) + 5e-9


class Accuracy(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="clocklab-hpcsync-")
        for k, runs in RUNS.items():
            write_file(os.path.join(self.dir, "acc-N2-r%d.h5" % k), runs)
            with open(os.path.join(self.dir, "acc-mpits-HCA3O-N2-r%d.log" % k), "w") as f:
                f.write(MPITS_LOG)

    def tearDown(self):
        shutil.rmtree(self.dir, ignore_errors=True)

    def test_tables_give_offset_ranges_and_sync_times(self):
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            hpcsync.directory(self.dir, None)
        text = out.getvalue()
        lines = text.splitlines()
        now = lines.index("| N | clocklab skampi | clocklab hca offset | mpits HCA3O |")
        # skampi: max |offset| 20 and 44 ns; median sync of 3 and 5 ms
        self.assertEqual(lines[now + 2], "| 2 | 20–44 ns (4 ms) | 3–7 ns (300 us) | 4–4 ns (453 us) |")
        later = lines.index("| N | clocklab skampi | clocklab hca offset | mpits HCA3O |", now + 1)
        self.assertEqual(lines[later + 2],
                         "| 2 | 10–35 ns (4 ms) | 12–90 ns (300 us) | 19–19 ns (453 us) |")
        # the evaluator's error against the truth is 5 ns in every row
        self.assertIn("| 2 | clocklab skampi | 3 ms–5 ms | 500 ns | 500 ns | 5 ns |", lines)
        self.assertIn("| 2 | mpits HCA3O | 453 us–453 us | - | - | - |", lines)

    def test_mpits_log_gives_label_nodes_sync_and_offsets(self):
        r = hpcsync.mpits_run(os.path.join(self.dir, "acc-mpits-HCA3O-N2-r1.log"))
        self.assertEqual((r["label"], r["n"], r["sync"]), ("HCA3O", 2, 0.000453))
        self.assertEqual(r["offsets"], {0.0: 4e-9, 1.0: 19e-9})


class Scaling(unittest.TestCase):
    def test_fit_recovers_the_coefficients_of_its_law(self):
        ns = [2, 4, 8, 16, 32]
        a, b, r2 = hpcsync.fit(ns, [1e-3 + 2e-3 * np.log2(n) for n in ns], np.log2)
        self.assertAlmostEqual(a, 1e-3, places=12)
        self.assertAlmostEqual(b, 2e-3, places=12)
        self.assertAlmostEqual(r2, 1.0, places=12)
        a, b, r2 = hpcsync.fit(ns, [5e-4 * n for n in ns], float)
        self.assertAlmostEqual(b, 5e-4, places=12)
        self.assertLess(hpcsync.fit(ns, [5e-4 * n for n in ns], np.log2)[2], 1.0)


if __name__ == "__main__":
    unittest.main()
