#!/usr/bin/env python3
"""Node labels ([nodes] labels, nodes/label) wherever a node is named:
the summary, the run table, the election figure; runs without labels keep
the indices.

Run:  PYTHONPATH=analysis /usr/bin/python3 -m unittest discover -s tests/analysis
"""

import csv
import io
import os
import tempfile
import unittest
from unittest import mock

import clocklab
import synthetic as syn
from clocklab.commands import plot
from helpers import run_cli
from real_output import output_dir
from test_plot import parse_table


def summary_rows(stdout):
    """The summary table of one file as {run: {column: text}} (labels have no spaces here)."""
    return {run: row for (_, run), row in parse_table(stdout).items()}


class LabelledFile(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        cls.path = os.path.join(cls.tmp.name, "labelled.h5")
        syn.write_labelled_file(cls.path)
        cls.runs = {run["name"]: run for run in clocklab.read_files(cls.path)}

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def test_node_names_use_labels_or_fall_back_to_indices(self):
        run = self.runs["run000"]
        self.assertTrue(clocklab.has_labels(run))
        self.assertEqual(clocklab.node_label(run, 3), "P4")
        self.assertEqual(clocklab.node_name(run, 3), "P4 (node 3)")
        self.assertEqual(clocklab.node_name(run, -1), "none")
        bare = self.runs["run002"]
        self.assertFalse(clocklab.has_labels(bare))
        self.assertIsNone(clocklab.node_label(bare, 3))
        self.assertEqual(clocklab.node_name(bare, 3), "node 3")

    def test_summary_has_the_labels_beside_the_indices(self):
        result = run_cli("summary", self.path)
        self.assertEqual(result.returncode, 0, result.stderr)
        rows = summary_rows(result.stdout)
        self.assertEqual(rows["run000"]["leader"], str(syn.LABELLED_LEADER))
        self.assertEqual(rows["run000"]["leader_label"], syn.LABELS[syn.LABELLED_LEADER])
        self.assertEqual(rows["run001"]["winner"], str(syn.LABELLED_WINNER))
        self.assertEqual(rows["run001"]["winner_label"], syn.LABELS[syn.LABELLED_WINNER])
        self.assertEqual(rows["run002"]["leader_label"], "-")  # no labels: the index alone
        header = result.stdout.splitlines()[0].split()
        self.assertEqual(header.index("leader_label"), header.index("leader") + 1)

    def test_summary_without_labels_has_no_label_columns(self):
        path = os.path.join(self.tmp.name, "sync.h5")
        syn.write_sync_file(path)  # the bully run has no labels
        result = run_cli("summary", path)
        self.assertNotIn("leader_label", result.stdout)
        self.assertEqual(summary_rows(result.stdout)["run001"]["leader"],
                         str(syn.BULLY_EXPECTED_LEADER))

    def test_table_has_label_columns_beside_the_indices(self):
        result = run_cli("table", self.path)
        self.assertEqual(result.returncode, 0, result.stderr)
        reader = csv.DictReader(io.StringIO(result.stdout))
        columns = reader.fieldnames
        self.assertEqual(columns.index("leader_label"), columns.index("leader") + 1)
        self.assertEqual(columns.index("winner_label"), columns.index("winner") + 1)
        rows = {row["run"]: row for row in reader}
        self.assertEqual((rows["run000"]["leader"], rows["run000"]["leader_label"]),
                         (str(syn.LABELLED_LEADER), "P4"))
        self.assertEqual((rows["run001"]["winner"], rows["run001"]["winner_label"]),
                         (str(syn.LABELLED_WINNER), "P3"))
        self.assertEqual(rows["run002"]["leader_label"], "")

    def election_texts(self, run):
        """Title and legend texts of the election figure of ``run``."""
        figures = []
        with mock.patch.object(plot, "save", lambda fig, path: figures.append(fig)):
            plot.plot_election(run, "labelled", "unused.png")
        ax = figures[0].axes[0]
        return ax.get_title(), [t.get_text() for t in ax.get_legend().get_texts()]

    def test_election_figure_names_the_leader_by_label(self):
        title, legend = self.election_texts(self.runs["run000"])
        self.assertIn("final: P4 (node 3)", title)
        self.assertIn("leader P4 (node 3)", legend)
        self.assertIn("leader P5 (node 4)", legend)
        title, legend = self.election_texts(self.runs["run002"])
        self.assertIn("final: node 3", title)
        self.assertIn("leader node 3", legend)

    def test_raffle_winner_by_label_in_the_logical_figure(self):
        run = dict(self.runs["run001"], events={"table": [None] * 3})
        self.assertEqual(plot.events_text(run), "3 events, raffle winner P3 (node 2)")


@unittest.skipIf(output_dir() is None, "no clocklab binary to write the files")
class RealLabels(unittest.TestCase):
    def test_bully_scenario_names_p9(self):
        # experiments/bully.ini: "P9 becomes the coordinator"; P9 is node 8
        path = os.path.join(output_dir(), "bully.h5")
        result = run_cli("summary", path)
        row = summary_rows(result.stdout)["run000"]
        self.assertEqual((row["leader"], row["leader_label"]), ("8", "P9"))
        run = clocklab.read_files(path)[0]
        self.assertEqual(clocklab.node_name(run, clocklab.leader(run)), "P9 (node 8)")

    def test_default_scenario_keeps_indices(self):
        # the default scenario sets no labels: nodes/label holds "" for each
        run = clocklab.read_files(os.path.join(output_dir(), "default.h5"))[0]
        self.assertFalse(clocklab.has_labels(run))
        self.assertEqual(clocklab.node_name(run, 1), "node 1")


if __name__ == "__main__":
    unittest.main()
