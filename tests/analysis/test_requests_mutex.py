#!/usr/bin/env python3
"""The requests/ and mutex/ groups in the clocklab package: reading
(clocklab.reader), the per-run figures (clocklab plot), and the
synchronization delay and messages per entry of the mutual-exclusion study
(clocklab.commands.mutex), on a synthetic file whose numbers follow from its
construction."""
import os
import tempfile
import unittest

import h5py
import numpy as np

import clocklab
import synthetic as syn
from clocklab.commands import mutex
from clocklab import schema
from helpers import run_cli

REQUEST = np.dtype([("id", "<u8"), ("client", "<i4"), ("coordinator", "<i4"), ("server", "<i4"),
                    ("status", h5py.enum_dtype(schema.REQUEST_STATUS, basetype="i4")),
                    ("attempts", "<i4"), ("dispatches", "<i4"),
                    ("served", "<i4"), ("sent", "<f8"), ("dispatched", "<f8"),
                    ("arrived", "<f8"), ("started", "<f8"), ("finished", "<f8"),
                    ("received", "<f8"), ("response_local", "<f8")])
QUEUE = np.dtype([("node", "<i4"), ("time", "<f8"), ("waiting", "<i4"), ("in_service", "<i4")])
SECTION = np.dtype([("node", "<i4"), ("seq", "<u8"), ("stamp", "<u8"), ("requested", "<f8"),
                    ("entered", "<f8"), ("exited", "<f8"), ("requested_local", "<f8"),
                    ("entered_local", "<f8"), ("exited_local", "<f8")])
NAN = float("nan")

# Requests: 3 served at servers 1 and 2, one TIMEOUT (status 1), one PENDING (3).
REQUESTS = [
    (1, 3, 0, 1, 0, 1, 1, 1, 0.10, 0.11, 0.12, 0.12, 0.15, 0.16, 0.06),
    (2, 3, 0, 2, 0, 1, 1, 1, 0.20, 0.21, 0.22, 0.22, 0.30, 0.31, 0.11),
    (3, 3, 0, 1, 0, 1, 1, 1, 0.40, 0.41, 0.42, 0.42, 0.44, 0.45, 0.05),
    (4, 3, -1, -1, 1, 4, 0, 0, 0.50, NAN, NAN, NAN, NAN, NAN, NAN),
    (5, 3, 0, 2, 3, 1, 1, 0, 0.90, 0.91, 0.92, 0.92, NAN, NAN, NAN),
]
# Sections of 3 nodes: node 1 waits while node 0 is inside (synchronization
# delay 0.30 - 0.28 = 0.02), node 2 asks only after node 1 left (no delay).
SECTIONS = [
    (0, 0, 1, 0.00, 0.01, 0.28, 0, 0, 0),
    (1, 0, 2, 0.05, 0.30, 0.40, 0, 0, 0),
    (2, 0, 3, 0.50, 0.52, 0.60, 0, 0, 0),
]


def write(path):
    with h5py.File(path, "w") as f:
        syn.write_root(f)
        g = f.create_group("runs/run000")
        syn.write_run_attrs(g, "dispatch", "service", 4)
        syn.write_nodes(g, np.zeros(4), np.full(4, np.nan))
        syn.write_messages(g, ["REQUEST", "DISPATCH", "REPLY", "DONE"],
                           np.array([[0, 4, 0, 0], [0, 0, 2, 2], [0, 0, 2, 2], [5, 0, 0, 0]]))
        g.create_dataset("requests/table", data=np.array(REQUESTS, REQUEST))
        g.create_dataset("requests/queue", data=np.array(
            [(1, 0.12, 0, 1), (1, 0.15, 0, 0), (2, 0.22, 0, 1), (2, 0.30, 0, 0)], QUEUE))
        g = f.create_group("runs/run001")
        syn.write_run_attrs(g, "ricart_agrawala", "mutual_exclusion", 3)
        g.attrs["config"] = "[network]\ndelay = constant(10ms)\n"
        syn.write_nodes(g, np.zeros(3), np.full(3, np.nan))
        syn.write_messages(g, ["REQUEST", "REPLY"], np.array([[2, 2], [2, 2], [2, 2]]))
        g.create_dataset("mutex/sections", data=np.array(SECTIONS, SECTION))


class RequestsMutex(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        cls.path = os.path.join(cls.tmp.name, "svc.h5")
        write(cls.path)
        _, cls.runs = clocklab.read_runs(cls.path)

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def test_read_gives_requests_and_sections_of_each_run(self):
        dispatch, sections = self.runs
        self.assertEqual(len(dispatch["requests"]["table"]), 5)
        self.assertEqual(list(clocklab.served_requests(dispatch)["id"]), [1, 2, 3])
        self.assertIsNone(dispatch["mutex"])
        self.assertIsNone(sections["requests"])
        self.assertEqual(list(clocklab.sections_in_order(sections)["node"]), [0, 1, 2])

    def test_mutex_delay_and_messages_per_entry_by_hand(self):
        run = self.runs[1]
        np.testing.assert_allclose(mutex.sync_delays(run), [0.02])
        self.assertAlmostEqual(mutex.one_way_delay(run), 0.010)
        self.assertAlmostEqual(mutex.messages_per_entry(run), 12 / 3)
        self.assertEqual(mutex.messages_theory("ricart_agrawala", 3), 4)

    def test_plot_writes_requests_and_mutex_figures(self):
        out = os.path.join(self.tmp.name, "figs")
        proc = run_cli("plot", self.path, "-o", out)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        files = set(os.listdir(out))
        self.assertIn("svc_run000_requests.png", files)
        self.assertIn("svc_run001_mutex.png", files)
        self.assertNotIn("svc_run000_mutex.png", files)


if __name__ == "__main__":
    unittest.main()
