#!/usr/bin/env python3
"""The analysis on files clocklab itself wrote (real_output.py; under ctest
the fixture analysis.output writes them in the same run).

Expected values come from the files read with h5py alone, never through
the package, and from the literature: LCR with decreasing ids sends
n(n+1)/2 ELECTION messages (Lynch, Distributed Algorithms, 3.3); the
mutual-exclusion algorithms 3, 2(n-1) and 3(n-1) messages per entry
(Coulouris et al. 15.2; Ricart & Agrawala 1981; Lamport 1978); vector
clocks V(a) < V(b) exactly when a -> b (Fidge 1988, Mattern 1988); the t
quantile t_{2, 0.975} = 4.303 of the printed table.

Run:  PYTHONPATH=analysis /usr/bin/python3 -m unittest discover -s tests/analysis
"""

import csv
import io
import math
import os
import re
import tempfile
import unittest

import h5py
import numpy as np

import clocklab
import real_output
from clocklab import causality, schema
from clocklab.commands import sweep
from helpers import SOURCE, run_cli
from test_shiviz import parse

OUT = None


def setUpModule():
    global OUT
    OUT = real_output.output_dir()
    if OUT is None:
        raise unittest.SkipTest(f"no clocklab binary at {real_output.BINARY} to write files with")


def path(name):
    return os.path.join(OUT, name)


def raw_runs(name):
    """[(run name, h5py group)] of a file, and the open file."""
    f = h5py.File(path(name), "r")
    return f, [(k, f["runs"][k]) for k in sorted(f["runs"])]


def raw_sent(group, type_name=None):
    """Messages sent (of one type, or all) from messages/ read with h5py."""
    types = [t.decode() if isinstance(t, bytes) else t for t in group["messages/types"][()]]
    sent = group["messages/sent"][()].sum(axis=0)
    return int(sum(c for t, c in zip(types, sent) if type_name in (None, t)))


def expand_braces(text):
    """'a_{x,y}_{1,2}' -> {'a_x_1', 'a_x_2', 'a_y_1', 'a_y_2'}."""
    m = re.search(r"\{([^{}]*)\}", text)
    if not m:
        return {text}
    return set().union(*(expand_braces(text[:m.start()] + alt + text[m.end():])
                         for alt in m.group(1).split(",")))


def documented_datasets(design):
    """The dataset paths the schema table of docs/schema.md lists (first
    cells like "nodes/crashed_at, recovered_at" or "fidelity/{a,b}_{c,d}"),
    results/ (any names) left out."""
    names = set()
    for line in design.splitlines():
        cell = line.split("|")[1].strip() if line.startswith("| ") else ""
        if not re.fullmatch(r"[a-z]+/[\w{},/ ]+", cell):
            continue
        cell = re.sub(r"\{[^}]*\}", lambda m: m.group(0).replace(" ", ""), cell)
        group = cell.split("/")[0]
        for part in cell.split(", "):
            names |= expand_braces(part if "/" in part else f"{group}/{part}")
    return names


