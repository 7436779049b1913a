"""A checkpoint holds exactly the run's record before its complete_until.

In virtual time a run repeats exactly, on any number of ranks, so the
record of a run killed after a checkpoint can be compared with the same run
carried to its end: every dataset of the checkpoint must be the finished
run's record cut at T = complete_until (README, "Output"):

* clock/time and clock/offset: the samples before T (offsets up to
  rounding: the clock model sums its adjustments in another order once a
  later one exists);
* clock/rounds, election/history, events/table: the rows with time < T, in
  the same order;
* messages/sent and received: per node and type, the SEND and RECEIVE rows
  of the finished run's trace before T (the trace records every message);
* election/leader and decided_at: each node's last change of belief before
  T; nodes/crashed_at and recovered_at: the crash and recovery times before
  T.

The run (Bully + Berkeley, 16 nodes, 2 s, on a millisecond scale so that the
first checkpoints already hold an election, the coordinator's crash, a
re-election, a crash and a recovery and hundreds of rounds) is killed (SIGKILL of rank 0, by killshim.c at one of
its writes: during the final commit, so that the file holds the last
checkpoint, or earlier) on 2 ranks and finished on 1. A run with checkpoints off gives
the same file as one with them on: checkpoints do not change what is run.
"""
import math
import os
import random
import shutil
import subprocess
import sys
import tempfile
import unittest

import h5py
import numpy as np

import clocklab_testlib as lab

sys.path.insert(0, os.path.join(lab.SOURCE, "analysis"))
import clocklab_compare  # noqa: E402

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
DT = 0.001
SEND, RECEIVE = 0, 1


def last_before(times, values, until, empty):
    """The value of the last entry with time < until, else `empty`."""
    keep = times < until
    return values[keep][-1] if keep.any() else empty


class Checkpoint(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.work = tempfile.mkdtemp(prefix="clocklab-ckpt-")
        cls.cfg = os.path.join(cls.work, "run.ini")
        with open(cls.cfg, "w") as f:
            f.write(CONFIG)
        cls.full = os.path.join(cls.work, "full.h5")
        lab.run_clocklab(1, config_text=CONFIG, output=cls.full)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.work, ignore_errors=True)

    def killed_at(self, write, files=""):
        """Run on 2 ranks, SIGKILL rank 0 at its `write`-th write to the
        files whose names start with the output's and then `files` (0:
        count them). Returns (output path, stderr)."""
        self.attempt = getattr(self, "attempt", 0) + 1
        out = os.path.join(self.work, "killed-%d.h5" % self.attempt)
        env = lab.mpi_env()
        env["LD_PRELOAD"] = os.environ["CLOCKLAB_KILLSHIM"]
        env["CLOCKLAB_KILLSHIM_AT"] = str(write)
        env["CLOCKLAB_KILLSHIM_PREFIX"] = out + files
        env["ASAN_OPTIONS"] = (env.get("ASAN_OPTIONS", "") + ":verify_asan_link_order=0").lstrip(":")
        proc = subprocess.run([lab.MPIRUN, "-n", "2", lab.BINARY, self.cfg, "-o", out],
                              capture_output=True, text=True, timeout=300, env=env)
        return out, proc.stderr

    def compare(self, ck, full):
        until = float(ck.attrs["complete_until"])
        self.assertEqual(ck.attrs["status"], "interrupted")
        self.assertEqual(float(ck.attrs["duration"]), until)
        for name in ("algorithm", "seed", "nodes", "time", "config"):
            self.assertEqual(ck.attrs[name], full.attrs[name], name)
        for name in ("initial_offset", "drift", "label"):
            self.assertTrue(np.array_equal(ck["nodes/" + name][()], full["nodes/" + name][()]))
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
        self.assertNotIn("fidelity", ck)

    @unittest.skipUnless(os.environ.get("CLOCKLAB_KILLSHIM"), "no CLOCKLAB_KILLSHIM (run by ctest)")
    def test_checkpoint_is_the_run_cut_at_complete_until(self):
        def count(files):
            _, err = self.killed_at(0, files)
            counted = [int(l.split()[1]) for l in err.splitlines() if l.startswith("killshim:")]
            self.assertEqual(len(counted), 1, err)
            return counted[0]

        # All writes, and those to the shadow copy: the finished run is
        # written there last, so a kill there leaves the last checkpoint.
        writes, shadow = count(""), count(".shadow")
        rng = random.Random(int(os.environ.get("CLOCKLAB_KILL_SEED", "7")))
        compared = []
        with h5py.File(self.full, "r") as f:
            full = f["runs/run000"]
            self.assertEqual(full.attrs["status"], "complete")
            for attempt in range(6):
                if attempt % 2 == 0:
                    out, err = self.killed_at(shadow - rng.randint(1, 20), ".shadow")
                else:
                    out, err = self.killed_at(rng.randint(writes // 3, writes))
                with h5py.File(out, "r") as g:
                    link = g["runs"].get("run000", getlink=True)
                    if not isinstance(link, h5py.ExternalLink):
                        continue  # killed before the first checkpoint, or not at all
                    ck = g["runs/run000"]
                    self.compare(ck, full)
                    compared.append(float(ck.attrs["complete_until"]))
                if len(compared) == 2:
                    break
        print("checkpoints compared, complete until %s s" % compared)
        self.assertTrue(compared, "no kill left a checkpoint")
        for t in compared:
            self.assertGreater(t, 0)
            self.assertLess(t, 2)

    def test_checkpoints_change_nothing(self):
        _, off = lab.run_clocklab(1, config_text=CONFIG, sets=["experiment.checkpoint=0"])
        diffs = clocklab_compare.compare(self.full, off)
        # Only the saved configuration says whether checkpoints were on.
        self.assertEqual(diffs, ["run000: attribute config: %r != %r" %
                                 (h5py.File(self.full, "r")["runs/run000"].attrs["config"],
                                  h5py.File(off, "r")["runs/run000"].attrs["config"])])
        # Nothing is left beside the file after a run that ends.
        for path in (self.full, off):
            left = [n for n in os.listdir(os.path.dirname(path))
                    if n.startswith(os.path.basename(path) + ".")]
            self.assertEqual(left, [])


if __name__ == "__main__":
    unittest.main()
