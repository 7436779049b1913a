"""`mpirun -n 4 clocklab` with no arguments runs the default scenario
(docs/design.md, "Uses", 3): Bully elects a coordinator, Berkeley synchronizes the
clocks under it, the coordinator crashes, Bully elects the highest alive id
(Garcia-Molina 1982) and Berkeley goes on under the new master (Gusella &
Zatti 1989). The result is clocklab.h5 in the current directory, in schema
clocklab/1.
"""
import os
import re
import shutil
import subprocess
import tempfile
import unittest

import h5py
import numpy as np

import clocklab_oracles as orc
import clocklab_testlib as lab

NODES = 4
BINARY = os.path.abspath(lab.BINARY)  # these runs change the working directory


class DefaultScenario(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="clocklab-default-")
        cls.proc = subprocess.run([lab.MPIRUN, "-n", str(NODES), BINARY], cwd=cls.dir,
                                  capture_output=True, text=True, timeout=300,
                                  env=lab.mpi_env())
        cls.path = os.path.join(cls.dir, "clocklab.h5")
        cls.file = h5py.File(cls.path, "r") if os.path.exists(cls.path) else None

    @classmethod
    def tearDownClass(cls):
        if cls.file:
            cls.file.close()
        shutil.rmtree(cls.dir, ignore_errors=True)

    def setUp(self):
        self.assertEqual(self.proc.returncode, 0, self.proc.stderr)
        self.assertIsNotNone(self.file, "clocklab.h5 was not written in the working directory")
        self.run_ = self.file["runs/run000"]

    def test_file_attributes_describe_the_software_and_run(self):
        a = self.file.attrs
        for key in ["schema", "software", "version", "git_commit", "created", "command_line",
                    "mpi_library", "hdf5_version", "hosts", "nranks"]:
            self.assertIn(key, a)
        self.assertEqual(a["schema"], "clocklab/1")
        self.assertEqual(a["software"], "clocklab")
        self.assertTrue(a["version"])
        self.assertTrue(a["git_commit"])
        self.assertRegex(a["created"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
        self.assertIn("clocklab", a["command_line"])
        self.assertIn("MPI", a["mpi_library"])
        self.assertRegex(a["hdf5_version"], r"^\d+\.\d+\.\d+")
        self.assertTrue(a["hosts"])
        self.assertEqual(int(a["nranks"]), NODES)
        self.assertEqual(list(self.file["runs"].keys()), ["run000"])

    def test_run_has_its_attributes_groups_and_units(self):
        run = self.run_
        a = run.attrs
        self.assertEqual(a["algorithm"], "bully+berkeley")
        self.assertIn("election", a["family"])
        self.assertIn("clock_sync", a["family"])
        self.assertEqual(int(a["nodes"]), NODES)
        self.assertEqual(int(a["seed"]), 42)
        self.assertEqual(a["status"], "complete")
        self.assertGreater(float(a["wall_time"]), 0)
        config = a["config"]
        self.assertRegex(config, r"algorithm = bully\+berkeley")
        for section in ["[experiment]", "[clock]", "[network]", "[faults]", "[election]",
                        "[bully]", "[berkeley]"]:
            self.assertIn(section, config)
        for group in ["nodes", "clock", "messages", "election", "fidelity"]:
            self.assertIsInstance(run[group], h5py.Group)
        self.assertNotIn("events", run)  # trace is off: absent, not empty
        units = {"clock/time": "s", "clock/offset": "s", "nodes/initial_offset": "s",
                 "nodes/drift": "ppm", "nodes/crashed_at": "s", "election/decided_at": "s"}
        for name, unit in units.items():
            self.assertEqual(run[name].attrs.get("units"), unit, name)
        for name in ["delivery_p50", "delivery_p99", "delivery_max", "timer_p50", "timer_p99",
                     "timer_max", "cpu_time"]:
            self.assertEqual(run["fidelity"][name].attrs.get("units"), "s", name)
            self.assertEqual(run["fidelity"][name].shape, (NODES,), name)
        fid = run["fidelity"]
        self.assertTrue(np.all(fid["deliveries"][()] > 0))
        self.assertTrue(np.all(fid["timers"][()] > 0))
        # order statistics of one sample set; lateness never negative
        for kind in ["delivery", "timer"]:
            p50, p99, mx = (fid["%s_%s" % (kind, q)][()] for q in ("p50", "p99", "max"))
            self.assertTrue(np.all((0 <= p50) & (p50 <= p99) & (p99 <= mx)), kind)
        self.assertTrue(np.all(fid["cpu_time"][()] > 0))
        self.assertGreater(float(fid.attrs["threshold"]), 0)
        t = run["clock/time"][()]
        self.assertEqual(run["clock/offset"].shape, (len(t), NODES))
        self.assertEqual(run["messages/sent"].shape, (NODES, len(run["messages/types"])))
        self.assertEqual(run["election/ids"].shape, (NODES,))

    def test_highest_alive_id_elected_after_the_coordinator_crash(self):
        run = self.run_
        crashed_at = run["nodes/crashed_at"][()]
        ids = run["election/ids"][()]
        leader = run["election/leader"][()]
        history = run["election/history"][()]
        dead = [i for i in range(NODES) if np.isfinite(crashed_at[i])]
        self.assertEqual(len(dead), 1, crashed_at)
        c, t_crash = dead[0], crashed_at[dead[0]]
        alive = [i for i in range(NODES) if i != c]
        # The crashed node was the coordinator: the highest id, and every
        # survivor believed in it just before the crash.
        self.assertEqual(ids[c], ids.max())
        for i in alive:
            before = history[(history["node"] == i) & (history["time"] < t_crash)]
            self.assertTrue(len(before), "node %d had no coordinator before the crash" % i)
            self.assertEqual(before["leader"][-1], c)
        # The survivors agree on the highest alive id.
        new = max(alive, key=lambda i: ids[i])
        for i in alive:
            self.assertEqual(leader[i], new, "node %d believes %d" % (i, leader[i]))
            self.assertGreater(run["election/decided_at"][i], t_crash)

    def test_berkeley_continues_under_new_master(self):
        run = self.run_
        crashed_at = run["nodes/crashed_at"][()]
        c = int(np.nonzero(np.isfinite(crashed_at))[0][0])
        t_crash = crashed_at[c]
        new = int(run["election/leader"][[i for i in range(NODES) if i != c][0]])
        rows = run["clock/rounds"][()]
        after = rows[rows["time"] > t_crash]
        self.assertFalse(np.any(after["node"] == c), "the crashed node adjusted its clock")
        for i in range(NODES):
            if i != c:
                self.assertGreaterEqual(np.sum(after["node"] == i), 2,
                                        "node %d has no rounds after the crash" % i)
        # The new master adjusts itself by its own average (no RTT of its own).
        mine = after[after["node"] == new]
        self.assertTrue(np.all(mine["rtt"] == 0.0))
        others = after[after["node"] != new]
        self.assertTrue(np.all(others["rtt"] > 0.0))
        # Rows of the master before the crash were the crashed node's.
        before = rows[(rows["time"] < t_crash) & (rows["rtt"] == 0.0)]
        self.assertTrue(len(before) and np.all(before["node"] == c))
        # The survivors end synchronized.
        off = run["clock/offset"][()]
        alive = [i for i in range(NODES) if i != c]
        self.assertLess(np.ptp(off[-1, alive]), 5e-3)
        theta = run["nodes/initial_offset"][()]
        self.assertGreater(np.ptp(theta), 20e-3, "the clocks started too close to tell")

    def test_messages_conserved(self):
        orc.assert_conserved(self, self.run_, exact=False)
        c = orc.counters(self.run_)
        for name in ["ELECTION", "OK", "COORDINATOR", "HEARTBEAT", "TIME_REQUEST", "ADJUST"]:
            self.assertGreater(c[name][0], 0, name)


class DefaultScenarioAt16(unittest.TestCase):
    """The default scenario at 16 ranks: protocol timeouts must not fire on
    the runtime's own latency. Bully elects the highest alive id after the
    crash (Garcia-Molina 1982) and Berkeley keeps the survivors within 2 ms
    (the readings' RTTs are about 2 ms with lognormal(1ms, 0.3) delays, so
    each estimate errs by about 1 ms: Gusella & Zatti 1989)."""

    N = 16
    RANKS = None  # one rank per node
    SETS = ()

    @classmethod
    def setUpClass(cls):
        # --set alone would start from the built-in defaults: with sets, the
        # scenario comes as its file
        text = lab.default_scenario() if cls.SETS else None
        _, cls.path = lab.run_clocklab(cls.RANKS or cls.N, text, sets=cls.SETS)
        cls.file = h5py.File(cls.path, "r")
        cls.run_ = cls.file["runs/run000"]

    @classmethod
    def tearDownClass(cls):
        cls.file.close()

    def test_highest_alive_id_elected_and_clocks_within_2ms(self):
        run = self.run_
        self.assertEqual(int(run.attrs["nodes"]), self.N)
        crashed = np.isfinite(run["nodes/crashed_at"][()])
        self.assertEqual(int(crashed.sum()), 1)
        ids = run["election/ids"][()]
        alive = np.flatnonzero(~crashed)
        best = alive[np.argmax(ids[alive])]
        leader = run["election/leader"][()]
        self.assertTrue(np.all(leader[alive] == best), leader)
        off = run["clock/offset"][()]
        self.assertLessEqual(np.ptp(off[-1, alive]), 2e-3)


if __name__ == "__main__":
    unittest.main()