class SchemaOnRealFiles(unittest.TestCase):
    """What clocklab writes is what clocklab.schema names, and docs/schema.md documents."""

    def test_every_group_dataset_field_and_enum_is_named(self):
        seen = set()
        for name in real_output.FILES:
            f, runs = raw_runs(name)
            with f:
                self.assertEqual(f.attrs["schema"], schema.SCHEMA)
                self.assertLessEqual(set(f.attrs), set(schema.FILE_ATTRS), name)
                for run_name, g in runs:
                    self.assertLessEqual(set(g.attrs), set(schema.RUN_ATTRS), run_name)
                    for group in g:
                        self.assertIn(group, schema.DATASETS, f"{name} {run_name}")
                        allowed = schema.DATASETS[group]
                        for ds in g[group]:
                            if allowed is not None:
                                self.assertIn(ds, allowed, f"{name} {run_name} {group}/{ds}")
                            seen.add(f"{group}/{ds}" if allowed is not None else group)
                            fields = g[group][ds].dtype.names
                            key = f"{group}/{ds}"
                            if fields:
                                self.assertEqual(fields, schema.FIELDS[key], key)
                                for field in fields:
                                    enum = h5py.check_enum_dtype(g[group][ds].dtype[field])
                                    if enum is not None:
                                        self.assertEqual(enum, schema.ENUMS[(key, field)], key)
        # these files exercise most of the schema
        for ds in ("clock/rounds", "clock/models", "events/table", "events/vector",
                   "requests/table", "mutex/sections", "fidelity/cpu_time", "election/history"):
            self.assertIn(ds, seen)

    def test_design_document_names_every_dataset(self):
        page = next(p for p in (os.path.join(SOURCE, "docs", name)
                                for name in ("schema.md", "design.md")) if os.path.exists(p))
        with open(page) as fh:
            documented = documented_datasets(fh.read())
        self.assertEqual(documented, set(schema.dataset_paths()))


