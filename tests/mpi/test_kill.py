"""A kill at any instant keeps every finished run and the running run up to
its last checkpoint, and the result file always opens.

Each trial starts three 500-ms Berkeley runs (2 ranks, trace on, a checkpoint
every 100 ms) and kills at a random instant of the job: half of the trials
send one SIGTERM to mpirun only (as `kill PID` or a batch system that
signals the launcher; Open MPI 4.1's mpirun then signals the ranks and
kills them a second later), the other half SIGKILL rank 0, the writer.
A second set of trials kills rank 0 in the middle of its writing: a
preloaded library (killshim.c) counts its writes to the result files and
sends SIGKILL instead of the k-th one, k drawn from all the writes of a
whole job. Then the file must:

* open with h5py (unless the kill came before clocklab created it);
* hold runs run000, run001, ... in order, all complete except perhaps the
  last, each complete one whole: its clock samples to its end, every
  node's events and the master's rounds without a gap, counters conserved;
* hold the interrupted run, when there is one, consistent up to where it
  claims to be: written at the stop (status interrupted, data up to its
  duration) or from a checkpoint (attribute complete_until = T: the clock
  samples before T, every node's events and the master's rounds without a
  gap, no row at or after T).

That a checkpoint holds every row before T, and exactly the rows of the
finished run, is tested in virtual time, where runs repeat exactly
(test_checkpoint.py).

The instants and writes come from a seeded generator (CLOCKLAB_KILL_SEED;
the seed is printed) and three trials run at a time. The statistics are
printed.
"""
import math
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import unittest

import h5py
import numpy as np

import clocklab_oracles as orc
import clocklab_testlib as lab

NODES = 2
RUNS = 3
DURATION = 0.5
DT = 0.01
TRIALS = 20        # at random instants
WRITE_TRIALS = 6   # at random writes
LANES = 3          # trials at a time

CONFIG = """
[experiment]
algorithm = berkeley
duration = 500ms
repeat = 3
trace = on
checkpoint = 100ms

[network]
delay = uniform(1ms, 3ms)

[berkeley]
period = 50ms
rounds = 0
"""


def check_rows(test, run, until=None):
    """Every node's events and the master's rounds are gapless sequences
    from 0; with `until`, all before it."""
    table = run["events/table"][()]
    rounds = run["clock/rounds"][()]
    for node in range(NODES):
        seq = table["seq"][table["node"] == node]
        test.assertTrue(np.array_equal(seq, np.arange(len(seq))),
                        "node %d: events with gaps" % node)
    # The master adjusts its own clock in every round (the others only in
    # the rounds whose adjustment reached them).
    numbers = rounds["round"][rounds["node"] == 0]
    test.assertTrue(np.array_equal(numbers, np.arange(len(numbers))), "master's rounds with gaps")
    if until is not None:
        test.assertTrue(np.all(table["time"] < until), "an event at or after complete_until")
        test.assertTrue(np.all(rounds["time"] < until), "a round at or after complete_until")


def check_complete(test, run):
    test.assertEqual(run.attrs["status"], "complete")
    test.assertNotIn("complete_until", run.attrs)
    end = float(run.attrs["duration"])  # the duration, or a little later on a loaded machine
    test.assertGreaterEqual(end, DURATION - 1e-9)
    times = run["clock/time"][()]
    test.assertEqual(len(times), math.floor(end / DT + 1e-9) + 1)
    test.assertTrue(np.all(np.isfinite(run["clock/offset"][()])))
    test.assertIn("fidelity", run)
    test.assertGreater(len(run["clock/rounds"]), 0)
    check_rows(test, run)
    orc.assert_conserved(test, run, exact=False)


def check_interrupted(test, run):
    """Returns ("checkpoint", T) or ("stop", duration)."""
    test.assertEqual(run.attrs["status"], "interrupted")
    end = float(run.attrs["duration"])
    times = run["clock/time"][()]
    offsets = run["clock/offset"][()]
    test.assertEqual(offsets.shape, (len(times), NODES))
    test.assertTrue(np.all(np.isfinite(offsets)))
    test.assertTrue(np.allclose(times, DT * np.arange(len(times))))
    if "complete_until" in run.attrs:
        until = float(run.attrs["complete_until"])
        test.assertEqual(end, until)
        test.assertGreater(until, 0)
        test.assertLess(until, DURATION)
        # Every clock sample before T; no row at or after T.
        test.assertEqual(len(times), math.ceil(until / DT - 1e-9))
        test.assertNotIn("fidelity", run)
        check_rows(test, run, until)
        return "checkpoint", until
    test.assertEqual(len(times), math.floor(end / DT + 1e-9) + 1)
    test.assertTrue(np.all(run["clock/rounds"]["time"] <= end))
    check_rows(test, run)
    orc.assert_conserved(test, run, exact=False)
    return "stop", end


def check_file(test, path):
    """Check a result file left by a kill; returns what it holds."""
    if not os.path.exists(path):
        return {"file": False, "complete": 0, "interrupted": None}
    with h5py.File(path, "r") as f:
        test.assertEqual(f.attrs["schema"], "clocklab/1")
        names = sorted(f["runs"].keys())
        test.assertEqual(names, ["run%03d" % i for i in range(len(names))])
        complete, interrupted = 0, None
        for i, name in enumerate(names):
            run = f["runs"][name]
            test.assertEqual(int(run.attrs["seed"]), 42 + i)
            if run.attrs["status"] == "complete":
                test.assertIsNone(interrupted, "a complete run after an interrupted one")
                check_complete(test, run)
                complete += 1
            else:
                test.assertEqual(i, len(names) - 1, "an interrupted run that is not the last")
                interrupted = check_interrupted(test, run)
    return {"file": True, "complete": complete, "interrupted": interrupted}


