#!/usr/bin/env python3
"""Tests of the reader and metrics of the clocklab package and of
``python3 -m clocklab plot`` / ``summary`` (and analysis/clocklab-analysis plot).

Run:  PYTHONPATH=analysis /usr/bin/python3 -m unittest discover -s tests/analysis

The files are built by synthetic.py so that every expected number follows
from the construction (see the constants there).
"""

import os
import tempfile
import unittest

import numpy as np

import clocklab
import synthetic as syn
from helpers import run_cli, run_module, run_script

MS = 1e-3


def run_plot(*args, cwd=None):
    """``python3 -m clocklab plot ARGS`` (in this process); returncode, stdout, stderr."""
    return run_cli("plot", *args, cwd=cwd)


def parse_table(stdout):
    """Parse the summary table into {(file, run): {column: text}}."""
    lines = [line for line in stdout.splitlines() if line.strip()]
    header = lines[0].split()
    rows = {}
    for line in lines[1:]:
        cells = line.split()
        if len(cells) != len(header):
            raise AssertionError(f"row does not match header {header}: {line!r}")
        row = dict(zip(header, cells))
        rows[(row["file"], row["run"])] = row
    return rows


class FilesMixin:
    """Creates sync.h5, combo.h5 and a foreign HDF5 file in a temp dir."""

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        cls.dir = cls.tmp.name
        cls.sync = os.path.join(cls.dir, "sync.h5")
        cls.combo = os.path.join(cls.dir, "combo.h5")
        cls.foreign = os.path.join(cls.dir, "foreign.h5")
        syn.write_sync_file(cls.sync)
        syn.write_combo_file(cls.combo)
        syn.write_foreign_file(cls.foreign)

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()