class RunTableOnRealFiles(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.frame = clocklab.table([path(name) for name in real_output.FILES])

    def row(self, name, run="run000"):
        rows = self.frame[(self.frame["file"] == name) & (self.frame["run"] == run)]
        self.assertEqual(len(rows), 1)
        return rows.iloc[0]

    def test_one_row_per_run(self):
        total = 0
        for name in real_output.FILES:
            f, runs = raw_runs(name)
            with f:
                total += len(runs)
        self.assertEqual(len(self.frame), total)

    def test_run_and_config_columns_come_from_the_file(self):
        f, runs = raw_runs("cr.h5")
        with f:
            for run_name, g in runs:
                row = self.row("cr.h5", run_name)
                self.assertEqual(row["seed"], g.attrs["seed"])
                self.assertEqual(row["experiment.seed"], g.attrs["seed"])  # from the config
                self.assertEqual(row["nodes"], g.attrs["nodes"])
                self.assertEqual(row["election.ids"], "random")
                self.assertEqual(row["messages.ELECTION"], raw_sent(g, "ELECTION"))
        self.assertEqual(self.row("default.h5")["experiment.algorithm"], "bully+berkeley")
        self.assertEqual(self.row("default.h5")["time"], "virtual")
        self.assertEqual(self.row("real.h5")["time"], "real")

    def test_clock_and_election_metrics_match_the_file(self):
        f, runs = raw_runs("default.h5")
        with f:
            g = runs[0][1]
            offsets = g["clock/offset"][()]
            alive = np.isnan(g["nodes/crashed_at"][()]) | np.isfinite(g["nodes/recovered_at"][()])
            last = offsets[-1][alive]
            leaders = g["election/leader"][()][alive]
            decided = g["election/decided_at"][()][alive]
            crashed = int(np.flatnonzero(~alive)[0])
            ids = g["election/ids"][()]
        row = self.row("default.h5")
        self.assertAlmostEqual(row["final_skew"], last.max() - last.min(), places=15)
        # Bully: the coordinator crashed; the highest alive id wins
        self.assertTrue(np.all(leaders == row["leader"]))
        best = max((i for i in range(len(ids)) if i != crashed), key=lambda i: ids[i])
        self.assertEqual(row["leader"], best)
        self.assertAlmostEqual(row["decided_at"], decided.max(), places=15)
        self.assertTrue(math.isnan(row["lateness_p99"]))  # virtual time: no fidelity/

    def test_fidelity_columns_match_a_real_time_run(self):
        f, runs = raw_runs("real.h5")
        with f:
            fid = runs[0][1]["fidelity"]
            # a node without timers (or deliveries) has NaN there
            worst = np.nanmax(np.concatenate([fid["delivery_p99"][()], fid["timer_p99"][()]]))
            cpu = fid["cpu_time"][()].sum()
        row = self.row("real.h5")
        self.assertAlmostEqual(row["lateness_p99"], worst, places=15)
        self.assertAlmostEqual(row["cpu_time"], cpu, places=12)
        self.assertGreater(row["adjustments"], 0)

    def test_mutex_messages_per_entry_match_theory(self):
        n = 4
        expected = {"mutex_central": 3, "ricart_agrawala": 2 * (n - 1),
                    "lamport_mutex": 3 * (n - 1)}
        rows = self.frame[self.frame["file"] == "mutex.h5"]
        got = dict(zip(rows["algorithm"], rows["messages_per_entry"]))
        for algorithm, value in expected.items():
            self.assertEqual(got[algorithm], value, algorithm)
        # 5 entries per node; the central coordinator never asks
        self.assertEqual((rows["entries"] == 5 * (rows["nodes"]
                                                  - (rows["algorithm"] == "mutex_central"))).all(),
                         True)

    def test_request_columns_match_the_requests_table(self):
        f, runs = raw_runs("dispatch.h5")
        with f:
            t = runs[0][1]["requests/table"][()]
            served = h5py.check_enum_dtype(t.dtype["status"])["SERVED"]
            ok = t[t["status"] == served]
            sojourn = (ok["finished"] - ok["arrived"]).mean()
        row = self.row("dispatch.h5")
        self.assertEqual(row["requests"], len(t))
        self.assertEqual(row["requests.served"], len(ok))
        self.assertAlmostEqual(row["sojourn_mean"], sojourn, places=12)
        self.assertGreater(row["largest_queue"], 0)

    def test_csv_has_the_same_rows(self):
        result = run_cli("table", path("lcr.h5"), path("mutex.h5"))
        self.assertEqual(result.returncode, 0, result.stderr)
        rows = list(csv.DictReader(io.StringIO(result.stdout)))
        self.assertEqual(len(rows), 7 + 5)
        self.assertEqual([r["nodes"] for r in rows[:7]], [str(n) for n in range(2, 9)])
        self.assertEqual([int(r["messages.ELECTION"]) for r in rows[:7]],
                         [n * (n + 1) // 2 for n in range(2, 9)])
        self.assertEqual(rows[8]["ricart_agrawala.hold"], "constant(1ms)")
        self.assertEqual(rows[8]["messages.ELECTION"], "0")  # a type the run did not send


class SweepOnRealFiles(unittest.TestCase):
    def test_lcr_worst_case_and_chang_roberts_intervals(self):
        with tempfile.TemporaryDirectory() as tmp:
            figure = os.path.join(tmp, "ring.png")
            result = run_cli("sweep", path("lcr.h5"), path("cr.h5"), "--x", "nodes",
                             "--y", "messages.ELECTION", "--by", "ids", "--theory",
                             "reverse=lcr", "--theory", "random=chang_roberts", "-o", figure)
            self.assertEqual(result.returncode, 0, result.stderr)
            with open(figure, "rb") as fh:
                self.assertTrue(fh.read(8).startswith(b"\x89PNG"))
        groups, _, theories, _ = sweep.sweep(
            [path("lcr.h5"), path("cr.h5")], "nodes", ["messages.ELECTION"], ["election.ids"])
        by = {g["key"]: g for g in groups}
        lcr = by["reverse"]
        self.assertEqual(lcr["x"], list(range(2, 9)))
        self.assertEqual(lcr["mean"], [n * (n + 1) / 2 for n in range(2, 9)])
        cr = by["random"]
        f, runs = raw_runs("cr.h5")
        with f:
            per_n = {}
            for _, g in runs:
                per_n.setdefault(int(g.attrs["nodes"]), []).append(raw_sent(g, "ELECTION"))
        self.assertEqual(cr["x"], sorted(per_n))
        self.assertEqual(cr["count"], [3] * len(per_n))
        for k, n in enumerate(sorted(per_n)):
            x = np.array(per_n[n], float)
            self.assertAlmostEqual(cr["mean"][k], x.mean())
            expected = 4.303 * x.std(ddof=1) / math.sqrt(3)  # the table's 4 digits
            if expected == 0:
                self.assertEqual(cr["half"][k], 0.0)
            else:
                self.assertAlmostEqual(cr["half"][k] / expected, 1.0, places=3)
        # the printed table: LCR's column gives measured (theory), equal
        lines = result.stdout.splitlines()
        self.assertEqual(lines[0], "| nodes | random (n·H_n) | reverse (n(n+1)/2) |")
        self.assertIn("| 8 |  | 36 (36) |", lines)

    def test_complexity_prints_the_table_and_missing_groups(self):
        with tempfile.TemporaryDirectory() as tmp:
            result = run_cli("complexity", path("lcr.h5"), path("cr.h5"), "--rows", "4,8",
                             "-o", os.path.join(tmp, "c.png"))
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertIn("| 8 |  | 36 (36) |", result.stdout)
        self.assertIn("no runs of group bully/rank", result.stderr)

    def test_unknown_column_is_one_clear_error(self):
        result = run_cli("sweep", path("lcr.h5"), "--x", "nodes", "--y", "no_such_metric")
        self.assertEqual(result.returncode, 1)
        self.assertIn("no column 'no_such_metric'", result.stderr)
        self.assertEqual(len(result.stderr.strip().splitlines()), 1)


class ShivizOnRealFiles(unittest.TestCase):
    def test_every_run_is_an_execution_with_its_recorded_vectors(self):
        result = run_cli("shiviz", path("vector.h5"))
        self.assertEqual(result.returncode, 0, result.stderr)
        _, executions = parse(result.stdout)
        self.assertEqual(list(executions), ["run000: vector, 4 nodes, seed 42",
                                            "run001: vector, 4 nodes, seed 43"])
        f, runs = raw_runs("vector.h5")
        with f:
            for (run_name, g), events in zip(runs, executions.values()):
                table = g["events/table"][()]
                self.assertEqual(len(events), len(table))
                labels = [x.decode() or f"node{i}"  # node<i>: no label
                          for i, x in enumerate(g["nodes/label"][()])]
                # each host's vectors in its seq order are the recorded ones
                for node, host in enumerate(labels):
                    mine = np.flatnonzero(table["node"] == node)
                    mine = mine[np.argsort(table["seq"][mine])]
                    recorded = g["events/vector"][()][mine]
                    written = [c for _, h, c in events if h == host]
                    self.assertEqual(written, [{labels[j]: int(v) for j, v in enumerate(r) if v}
                                               for r in recorded], f"{run_name} {host}")
                # a message label names its sender and its number there
                sends = {}
                for event, host, _ in events:
                    m = re.search(r"msg=(\S+):(\d+)", event)
                    if m and event.startswith("SEND"):
                        self.assertEqual(m[1], host)
                        sends.setdefault(host, []).append(int(m[2]))
                for host, numbers in sends.items():
                    self.assertEqual(sorted(numbers), list(range(1, len(numbers) + 1)), host)

    def test_happens_before_matches_the_recorded_vectors(self):
        f, runs = raw_runs("vector.h5")
        with f:
            table = runs[0][1]["events/table"][()]
            vectors = runs[0][1]["events/vector"][()]
        bad, hb = causality.vector_mismatches(table, vectors)
        self.assertEqual(bad, [])
        self.assertGreater(int(hb.sum()), len(table))


class PlotOnRealFiles(unittest.TestCase):
    def test_plot_writes_figures_of_each_kind(self):
        with tempfile.TemporaryDirectory() as tmp:
            result = run_cli("plot", path("default.h5"), path("vector.h5"), "-o", tmp)
            self.assertEqual(result.returncode, 0, result.stderr)
            names = set(os.listdir(tmp))
        self.assertLessEqual({"default_run000_offset.png", "default_run000_messages.png",
                              "default_run000_election.png", "vector_run000_logical.png",
                              "vector_run001_logical.png"}, names)


if __name__ == "__main__":
    unittest.main()
