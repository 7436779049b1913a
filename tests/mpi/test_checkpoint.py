"""A checkpoint holds exactly the run's record before its complete_until.

In virtual time a run repeats exactly, on any number of ranks, so the
record of a run killed after a checkpoint can be compared with the same run
carried to its end: every dataset of the checkpoint must be the finished
run's record cut at T = complete_until (docs/schema.md, "Runs kept from a checkpoint"):

* clock/time and clock/offset: the samples before T (offsets up to
  rounding: the clock model sums its adjustments in another order once a
  later one exists);
* clock/rounds, election/history, events/table: the rows with time < T, in
  the same order;
* messages/sent and received: per node and type, the SEND and RECEIVE rows
  of the finished run's trace before T (the trace records every message);
* election/leader and decided_at: each node's last change of belief before
  T; nodes/crashed_at and recovered_at: the crash and recovery times before
  T;
* mutex/sections: the sections requested before T, entered and left only
  if that happened before T;
* requests/table: the requests sent before T with the stages they had
  passed, an outcome only if they had one (else PENDING); requests/queue:
  the rows before T.

Three runs, each killed (SIGKILL of rank 0, by killshim.c at one of its
writes: during the final commit, so that the file holds the last
checkpoint, or earlier) on 2 ranks and finished on 1: Bully + Berkeley (16
nodes, 2 s, on a millisecond scale so that the first checkpoints already
hold an election, the coordinator's crash, a re-election, a crash and a
recovery and hundreds of rounds, trace on), Ricart-Agrawala and request
routing (16 nodes, 10 s). A run with checkpoints off gives the same file as
one with them on: checkpoints do not change what is run.
"""
import math
import os
import random
import shutil
import subprocess
import tempfile
import unittest

import h5py
import numpy as np

import clocklab_testlib as lab
from clocklab.commands import compare

CONFIG = """
[experiment]
algorithm = bully+berkeley
time = virtual
nodes = 16
duration = 2s
trace = on
checkpoint = 10ms

[clock]
sample_interval = 1ms

[network]
min_delay = 50us
delay = lognormal(200us, 0.3)

[faults]
crash = coordinator@6ms, 5@9ms-16ms

[bully]
timeout = 1ms
coordinator_timeout = 3ms
heartbeat = 1ms

[berkeley]
period = 2ms
timeout = 1ms
"""
# Critical sections (mutex/) and routed requests (requests/), the same way.
MUTEX = """
[experiment]
algorithm = ricart_agrawala
time = virtual
nodes = 16
duration = 10s
checkpoint = 10ms

[network]
min_delay = 50us
delay = lognormal(200us, 0.3)

[ricart_agrawala]
entries = 0
interval = exponential(300us)
hold = constant(50us)
"""
DISPATCH = """
[experiment]
algorithm = dispatch
time = virtual
nodes = 16
duration = 10s
checkpoint = 10ms

[network]
min_delay = 50us
delay = lognormal(200us, 0.3)

[dispatch]
loop = open
rate = 400
service = exponential(1ms)
"""
DT = 0.001
SEND, RECEIVE = 0, 1
PENDING = 3  # requests/table status: no outcome (yet)


def last_before(times, values, until, empty):
    """The value of the last entry with time < until, else `empty`."""
    keep = times < until
    return values[keep][-1] if keep.any() else empty


