#!/usr/bin/env python3
"""``clocklab table`` and ``clocklab sweep`` on a synthetic sweep whose
numbers follow from its construction: runs of two algorithms at three
periods, three seeds each, with a final skew and message counts set by
hand; the 95% interval uses t_{2, 0.975} = 4.303 (the printed table).

Run:  PYTHONPATH=analysis /usr/bin/python3 -m unittest discover -s tests/analysis
"""

import csv
import io
import math
import os
import tempfile
import unittest

import h5py
import numpy as np

import clocklab
import synthetic as syn
from clocklab.commands import complexity
from clocklab.commands import sweep
from clocklab import theory
from helpers import SOURCE, run_cli

MS = 1e-3
PERIODS = ["50ms", "100ms", "200ms"]
#: (algorithm, period) -> final skews of seeds 1, 2, 3 (s)
SKEWS = {("alpha", p): [(k + 1) * MS * (1 + s) for s in range(3)] for k, p in enumerate(PERIODS)}
SKEWS.update({("beta", p): [2 * MS] * 3 for p in PERIODS})
CONFIG = """[experiment]
algorithm = {algorithm}
seed = {seed}
nodes = {nodes}

[network]
delay = constant(1ms)

[{algorithm}]
period = {period}
"""


def write_sweep(path):
    """One file: every (algorithm, period, seed) a run of 2 nodes whose clock
    ends at offsets (0, skew); types PING/PONG sent 3 and 4 times per node."""
    with h5py.File(path, "w") as f:
        syn.write_root(f)
        k = 0
        for (algorithm, period), skews in SKEWS.items():
            for seed, skew in enumerate(skews, start=1):
                g = f.create_group(f"runs/run{k:03d}")
                k += 1
                syn.write_run_attrs(g, algorithm, "clock_sync", 2)
                g.attrs["seed"] = np.int64(seed)
                g.attrs["config"] = CONFIG.format(algorithm=algorithm, seed=seed, nodes=2,
                                                  period=period)
                syn.write_nodes(g, np.zeros(2), np.full(2, np.nan))
                times = np.array([0.0, 1.0])
                syn.write_clock(g, times, np.array([[0.0, 0.01], [0.0, skew]]))
                syn.write_messages(g, ["PING", "PONG"], [[3, 4], [3, 4]])


class TableTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        cls.path = os.path.join(cls.tmp.name, "sweep.h5")
        write_sweep(cls.path)
        cls.sync = os.path.join(cls.tmp.name, "sync.h5")
        syn.write_sync_file(cls.sync)

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def test_table_frame_has_a_row_per_run_and_its_metrics(self):
        frame = clocklab.table([self.path, self.sync])
        self.assertEqual(len(frame), 18 + 2)
        ours = frame[frame["file"] == "sweep.h5"]
        self.assertEqual(list(ours["alpha.period"][:3]), ["50ms"] * 3)
        self.assertTrue(ours["experiment.seed"].dtype.kind in "if")
        np.testing.assert_allclose(ours["final_skew"],
                                   [s for skews in SKEWS.values() for s in skews])
        self.assertTrue((ours["messages.PING"] == 6).all())
        self.assertTrue((ours["messages"] == 14).all())
        sync = frame[frame["file"] == "sync.h5"].iloc[0]
        self.assertAlmostEqual(sync["final_skew"], syn.SYNC_FINAL_SKEW)
        self.assertEqual(sync["messages.poll"], 10)
        self.assertEqual(sync["messages.PING"], 0)  # a type this run did not send

    def test_table_csv_leaves_missing_cells_empty(self):
        result = run_cli("table", self.sync, self.path)
        self.assertEqual(result.returncode, 0, result.stderr)
        rows = list(csv.DictReader(io.StringIO(result.stdout)))
        self.assertEqual(len(rows), 20)
        self.assertEqual(rows[1]["leader"], str(syn.BULLY_EXPECTED_LEADER))
        self.assertEqual(rows[0]["leader"], "")  # no election/: empty
        self.assertEqual(rows[2]["beta.period"], "")
        self.assertEqual(rows[2]["alpha.period"], "50ms")
        self.assertAlmostEqual(float(rows[0]["final_skew"]), syn.SYNC_FINAL_SKEW, places=15)

    def test_table_writes_csv_file_and_missing_input_exits_2(self):
        out = os.path.join(self.tmp.name, "runs.csv")
        result = run_cli("table", self.path, "-o", out)
        self.assertEqual(result.returncode, 0, result.stderr)
        with open(out) as fh:
            self.assertEqual(len(list(csv.DictReader(fh))), 18)
        result = run_cli("table", self.path, os.path.join(self.tmp.name, "none.h5"))
        self.assertEqual(result.returncode, 2)
        self.assertIn("none.h5: no such file", result.stderr)


class SweepFile(unittest.TestCase):
    """A temporary sweep.h5 (write_sweep) at cls.path for the class's tests."""

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        cls.path = os.path.join(cls.tmp.name, "sweep.h5")
        write_sweep(cls.path)

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()