class ReaderTest(FilesMixin, unittest.TestCase):
    """clocklab.reader and clocklab.metrics: loading and derived numbers."""

    def runs(self, path, **kw):
        return {run["name"]: run for run in clocklab.read_runs(path, **kw)[1]}

    def test_runs_read_in_order_with_their_attributes(self):
        attrs, runs = clocklab.read_runs(self.sync)
        self.assertEqual(attrs["schema"], "clocklab/1")
        self.assertEqual([r["name"] for r in runs], ["run000", "run001"])
        self.assertEqual(runs[0]["attrs"]["algorithm"], "berkeley")
        self.assertEqual(runs[0]["n"], 5)
        self.assertIsNone(runs[1]["clock"])

    def test_final_skew_excludes_crashed_includes_recovered(self):
        run = self.runs(self.sync)["run000"]
        self.assertAlmostEqual(clocklab.final_skew(run), syn.SYNC_FINAL_SKEW, places=12)

    def test_max_abs_offset_ignores_samples_while_down(self):
        run = self.runs(self.sync)["run000"]
        self.assertAlmostEqual(clocklab.max_abs_offset(run), syn.SYNC_MAX_ABS, places=12)

    def test_alive_mask_leaves_out_nodes_down_at_the_time(self):
        run = self.runs(self.sync)["run000"]
        self.assertEqual(clocklab.alive_mask(run).tolist(), [True, True, True, False, True])
        self.assertEqual(clocklab.alive_mask(run, 0.5).tolist(), [True, True, True, False, False])
        self.assertEqual(clocklab.alive_mask(run, 0.1).tolist(), [True] * 5)

    def test_skew_envelope_spans_lowest_to_highest_offset(self):
        run = self.runs(self.sync)["run000"]
        lo, hi = clocklab.skew_envelope(run)
        self.assertAlmostEqual(hi[0], 90 * MS)
        self.assertAlmostEqual(lo[0], -60 * MS)
        self.assertAlmostEqual(hi[-1] - lo[-1], syn.SYNC_FINAL_SKEW)

    def test_total_messages_sums_every_type(self):
        runs = self.runs(self.sync)
        self.assertEqual(clocklab.total_messages(runs["run000"]), syn.SYNC_MESSAGES)
        self.assertEqual(clocklab.total_messages(runs["run001"]), syn.BULLY_MESSAGES)
        self.assertEqual(runs["run000"]["messages"]["types"], syn.SYNC_TYPES)

    def test_leader_counts_alive_nodes_only(self):
        run = self.runs(self.sync)["run001"]
        self.assertEqual(clocklab.leader(run), syn.BULLY_EXPECTED_LEADER)

    def test_leader_none_decided_is_minus_one(self):
        run = self.runs(self.sync)["run001"]
        run["election"]["leader"] = np.array([-1, -1, -1, 4, 4])
        self.assertEqual(clocklab.leader(run), -1)

    def test_no_election_no_clock_give_none(self):
        runs = self.runs(self.sync)
        self.assertIsNone(clocklab.leader(runs["run000"]))
        self.assertIsNone(clocklab.final_skew(runs["run001"]))
        self.assertIsNone(clocklab.max_abs_offset(runs["run001"]))

    def test_labels_fall_back_to_node_i(self):
        run = self.runs(self.sync)["run000"]
        self.assertEqual(run["nodes"]["label"], ["master", "node 1", "b", "node 3", "node 4"])
        combo = self.runs(self.combo)["run000"]
        self.assertEqual(combo["nodes"]["label"], ["a", "b", "c"])

    def test_leader_intervals_from_history(self):
        run = self.runs(self.sync)["run001"]
        lanes = clocklab.leader_intervals(run)
        self.assertEqual(lanes[0], [(0.01, 0.25, 4), (0.25, 0.40, -1), (0.40, 0.5, 2)])
        self.assertEqual(lanes[2][-1], (0.25, 0.5, -1))
        self.assertEqual(lanes[4], [(0.0, 0.5, 4)])

    def test_interrupted_run_metrics_use_its_partial_last_row(self):
        run = self.runs(self.combo, events=True)["run000"]
        self.assertEqual(run["attrs"]["status"], "interrupted")
        self.assertAlmostEqual(clocklab.final_skew(run), syn.COMBO_FINAL_SKEW, places=12)
        self.assertAlmostEqual(clocklab.max_abs_offset(run), syn.COMBO_MAX_ABS, places=12)
        self.assertEqual(clocklab.total_messages(run), syn.COMBO_MESSAGES)
        self.assertEqual(clocklab.leader(run), syn.COMBO_LEADER)
        self.assertEqual(run["events"]["table"]["kind"].tolist(), [0, 1])

    def test_foreign_and_missing_files_raise(self):
        with self.assertRaisesRegex(clocklab.ClocklabError, "foreign.h5.*clocklab/1"):
            clocklab.read_runs(self.foreign)
        with self.assertRaisesRegex(clocklab.ClocklabError, "nope.h5"):
            clocklab.read_runs(os.path.join(self.dir, "nope.h5"))