class Checkpoint(unittest.TestCase):
    attempts = 0  # runs killed so far (their files are kept apart)

    @classmethod
    def setUpClass(cls):
        cls.work = tempfile.mkdtemp(prefix="clocklab-ckpt-")

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.work, ignore_errors=True)

    def killed_at(self, config, write, files=""):
        """Run config on 2 ranks, SIGKILL rank 0 at its `write`-th write to
        the files whose names start with the output's and then `files` (0:
        count them). Returns (output path, stderr)."""
        Checkpoint.attempts += 1
        cfg = os.path.join(self.work, "run-%d.ini" % self.attempts)
        with open(cfg, "w") as f:
            f.write(config)
        out = os.path.join(self.work, "killed-%d.h5" % self.attempts)
        env = lab.mpi_env()
        env["LD_PRELOAD"] = os.environ["CLOCKLAB_KILLSHIM"]
        env["CLOCKLAB_KILLSHIM_AT"] = str(write)
        env["CLOCKLAB_KILLSHIM_PREFIX"] = out + files
        env["ASAN_OPTIONS"] = (env.get("ASAN_OPTIONS", "") + ":verify_asan_link_order=0").lstrip(":")
        proc = subprocess.run([lab.MPIRUN, "-n", "2", lab.BINARY, cfg, "-o", out],
                              capture_output=True, text=True, timeout=300, env=env)
        return out, proc.stderr

    def cut_and_compare(self, config, compare):
        """Finish config on 1 rank; kill it on 2 until two checkpoints were
        compared with `compare(checkpoint run, finished run)`. Returns their
        complete_until."""
        _, full_path = lab.run_clocklab(1, config_text=config)

        def count(files):
            _, err = self.killed_at(config, 0, files)
            counted = [int(l.split()[1]) for l in err.splitlines() if l.startswith("killshim:")]
            self.assertEqual(len(counted), 1, err)
            return counted[0]

        # All writes, and those to the shadow copy: the finished run is
        # written there last, so a kill there leaves the last checkpoint.
        writes, shadow = count(""), count(".shadow")
        rng = random.Random(int(os.environ.get("CLOCKLAB_KILL_SEED", "7")))
        compared, settled = [], []
        with h5py.File(full_path, "r") as f:
            full = f["runs/run000"]
            self.assertEqual(full.attrs["status"], "complete")
            for attempt in range(6):
                if attempt % 2 == 0:
                    out, err = self.killed_at(config, shadow - rng.randint(1, 20), ".shadow")
                else:
                    out, err = self.killed_at(config, rng.randint(writes // 3, writes))
                with h5py.File(out, "r") as g:
                    link = g["runs"].get("run000", getlink=True)
                    if not isinstance(link, h5py.ExternalLink):
                        continue  # killed before the first checkpoint, or not at all
                    ck = g["runs/run000"]
                    self.compare_common(ck, full)
                    settled.append(compare(ck, full))
                    compared.append(float(ck.attrs["complete_until"]))
                if len(compared) == 2:
                    break
        print("checkpoints compared, complete until %s s" % compared)
        self.assertTrue(compared, "no kill left a checkpoint")
        # Virtual-time checkpoints come by wall time, so one can be cut
        # early; the comparison is exact at any T, and at least one of them
        # held much of the run (rows settled by T, where compare counts them).
        counts = [s for s in settled if s is not None]
        if counts:
            self.assertGreater(max(counts), 100, "every checkpoint compared was nearly empty")
        return compared

    def compare_common(self, ck, full):
        until = float(ck.attrs["complete_until"])
        self.assertEqual(ck.attrs["status"], "interrupted")
        self.assertEqual(float(ck.attrs["duration"]), until)
        self.assertLess(until, float(full.attrs["duration"]))
        for name in ("algorithm", "seed", "nodes", "time", "config"):
            self.assertEqual(ck.attrs[name], full.attrs[name], name)
        for name in ("initial_offset", "drift", "label"):
            self.assertTrue(np.array_equal(ck["nodes/" + name][()], full["nodes/" + name][()]))
        self.assertGreater(until, 0)
        # Every group of the finished run, but fidelity/ (the real-time
        # runtime's) and results/ (set at the end of a run).
        self.assertEqual(set(full.keys()) - set(ck.keys()) - {"fidelity", "results"}, set())
        self.assertNotIn("fidelity", ck)

    def compare_elections_and_clocks(self, ck, full):
        until = float(ck.attrs["complete_until"])
        for name in ("crashed_at", "recovered_at"):
            expected = full["nodes/" + name][()].copy()
            expected[~(expected < until)] = np.nan
            self.assertTrue(np.array_equal(ck["nodes/" + name][()], expected, equal_nan=True),
                            name)
        samples = math.ceil(until / DT - 1e-9)
        self.assertTrue(np.array_equal(ck["clock/time"][()], full["clock/time"][:samples]))
        # The same model at the same times, summed in another order once
        # a later adjustment exists: equal up to rounding.
        self.assertTrue(np.allclose(ck["clock/offset"][()], full["clock/offset"][:samples],
                                    rtol=0, atol=1e-12))
        for table in ("clock/rounds", "election/history", "events/table"):
            rows = full[table][()]
            self.assertTrue(np.array_equal(ck[table][()], rows[rows["time"] < until]), table)
        vectors = "events/vector" in full
        self.assertEqual("events/vector" in ck, vectors)
        events = full["events/table"][()]
        events = events[events["time"] < until]
        sent = np.zeros_like(full["messages/sent"][()])
        received = np.zeros_like(sent)
        np.add.at(sent, (events["node"][events["kind"] == SEND],
                         events["type"][events["kind"] == SEND]), 1)
        np.add.at(received, (events["node"][events["kind"] == RECEIVE],
                             events["type"][events["kind"] == RECEIVE]), 1)
        self.assertTrue(np.array_equal(ck["messages/sent"][()], sent))
        self.assertTrue(np.array_equal(ck["messages/received"][()], received))
        history = full["election/history"][()]
        nodes = int(full.attrs["nodes"])
        leader = [last_before(history["time"][history["node"] == i],
                              history["leader"][history["node"] == i], until, -1)
                  for i in range(nodes)]
        decided = [last_before(history["time"][history["node"] == i],
                               history["time"][history["node"] == i], until, np.nan)
                   for i in range(nodes)]
        self.assertTrue(np.array_equal(ck["election/leader"][()], leader))
        self.assertTrue(np.array_equal(ck["election/decided_at"][()], decided, equal_nan=True))
        self.assertTrue(np.array_equal(ck["election/ids"][()], full["election/ids"][()]))

    def compare_sections(self, ck, full):
        """mutex/sections: the sections requested before T, as they were at T."""
        until = float(ck.attrs["complete_until"])
        rows = full["mutex/sections"][()]
        rows = rows[rows["requested"] < until]
        for f in ("entered", "exited"):
            later = ~(rows[f] < until)
            rows[f][later] = np.nan
            rows[f + "_local"][later] = np.nan
        got = ck["mutex/sections"][()]
        self.assertEqual(len(got), len(rows))
        for f in rows.dtype.names:
            self.assertTrue(np.array_equal(got[f], rows[f], equal_nan=True), f)
        return int(np.sum(np.isfinite(got["exited"])))  # sections settled by T

    def compare_requests(self, ck, full):
        """requests/: the requests sent before T, each with the stages it had
        passed by T, without an outcome (PENDING) or with its final one; the
        queue rows before T."""
        until = float(ck.attrs["complete_until"])
        rows = full["requests/table"][()]
        rows = rows[rows["sent"] < until]
        got = ck["requests/table"][()]
        self.assertTrue(np.array_equal(got["id"], rows["id"]))
        self.assertTrue(np.array_equal(got["client"], rows["client"]))
        for f in ("sent", "arrived", "started", "finished", "received"):
            expected = np.where(rows[f] < until, rows[f], np.nan)
            self.assertTrue(np.array_equal(got[f], expected, equal_nan=True), f)
        decided = got["status"] != PENDING
        self.assertTrue(np.array_equal(got["status"][decided], rows["status"][decided]))
        # A request answered before T has its outcome.
        self.assertTrue(np.all(decided[rows["received"] < until]))
        self.assertTrue(np.all(~decided[~(rows["received"] < until) & (rows["status"] == 0)]))
        queue = full["requests/queue"][()]
        self.assertTrue(np.array_equal(ck["requests/queue"][()], queue[queue["time"] < until]))
        return int(np.sum(decided))  # requests settled by T

    @unittest.skipUnless(os.environ.get("CLOCKLAB_KILLSHIM"), "no CLOCKLAB_KILLSHIM (run by ctest)")
    def test_checkpoint_cuts_elections_and_clocks_at_t(self):
        self.cut_and_compare(CONFIG, self.compare_elections_and_clocks)

    @unittest.skipUnless(os.environ.get("CLOCKLAB_KILLSHIM"), "no CLOCKLAB_KILLSHIM (run by ctest)")
    def test_checkpoint_cuts_critical_sections_at_t(self):
        self.cut_and_compare(MUTEX, self.compare_sections)

    @unittest.skipUnless(os.environ.get("CLOCKLAB_KILLSHIM"), "no CLOCKLAB_KILLSHIM (run by ctest)")
    def test_checkpoint_cuts_requests_at_t(self):
        self.cut_and_compare(DISPATCH, self.compare_requests)

    def test_checkpoints_change_nothing(self):
        _, on = lab.run_clocklab(1, config_text=CONFIG)
        _, off = lab.run_clocklab(1, config_text=CONFIG, sets=["experiment.checkpoint=0"])
        diffs = compare.compare(on, off)
        # Only the saved configuration says whether checkpoints were on.
        with h5py.File(on, "r") as a, h5py.File(off, "r") as b:
            self.assertEqual(diffs, ["run000: attribute config: %r != %r" %
                                     (a["runs/run000"].attrs["config"],
                                      b["runs/run000"].attrs["config"])])
        # Nothing is left beside the file after a run that ends.
        for path in (on, off):
            left = [n for n in os.listdir(os.path.dirname(path))
                    if n.startswith(os.path.basename(path) + ".")]
            self.assertEqual(left, [])


if __name__ == "__main__":
    unittest.main()