class SweepTest(SweepFile):

    def groups(self, *args, **kw):
        groups, labels, theories, missing = sweep.sweep([self.path], *args, **kw)
        return {g["key"]: g for g in groups}

    def test_sweep_gives_means_and_t_intervals_in_x_order(self):
        # x = period (a time in every run's own section), grouped by algorithm
        g = self.groups("period", ["final_skew"], ["algorithm"])
        self.assertEqual(set(g), {"alpha", "beta"})
        alpha = g["alpha"]
        self.assertEqual(alpha["x"], ["50ms", "100ms", "200ms"])  # numeric order of the times
        np.testing.assert_allclose(alpha["xnum"], [0.05, 0.1, 0.2])
        for k in range(3):
            x = np.array(SKEWS[("alpha", PERIODS[k])])
            self.assertAlmostEqual(alpha["mean"][k], x.mean())
            expected = 4.303 * x.std(ddof=1) / math.sqrt(3)  # the table's 4 digits
            self.assertAlmostEqual(alpha["half"][k] / expected, 1.0, places=3)
            self.assertEqual(alpha["count"][k], 3)
        self.assertEqual(g["beta"]["half"], [0.0] * 3)

    def test_y_sums_columns_per_group_and_where_filters(self):
        g = self.groups("period", ["alpha=messages.PING+messages.PONG", "final_skew"],
                        ["algorithm"], where=["seed=2"])
        self.assertEqual(g["alpha"]["mean"], [14.0] * 3)
        self.assertEqual(g["alpha"]["count"], [1] * 3)
        self.assertTrue(all(math.isnan(h) for h in g["alpha"]["half"]))
        self.assertEqual(g["beta"]["mean"], [2 * MS] * 3)

    def test_group_without_a_y_is_left_out(self):
        g = self.groups("period", ["beta=final_skew"], ["algorithm"])
        self.assertEqual(set(g), {"beta"})

    def test_categorical_x_has_no_numeric_axis(self):
        g = self.groups("algorithm", ["final_skew"], [])
        self.assertIsNone(g[""]["xnum"])
        self.assertEqual(g[""]["x"], ["alpha", "beta"])
        self.assertEqual(g[""]["count"], [9, 9])

    def test_sweep_command_prints_table_with_theory_and_figure(self):
        figure = os.path.join(self.tmp.name, "skew.png")
        result = run_cli("sweep", self.path, "--x", "nodes", "--y", "messages", "--by",
                         "algorithm", "--theory", "beta=ricart_agrawala", "--label",
                         "alpha=Alpha", "-o", figure)
        self.assertEqual(result.returncode, 0, result.stderr)
        lines = result.stdout.splitlines()
        self.assertEqual(lines[0], "| nodes | Alpha | beta (2(n-1)) |")
        self.assertEqual(lines[2], "| 2 | 14 ± 0 | 14 ± 0 (2) |")
        with open(figure, "rb") as fh:
            self.assertTrue(fh.read(8).startswith(b"\x89PNG"))

    def test_errors_name_the_problem(self):
        for args, text in ((["--x", "nope", "--y", "messages"], "no column 'nope'"),
                           (["--x", "period", "--y", "algorithm"], "algorithm is not numeric"),
                           (["--x", "period", "--y", "messages", "--theory", "xyz"],
                            "unknown closed form 'xyz'"),
                           (["--x", "period", "--y", "messages", "--where", "seed=9"],
                            "no run matches")):
            result = run_cli("sweep", self.path, *args, "-o", os.path.join(self.tmp.name, "x.png"))
            self.assertEqual(result.returncode, 1, args)
            self.assertIn(text, result.stderr)
            self.assertEqual(len(result.stderr.strip().splitlines()), 1, result.stderr)
            self.assertFalse(os.path.exists(os.path.join(self.tmp.name, "x.png")))


class CommandLine(unittest.TestCase):
    def test_usage_lists_commands_and_unknown_one_exits_2(self):
        result = run_cli()
        self.assertEqual(result.returncode, 2)
        self.assertIn("commands:", result.stderr)
        result = run_cli("--help")
        self.assertEqual(result.returncode, 0)
        for command in ("plot", "summary", "table", "sweep", "accuracy", "shiviz", "compare",
                        "complexity"):
            self.assertIn(f"  {command} ", result.stdout)
        result = run_cli("plots")
        self.assertEqual(result.returncode, 2)
        self.assertIn("unknown command 'plots'", result.stderr)



class ComplexityPreset(unittest.TestCase):
    def test_the_study_script_runs_the_same_sweep(self):
        """experiments/complexity.sh spells the sweep out; `clocklab complexity` is the same."""
        import shlex

        with open(os.path.join(SOURCE, "experiments", "complexity.sh")) as fh:
            text = fh.read()
        body = text[text.index("sweep() {"):text.index("\n}\n", text.index("sweep() {"))]
        words = shlex.split(body.replace("\\\n", " "), comments=False)
        words = words[words.index("sweep") + 1:]  # after PYTHONPATH=... python3 -m clocklab

        def options(args):
            pairs = sorted((a, b) for a, b in zip(args, args[1:])
                           if a in ("--x", "--by", "--where", "--y", "--theory", "--label",
                                    "--ylabel", "--title"))
            return pairs, "--logy" in args

        self.assertEqual(options(words), options(complexity.sweep_arguments()))


class ClosedForms(unittest.TestCase):
    """clocklab.theory at small n, worked out by hand from the sources' formulas."""

    def test_closed_forms_match_hand_values_at_small_n(self):
        f = {name: form[0] for name, form in theory.CLOSED_FORMS.items()}
        self.assertEqual(f["bully"](5), 10 + 6 + 3)  # n(n-1)/2 + (n-1)(n-2)/2 + n-2
        self.assertEqual(f["lcr"](4), 10)
        self.assertAlmostEqual(f["chang_roberts"](3), 3 * (1 + 1 / 2 + 1 / 3))
        self.assertEqual(f["hs_bound"](8), 8 * 8 * 4)
        self.assertEqual(f["hs_bound"](5), 8 * 5 * 4)  # ceil(log2 5) = 3
        self.assertEqual(f["ricart_agrawala"](4), 6)
        self.assertEqual(f["lamport_mutex"](4), 9)
        self.assertEqual(f["tom"](4), 12)


if __name__ == "__main__":
    unittest.main()