def preload_env(write):
    """mpirun's environment with killshim.c preloaded, killing at `write`
    (0: counting)."""
    env = lab.mpi_env()
    env["LD_PRELOAD"] = os.environ["CLOCKLAB_KILLSHIM"]
    env["CLOCKLAB_KILLSHIM_AT"] = str(write)
    # The shim comes before a sanitizer runtime in the library list.
    env["ASAN_OPTIONS"] = (env.get("ASAN_OPTIONS", "") + ":verify_asan_link_order=0").lstrip(":")
    return env


class Kill(unittest.TestCase):
    def start(self, work, env):
        cfg = os.path.join(work, "kill.ini")
        with open(cfg, "w") as f:
            f.write(CONFIG)
        out = os.path.join(work, "out.h5")
        env["CLOCKLAB_KILLSHIM_PREFIX"] = out
        proc = subprocess.Popen([lab.MPIRUN, "-n", str(NODES), lab.BINARY, cfg, "-o", out],
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                text=True, env=env)
        return proc, out

    def trial(self, how, at, results, i):
        work = tempfile.mkdtemp(prefix="clocklab-kill-")
        proc, out = self.start(work, preload_env(at) if how == "KILL at write" else lab.mpi_env())
        t0 = time.monotonic()
        while how != "KILL at write" and time.monotonic() - t0 < at and proc.poll() is None:
            time.sleep(0.005)
        if proc.poll() is None and how == "TERM mpirun":
            os.kill(proc.pid, signal.SIGTERM)
        elif proc.poll() is None and how == "KILL rank 0":
            pid = None
            while pid is None and proc.poll() is None:
                pid = lab.rank_pids(proc.pid).get(0)
                if pid is None:
                    time.sleep(0.005)
            if pid is not None:
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
        try:
            _, err = proc.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            proc.kill()
            raise AssertionError("mpirun still running 60 s after the kill")
        left = sorted(n for n in os.listdir(work) if n.startswith("out.h5."))
        try:
            held = check_file(self, out)
            if os.path.exists(out + ".checkpoint"):
                with h5py.File(out + ".checkpoint", "r") as f:
                    self.assertIn("runs", f)
        except Exception:
            print("trial %d (%s at %s) failed, kept %s\n%s" % (i, how, at, work, err),
                  file=sys.stderr)
            raise
        held.update(how=how, at=at, left=left, rc=proc.returncode)
        results[i] = held
        shutil.rmtree(work, ignore_errors=True)

    def run_trials(self, plan):
        results = [None] * len(plan)
        errors = []

        def lane(indices):
            for i in indices:
                try:
                    self.trial(plan[i][0], plan[i][1], results, i)
                except BaseException as e:  # reported below, with the trial
                    errors.append((i, e))

        lanes = [threading.Thread(target=lane, args=(range(k, len(plan), LANES),))
                 for k in range(LANES)]
        for t in lanes:
            t.start()
        for t in lanes:
            t.join()
        for i, r in enumerate(results):
            if r:
                what = r["interrupted"]
                print("%2d %-13s at %-7s: %s, %d complete, interrupted %s, left %s" %
                      (i, r["how"], ("%.2f s" % r["at"]) if r["how"] != "KILL at write"
                       else "write %d" % r["at"], "file" if r["file"] else "no file",
                       r["complete"], "%s %.2f s" % what if what else "-",
                       " ".join(r["left"]) or "-"))
        if errors:
            raise errors[0][1]
        self.assertTrue(all(results))
        kept = sum(1 for r in results if r["interrupted"])
        print("interrupted run kept in %d of %d trials (%d from a checkpoint)" %
              (kept, len(plan), sum(1 for r in results if r["interrupted"] and
                                    r["interrupted"][0] == "checkpoint")))
        return results

    def rng(self):
        seed = int(os.environ.get("CLOCKLAB_KILL_SEED", random.SystemRandom().randrange(1 << 30)))
        print("kill seed %d (CLOCKLAB_KILL_SEED to repeat)" % seed)
        return random.Random(seed)

    def test_file_survives_kills_at_random_instants(self):
        rng = self.rng()
        plan = [("TERM mpirun" if i % 2 == 0 else "KILL rank 0", rng.uniform(0.3, 2.2))
                for i in range(TRIALS)]
        done = self.run_trials(plan)
        # The instants spread over the job: some trials hit each run.
        self.assertTrue(any(r["complete"] == 0 for r in done))
        self.assertTrue(any(r["complete"] >= 2 for r in done))

    @unittest.skipUnless(os.environ.get("CLOCKLAB_KILLSHIM"), "no CLOCKLAB_KILLSHIM (run by ctest)")
    def test_file_survives_kills_during_writes(self):
        work = tempfile.mkdtemp(prefix="clocklab-kill-")
        proc, _ = self.start(work, preload_env(0))
        _, err = proc.communicate(timeout=120)
        shutil.rmtree(work, ignore_errors=True)
        counted = [int(l.split()[1]) for l in err.splitlines() if l.startswith("killshim:")]
        self.assertEqual(len(counted), 1, err)
        writes = counted[0]
        print("a whole job writes %d times to its files" % writes)
        rng = self.rng()
        plan = [("KILL at write", rng.randint(1, writes)) for _ in range(WRITE_TRIALS)]
        done = self.run_trials(plan)
        # A job's write count varies a little (checkpoints merge when the
        # writer is busy): the last writes may not come.
        killed = sum(1 for r in done if r["rc"] != 0)
        print("%d of %d trials killed at their write" % (killed, WRITE_TRIALS))
        self.assertGreaterEqual(killed, WRITE_TRIALS // 2)


if __name__ == "__main__":
    unittest.main()
