#!/usr/bin/env python3
"""The package as a library and the commands' behaviour on their inputs:
one path or a list, DataFrame readers against the schema, --version,
unreadable inputs (exit 2, one message naming the path), figure names of
inputs with one file name, the sweep's default grouping.

Run:  PYTHONPATH=analysis /usr/bin/python3 -m unittest discover -s tests/analysis
"""

import os
import pathlib
import re
import tempfile
import unittest

import h5py
import numpy as np

import clocklab
import synthetic as syn
from clocklab import frames, schema
from helpers import SOURCE, VERSION_LINE, run_cli, run_module
from real_output import output_dir
from test_plot import FilesMixin
from test_table_sweep import SweepFile


class Files(FilesMixin, unittest.TestCase):
    """FilesMixin's files and logical.h5 (write_logical_file) at cls.logical."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.logical = os.path.join(cls.dir, "logical.h5")
        syn.write_logical_file(cls.logical)


class OnePathOrMany(Files):
    def test_table_of_a_str_path_is_one_row_per_run(self):
        frame = clocklab.table(self.sync)  # not one "file" per character of the path
        self.assertEqual(len(frame), 2)
        self.assertEqual(frame["run"].tolist(), ["run000", "run001"])
        self.assertEqual(len(clocklab.table(pathlib.Path(self.sync))), 2)
        self.assertEqual(len(clocklab.table([self.sync, self.logical])), 5)

    def test_readers_take_a_path(self):
        self.assertEqual([r["name"] for r in clocklab.read_files(self.sync)], ["run000", "run001"])
        self.assertEqual(len(clocklab.read_files(pathlib.Path(self.sync))), 2)
        self.assertEqual(len(clocklab.read_rounds(self.sync)), len(syn.berkeley_rounds()))
        self.assertEqual(len(clocklab.read_rounds([self.sync, self.sync])),
                         2 * len(syn.berkeley_rounds()))

    def test_missing_file_raises_naming_it(self):
        missing = os.path.join(self.dir, "nope.h5")
        for read in (clocklab.table, clocklab.read_files, clocklab.read_events,
                     clocklab.read_nodes):
            with self.assertRaisesRegex(clocklab.ClocklabFileError, re.escape(missing)):
                read([self.sync, missing])


class DataFrames(Files):
    def check_against_file(self, frame, path, dataset):
        """Columns: file, run, then the file's fields; dtypes as the file's."""
        with h5py.File(path, "r") as f:
            tables = [f["runs"][name][dataset][()] for name in sorted(f["runs"])
                      if dataset in f["runs"][name]]
        fields = tables[0].dtype.names
        self.assertEqual(tuple(frame.columns), ("file", "run") + fields)
        self.assertEqual(fields, tuple(f for f in schema.FIELDS[dataset] if f in fields))
        for field in fields:
            self.assertEqual(frame[field].dtype, tables[0].dtype[field].base, field)
        self.assertEqual(len(frame), sum(len(t) for t in tables))
        for field in fields:
            np.testing.assert_array_equal(frame[field].to_numpy(),
                                          np.concatenate([t[field] for t in tables]))
            mapping = h5py.check_enum_dtype(tables[0].dtype[field])
            if mapping is not None:
                self.assertEqual(frame.attrs["enums"][field],
                                 {str(k): int(v) for k, v in mapping.items()}, field)
        self.assertEqual(set(frame["file"]), {path})
        return frame

    def test_rounds_and_events_frames_match_the_file(self):
        rounds = self.check_against_file(clocklab.read_rounds(self.sync), self.sync, "clock/rounds")
        self.assertEqual(rounds.attrs["units"]["rtt"], "s")
        events = self.check_against_file(clocklab.read_events(self.logical), self.logical,
                                         "events/table")
        self.assertEqual(events.attrs["enums"]["kind"], schema.EVENT_KINDS)
        self.assertEqual(sorted(set(events["run"])), ["run000", "run001"])

    def test_history_and_nodes_frames_match_the_file(self):
        self.check_against_file(clocklab.read_history(self.sync), self.sync, "election/history")
        nodes = clocklab.read_nodes(self.sync)
        first = nodes[nodes["run"] == "run000"]
        self.assertEqual(first["label"].tolist(), ["master", "node 1", "b", "node 3", "node 4"])
        self.assertEqual(first["named"].tolist(), [True, False, True, False, False])
        np.testing.assert_array_equal(first["initial_offset"], syn.SYNC_THETA)

    def test_offsets_and_messages_read_in_long_form(self):
        offsets = clocklab.read_offsets(self.sync)
        self.assertEqual(len(offsets), 101 * 5)
        last = offsets[offsets["sample"] == 100]
        np.testing.assert_allclose(last["offset"][last["node"] == 0], syn.SYNC_FINAL[0])
        messages = clocklab.read_messages(self.sync)
        first = messages[messages["run"] == "run000"]
        self.assertEqual(int(first["sent"].sum()), syn.SYNC_MESSAGES)
        self.assertEqual(first["type"].tolist()[:3], syn.SYNC_TYPES)

    def test_evaluation_frame_has_schema_columns_and_units(self):
        path = os.path.join(self.dir, "evaluation.h5")
        syn.write_sync_file(path)
        with h5py.File(path, "r+") as f:
            g = f["runs/run000"].create_group("evaluation")
            g["node"] = np.array([1, 2], "<i4")
            g["samples"] = np.array([100, 90], "<i4")
            for name in ("at", "time", "offset", "rtt_min", "true_offset"):
                g[name] = np.array([0.5, 1.0])
        frame = clocklab.read_evaluation(path)
        self.assertEqual(tuple(frame.columns), ("file", "run") + schema.DATASETS["evaluation"])
        self.assertEqual(frame["node"].tolist(), [1, 2])
        self.assertEqual(frame["samples"].dtype, np.int32)
        self.assertEqual(frame.attrs["units"]["rtt_min"], "s")

    def test_no_rows_keeps_the_schema_columns(self):
        frame = clocklab.read_sections(self.sync)
        self.assertEqual(len(frame), 0)
        self.assertEqual(tuple(frame.columns), ("file", "run") + schema.FIELDS["mutex/sections"])

    def test_unknown_dataset_raises_naming_it(self):
        with self.assertRaisesRegex(ValueError, "clock/nope"):
            clocklab.read_table(self.sync, "clock/nope")

    def test_every_table_has_a_reader_with_a_docstring(self):
        for dataset in frames.COMPOUND:
            self.assertIn(dataset, schema.FIELDS)
        for name in ("read_rounds", "read_models", "read_history", "read_events",
                     "read_requests", "read_queue", "read_sections", "read_evaluation",
                     "read_nodes", "read_offsets", "read_messages", "read_table"):
            self.assertTrue(getattr(clocklab, name).__doc__, name)

    @unittest.skipIf(output_dir() is None, "no clocklab binary to write the files")
    def test_real_files_read_into_frames_of_the_schema(self):
        out = output_dir()
        for read, name, dataset in ((clocklab.read_events, "vector.h5", "events/table"),
                                    (clocklab.read_requests, "dispatch.h5", "requests/table"),
                                    (clocklab.read_queue, "dispatch.h5", "requests/queue"),
                                    (clocklab.read_sections, "mutex.h5", "mutex/sections"),
                                    (clocklab.read_rounds, "real.h5", "clock/rounds"),
                                    (clocklab.read_models, "hpcsync.h5", "clock/models"),
                                    (clocklab.read_history, "bully.h5", "election/history")):
            path = os.path.join(out, name)
            frame = self.check_against_file(read(path), path, dataset)
            self.assertEqual(tuple(frame.columns), ("file", "run") + schema.FIELDS[dataset])
            self.assertGreater(len(frame), 0, dataset)
        status = clocklab.read_requests(os.path.join(out, "dispatch.h5")).attrs["enums"]["status"]
        self.assertEqual(status, schema.REQUEST_STATUS)


class Version(unittest.TestCase):
    def test_version_prints_the_version_line(self):
        result = run_cli("--version")
        self.assertEqual(result.returncode, 0)
        self.assertEqual(result.stdout, VERSION_LINE)

    def test_version_is_the_projects(self):
        with open(os.path.join(SOURCE, "CMakeLists.txt")) as fh:
            project = re.search(r"project\(clocklab VERSION ([\d.]+)", fh.read()).group(1)
        self.assertEqual(clocklab.__version__, project)


class UnreadableInputs(Files):
    """Exit 2 and one line naming the path, for every command reading files."""

    def check(self, bad, text):
        commands = (["plot", bad, "-o", os.path.join(self.dir, "never")], ["summary", bad],
                    ["table", self.sync, bad], ["sweep", bad, "--x", "nodes", "--y", "messages"],
                    ["shiviz", bad], ["accuracy", bad], ["fidelity", "summary", bad])
        for args in commands:
            result = run_cli(*args)
            self.assertEqual(result.returncode, 2, (args, result.stderr))
            self.assertIn(bad, result.stderr, args)
            self.assertIn(text, result.stderr, args)
            self.assertEqual(len(result.stderr.strip().splitlines()), 1, result.stderr)
            self.assertNotIn("Traceback", result.stderr)
        self.assertFalse(os.path.exists(os.path.join(self.dir, "never")))

    def test_missing_file_exits_2_with_no_such_file(self):
        self.check(os.path.join(self.dir, "missing.h5"), "no such file")

    def test_non_hdf5_file_exits_2_as_not_readable(self):
        path = os.path.join(self.dir, "notes.h5")
        with open(path, "w") as fh:
            fh.write("not hdf5\n")
        self.check(path, "not a readable HDF5 file")

    def test_foreign_hdf5_file_exits_2_as_not_clocklab(self):
        self.check(self.foreign, "not a clocklab/1 file")

    def test_separate_process_exits_2_with_one_line(self):
        result = run_module("summary", os.path.join(self.dir, "missing.h5"))
        self.assertEqual(result.returncode, 2)
        self.assertEqual(result.stderr,
                         f"clocklab summary: error: {self.dir}/missing.h5: no such file\n")

    def test_other_errors_stay_1(self):
        result = run_cli("sweep", self.sync, "--x", "nope", "--y", "messages")
        self.assertEqual(result.returncode, 1)


class FigureNames(Files):
    def test_same_file_name_in_two_directories(self):
        with tempfile.TemporaryDirectory() as tmp:
            for sub in ("a", "b"):
                os.makedirs(os.path.join(tmp, sub))
                syn.write_sync_file(os.path.join(tmp, sub, "run.h5"))
            out = os.path.join(tmp, "figs")
            result = run_cli("plot", "a/run.h5", "b/run.h5", "-o", out, cwd=tmp)
            self.assertEqual(result.returncode, 0, result.stderr)
            names = sorted(os.listdir(out))
            per_file = 4  # sync.h5: offset + messages of run000, messages + election of run001
            self.assertEqual(len(names), 2 * per_file, names)
            self.assertEqual(len([n for n in names if n.startswith("a_run_")]), per_file)
            self.assertEqual(len([n for n in names if n.startswith("b_run_")]), per_file)
            self.assertIn(f"wrote {2 * per_file} figure(s) to {out}", result.stderr)
            self.assertNotIn("replaced", result.stderr)
            files = {row.split()[0] for row in result.stdout.splitlines()[1:]}
            self.assertEqual(files, {"a/run.h5", "b/run.h5"})  # the summary tells them apart
            again = run_cli("plot", "b/run.h5", "a/run.h5", "-o", out, cwd=tmp)
            self.assertEqual(sorted(os.listdir(out)), names)
            self.assertIn(f"wrote {2 * per_file} figure(s) to {out} ({2 * per_file} of them "
                          "replaced", again.stderr)

    def test_figure_stems_keep_parents_until_names_differ(self):
        from clocklab.naming import figure_stems
        self.assertEqual(figure_stems(["x/a/run.h5", "y/a/run.h5", "other.h5"]),
                         ["x_a_run", "y_a_run", "other"])
        self.assertEqual(figure_stems(["run.h5", "run.h5"]), ["run", "run-2"])
        self.assertEqual(figure_stems(["a/run.h5"]), ["run"])
        # parents joined by "_" cannot tell these apart: the later one is numbered
        stems = figure_stems(["/x/a/b/run.h5", "/x/a_b/run.h5", "/x/b/run.h5"])
        self.assertEqual(len(set(stems)), 3, stems)
        self.assertEqual(stems, ["x_a_b_run", "x_a_b_run-2", "x_b_run"])


class SweepGrouping(SweepFile):
    """Without --by the runs of each algorithm are one group (sweep.h5 has
    two algorithms, alpha and beta); --by none pools them."""

    def sweep(self, *extra):
        result = run_cli("sweep", self.path, "--x", "nodes", "--y", "messages", *extra,
                         "-o", os.path.join(self.tmp.name, "s.png"))
        self.assertEqual(result.returncode, 0, result.stderr)
        return result.stdout.splitlines()[0]

    def test_default_is_one_group_per_algorithm(self):
        self.assertEqual(self.sweep(), "| nodes | alpha | beta |")

    def test_by_none_pools_every_run(self):
        self.assertEqual(self.sweep("--by", "none"), "| nodes | messages |")

    def test_library_sweep_groups_by_algorithm_by_default(self):
        from clocklab.commands import sweep
        groups = sweep.sweep(self.path, "nodes", ["messages"])[0]
        self.assertEqual([g["key"] for g in groups], ["alpha", "beta"])
        groups = sweep.sweep(self.path, "nodes", ["messages"], by=())[0]
        self.assertEqual([g["key"] for g in groups], [""])


if __name__ == "__main__":
    unittest.main()