class PlotScriptTest(FilesMixin, unittest.TestCase):
    """``clocklab plot`` as a command (a separate process, as a user runs it)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.out = os.path.join(cls.dir, "figs")
        cls.result = run_module("plot", cls.sync, cls.combo, "-o", cls.out)

    def test_exit_status_zero(self):
        self.assertEqual(self.result.returncode, 0, self.result.stderr)

    def test_expected_pngs_written(self):
        expected = {"sync_run000_offset.png", "sync_run000_messages.png",
                    "sync_run001_messages.png", "sync_run001_election.png",
                    "combo_run000_offset.png", "combo_run000_messages.png",
                    "combo_run000_election.png"}
        self.assertEqual(set(os.listdir(self.out)), expected)
        for name in expected:
            with open(os.path.join(self.out, name), "rb") as fh:
                data = fh.read()
            self.assertTrue(data.startswith(b"\x89PNG"), name)
            self.assertGreater(len(data), 5000, name)

    def test_summary_table_gives_the_constructed_numbers(self):
        rows = parse_table(self.result.stdout)
        self.assertEqual(set(rows), {("sync.h5", "run000"), ("sync.h5", "run001"),
                                     ("combo.h5", "run000")})
        sync = rows[("sync.h5", "run000")]
        self.assertEqual((sync["algorithm"], sync["nodes"], sync["status"]),
                         ("berkeley", "5", "complete"))
        self.assertAlmostEqual(float(sync["final_skew_ms"]), syn.SYNC_FINAL_SKEW / MS, 4)
        self.assertAlmostEqual(float(sync["max_abs_offset_ms"]), syn.SYNC_MAX_ABS / MS, 4)
        self.assertEqual(int(sync["messages"]), syn.SYNC_MESSAGES)
        self.assertEqual(sync["leader"], "-")
        bully = rows[("sync.h5", "run001")]
        self.assertEqual(int(bully["leader"]), syn.BULLY_EXPECTED_LEADER)
        self.assertEqual(int(bully["messages"]), syn.BULLY_MESSAGES)
        self.assertEqual(bully["final_skew_ms"], "-")
        combo = rows[("combo.h5", "run000")]
        self.assertEqual(combo["algorithm"], "bully+berkeley")
        self.assertAlmostEqual(float(combo["final_skew_ms"]), syn.COMBO_FINAL_SKEW / MS, 4)
        self.assertEqual(int(combo["leader"]), syn.COMBO_LEADER)

    def test_summary_columns_aligned(self):
        lines = self.result.stdout.splitlines()
        self.assertEqual(len(lines), 4)  # header + 3 runs
        self.assertEqual(lines[1].index("berkeley"), lines[0].index("algorithm"))
        self.assertEqual({len(line) for line in lines}, {len(lines[0])})  # last column flush

    def test_format_pdf_writes_pdf_figures(self):
        out = os.path.join(self.dir, "pdfs")
        result = run_plot(self.combo, "-o", out, "--format", "pdf")
        self.assertEqual(result.returncode, 0, result.stderr)
        names = sorted(os.listdir(out))
        self.assertEqual(names, ["combo_run000_election.pdf", "combo_run000_messages.pdf",
                                 "combo_run000_offset.pdf"])
        with open(os.path.join(out, names[0]), "rb") as fh:
            self.assertTrue(fh.read(5) == b"%PDF-")

    def test_default_outdir_is_figures(self):
        with tempfile.TemporaryDirectory() as cwd:
            result = run_plot(self.combo, cwd=cwd)
            self.assertEqual(result.returncode, 0, result.stderr)
            self.assertIn("combo_run000_offset.png", os.listdir(os.path.join(cwd, "figures")))

    def test_help_prints_usage_and_exits_0(self):
        result = run_plot("--help")
        self.assertEqual(result.returncode, 0)
        self.assertIn("usage:", result.stdout)
        self.assertIn("--format", result.stdout)

    def test_summary_command_is_the_table_alone(self):
        result = run_cli("summary", self.sync, self.combo)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(result.stdout, self.result.stdout)

    def test_entry_script_finds_the_package_beside_it(self):
        # analysis/clocklab-analysis without PYTHONPATH, from another directory
        with tempfile.TemporaryDirectory() as cwd:
            result = run_script("clocklab-analysis", "plot", self.sync, "--no-plots", cwd=cwd)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(set(parse_table(result.stdout)), {("sync.h5", "run000"),
                                                          ("sync.h5", "run001")})


class PlotScriptErrorTest(FilesMixin, unittest.TestCase):
    """Bad input: non-zero exit, one message naming the file, nothing written."""

    def assert_fails_naming(self, bad, *extra):
        out = os.path.join(self.dir, "not_written_" + self.id().rsplit(".", 1)[-1])
        result = run_plot(self.sync, bad, *extra, "-o", out)
        self.assertNotEqual(result.returncode, 0)
        self.assertIn(bad, result.stderr)
        self.assertNotIn("Traceback", result.stderr)
        self.assertEqual(len(result.stderr.strip().splitlines()), 1, result.stderr)
        self.assertFalse(os.path.exists(out), "figures written despite the error")
        return result

    def test_missing_file_fails_with_no_such_file(self):
        result = self.assert_fails_naming(os.path.join(self.dir, "missing.h5"))
        self.assertIn("no such file", result.stderr)

    def test_foreign_hdf5_file_fails_naming_the_schema(self):
        result = self.assert_fails_naming(self.foreign)
        self.assertIn("clocklab/1", result.stderr)

    def test_non_hdf5_file_fails_naming_it(self):
        text = os.path.join(self.dir, "notes.h5")
        with open(text, "w") as fh:
            fh.write("not hdf5\n")
        self.assert_fails_naming(text)


if __name__ == "__main__":
    unittest.main()
