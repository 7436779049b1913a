"""Nothing is lost on a kill (docs/running.md, "Stopping and killing a run"): every
finished run is in the file, and the run that was going on is written with
status "interrupted" and its data up to the stop (or up to its last
checkpoint).

The runtime catches SIGTERM and SIGINT in every rank; the rank that sees one
tells the others (a stop message) so that all leave the run together, rank 0
writes it and each rank exits 128 + signal. mpirun returns that status when
the signal went to a rank, and 1 when it went to mpirun itself (it kills
the ranks in MPI_Finalize then; docs/running.md, "Stopping and killing a
run").

How the signal reaches the ranks depends on the launcher. Open MPI 4.1's
mpirun, on SIGTERM or SIGINT, sends the ranks SIGCONT, waits
odls_base_sigkill_timeout seconds (default 1), sends SIGTERM, waits as long
again and sends SIGKILL; the ranks are in process groups of their own, so
`timeout` or Ctrl-C reach only mpirun. The ranks therefore have that many
seconds to write the file (a few ms here); when they have not, the run is
kept up to its last checkpoint ([experiment] checkpoint, 1 s). Slurm's
scancel and time limit signal every task directly. The tests cover mpirun
killed by `timeout` (with and without --foreground), mpirun interrupted like
Ctrl-C, and a single rank killed; test_kill.py kills at random instants.

The experiment: two runs, a Bully election that ends within a second and a
Berkeley run of 300 rounds x 100 ms (30 s) that is stopped after a few s.

Virtual time keeps the same promise after a SIGKILL: its checkpoints come
every [experiment] checkpoint of wall time, however fast or slow simulated
time passes (VirtualKill: a ring election of 10^5 nodes on 2 ranks, about a
thousand simulated seconds in several wall seconds, whose rank 0 is killed
once its first checkpoint is in the file).
"""
import math
import os
import shutil
import signal
import subprocess
import tempfile
import time
import unittest

import numpy as np

import clocklab_oracles as orc
import clocklab_testlib as lab

NODES = 4
PERIOD = 0.1
FULL_LENGTH = 30.0

CONFIG = """
[experiment]
algorithm = bully,berkeley
duration = 0
timeout = 120s

[network]
delay = uniform(1ms, 3ms)

[bully]
heartbeat = 0

[berkeley]
period = 100ms
rounds = 300
adjust = step
"""


class Interrupt(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="clocklab-kill-")
        self.cfg = os.path.join(self.dir, "long.ini")
        with open(self.cfg, "w") as f:
            f.write(CONFIG)
        self.out = os.path.join(self.dir, "out.h5")
        self.args = [lab.MPIRUN, "-n", str(NODES), lab.BINARY, self.cfg, "-o", self.out]

    def start(self):
        return subprocess.Popen(self.args, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                text=True, env=lab.mpi_env())

    def wait_for_second_run(self, proc):
        """Block until rank 0 reports that run 1 finished; returns the line."""
        line = proc.stdout.readline()
        self.assertIn("run 1/2", line, "run 1 did not finish: " + line)
        return line

    def check_file(self, killed_run_required=True):
        runs = lab.runs(self.out)
        self.assertIn(len(runs), (1, 2) if not killed_run_required else (2,))
        n0, bully = runs[0]
        self.assertEqual(n0, "run000")
        # The finished run is complete and correct.
        self.assertEqual(bully.attrs["status"], "complete")
        self.assertEqual(bully.attrs["algorithm"], "bully")
        self.assertTrue(np.all(bully["election/leader"][()] == NODES - 1))
        if len(runs) == 1:
            return False
        # The killed run is there, marked, with its data up to the stop.
        n1, berkeley = runs[1]
        self.assertEqual(n1, "run001")
        self.assertEqual(berkeley.attrs["status"], "interrupted")
        end = float(berkeley.attrs["duration"])
        self.assertGreater(end, 0.5, "stopped before anything happened")
        self.assertLess(end, FULL_LENGTH - 1, "the run was not stopped")
        times = berkeley["clock/time"][()]
        offsets = berkeley["clock/offset"][()]
        self.assertEqual(offsets.shape, (len(times), NODES))
        self.assertTrue(np.all(np.isfinite(offsets)))
        rows = berkeley["clock/rounds"][()]
        checkpoint = "complete_until" in berkeley.attrs
        if checkpoint:
            # Kept from its last checkpoint: the record before T.
            self.assertEqual(end, float(berkeley.attrs["complete_until"]))
            self.assertEqual(len(times), math.ceil(end / 0.01 - 1e-9))
            self.assertTrue(np.all(rows["time"] < end))
        else:
            # Written at the stop: the record up to it.
            self.assertAlmostEqual(times[-1], end, delta=0.0101)
            self.assertTrue(np.all(rows["time"] <= end))
        master = rows[rows["node"] == 0]
        # One round per period right up to the stop.
        self.assertGreaterEqual(len(master), int(end / PERIOD) - 2)
        self.assertLessEqual(len(master), int(end / PERIOD) + 1)
        self.assertGreater(master["time"].max(), end - 3 * PERIOD)
        # Synchronized data, not garbage: after the first rounds the clocks
        # stay close together (the last sample may fall inside a round).
        self.assertLess(np.median(np.ptp(offsets[times > 0.5], axis=1)), 5e-3)
        if not checkpoint:  # a checkpoint's counters are each rank's at its own instant
            orc.assert_conserved(self, berkeley, exact=False)
        return True

    def test_timeout_of_mpirun_keeps_finished_and_stopped_run(self):
        """timeout --foreground -s TERM 6 mpirun ... (a script bounding a run)."""
        proc = subprocess.run(["timeout", "--foreground", "-s", "TERM", "6"] + self.args,
                              capture_output=True, text=True, timeout=120, env=lab.mpi_env())
        self.assertEqual(proc.returncode, 124, proc.stderr)  # timeout's "timed out"
        self.check_file()
        # Rank 0 says "stopped by signal 15", but mpirun, busy with its kill
        # sequence, may exit before it has forwarded that line.

    def test_timeout_without_foreground_keeps_the_runs(self):
        """Plain `timeout -s TERM 6 mpirun`: timeout signals mpirun and then its
        whole process group, so mpirun gets SIGTERM twice at once; Open MPI
        4.1 takes a second signal within 5 s as "forcibly terminate" and exits
        at once, and the ranks, cut off from it, exit (status 195) without a
        SIGTERM, or have the time to stop and write the run. Either way the
        file opens, holds every finished run and the interrupted run, up to
        the stop or up to its last checkpoint (a second before at most)."""
        proc = subprocess.run(["timeout", "-s", "TERM", "6"] + self.args, capture_output=True,
                              text=True, timeout=120, env=lab.mpi_env())
        self.assertEqual(proc.returncode, 124, proc.stderr)
        self.check_file()

    def test_sigint_to_mpirun_keeps_finished_and_stopped_run(self):
        """SIGINT to mpirun, as Ctrl-C in a terminal sends it."""
        proc = self.start()
        self.wait_for_second_run(proc)
        time.sleep(2.0)
        os.kill(proc.pid, signal.SIGINT)
        out, err = proc.communicate(timeout=120)
        self.assertEqual(proc.returncode, 1, err)  # mpirun's own, see below
        self.check_file()

    def test_sigterm_to_mpirun_returns_1_and_keeps_the_run(self):
        """SIGTERM to mpirun: Open MPI 4.1's mpirun returns 1, not 128 + 15
        (docs/running.md): it passes SIGTERM on to the ranks, which write the
        run and then wait in MPI_Finalize until its SIGKILL."""
        proc = self.start()
        self.wait_for_second_run(proc)
        time.sleep(2.0)
        os.kill(proc.pid, signal.SIGTERM)
        out, err = proc.communicate(timeout=120)
        self.assertEqual(proc.returncode, 1, err)
        self.check_file()

    def test_sigterm_to_one_rank_stops_all_and_keeps_runs(self):
        """SIGTERM to one rank only: its stop message stops the other ranks."""
        proc = self.start()
        self.wait_for_second_run(proc)
        time.sleep(2.0)
        ranks = lab.rank_pids(proc.pid)
        self.assertIn(2, ranks, "rank 2 not found among %s" % ranks)
        os.kill(ranks[2], signal.SIGTERM)
        out, err = proc.communicate(timeout=120)
        self.assertEqual(proc.returncode, 128 + signal.SIGTERM, err)
        self.assertIn("stopped by signal %d" % signal.SIGTERM, err)
        self.check_file()


# A finished run (10^3 nodes), then a ring election of 10^5 nodes in which
# every node initiates: some 3.4 million events over 10^3 simulated seconds,
# 3 to 10 s of wall time on 2 ranks here, that is killed.
VIRTUAL = """
[experiment]
algorithm = ring
time = virtual
nodes = 1000, 100000
duration = 0
timeout = 100000s

[network]
min_delay = 10us
delay = uniform(0, 10ms)

[election]
ids = random
initiators = all
"""
BIG = 100000


class VirtualKill(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="clocklab-vkill-")
        self.cfg = os.path.join(self.dir, "ring.ini")
        with open(self.cfg, "w") as f:
            f.write(VIRTUAL)
        self.out = os.path.join(self.dir, "out.h5")

    def tearDown(self):
        shutil.rmtree(self.dir, ignore_errors=True)

    def wait_for_checkpoint(self, proc, limit):
        """Poll until the running run's checkpoint is in the file: FILE.checkpoint
        written (renamed into place when complete) and linked from FILE (FILE
        replaced after it). Returns the seconds waited."""
        side = self.out + ".checkpoint"
        t0 = time.monotonic()
        while time.monotonic() - t0 < limit:
            self.assertIsNone(proc.poll(), "the run ended before a checkpoint was written")
            try:
                if os.stat(self.out).st_mtime_ns >= os.stat(side).st_mtime_ns:
                    return time.monotonic() - t0
            except FileNotFoundError:
                pass
            time.sleep(0.02)
        self.fail("no checkpoint of the virtual-time run within %.0f s" % limit)

    def test_sigkill_of_rank_0_keeps_virtual_run_to_its_checkpoint(self):
        """SIGKILL of rank 0 in virtual time, a second or two into a run: the file
        holds the finished run and the killed one up to its last checkpoint,
        as in real time."""
        proc = subprocess.Popen([lab.MPIRUN, "-n", "2", lab.BINARY, self.cfg, "-o", self.out],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                env=lab.mpi_env())
        try:
            line = proc.stdout.readline()  # rank 0's line for the finished run
            self.assertIn("run 1/2", line, proc.stderr.read() if not line else line)
            # The default checkpoint, 1 s of wall time: the first one comes
            # about a second into the run; 15 s is more than the whole run.
            waited = self.wait_for_checkpoint(proc, 15.0)
            ranks = lab.rank_pids(proc.pid)
            self.assertIn(0, ranks, "rank 0 not found among %s" % ranks)
            os.kill(ranks[0], signal.SIGKILL)
            proc.communicate(timeout=60)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.communicate()
        self.assertNotEqual(proc.returncode, 0)
        print("checkpoint in the file %.2f s after the first run ended" % waited)
        runs = lab.runs(self.out)
        self.assertEqual([name for name, _ in runs], ["run000", "run001"])
        small, big = runs[0][1], runs[1][1]
        self.assertEqual(small.attrs["status"], "complete")
        self.assertTrue(np.all(small["election/leader"][()] == np.argmax(small["election/ids"][()])))
        # The killed run, from its checkpoint: every node of both ranks.
        self.assertEqual(big.attrs["status"], "interrupted")
        self.assertEqual(int(big.attrs["nodes"]), BIG)
        until = float(big.attrs["complete_until"])
        self.assertEqual(float(big.attrs["duration"]), until)
        self.assertGreater(until, 0)
        self.assertLess(until, 1000.0)  # the election takes about 1000 s
        types = lab.type_names(big)
        sent, received = big["messages/sent"][()], big["messages/received"][()]
        self.assertEqual(sent.shape, (BIG, len(types)))
        # Every node initiates at 0: each has sent its ELECTION by then.
        self.assertTrue(np.all(sent[:, types.index("ELECTION")] >= 1))
        self.assertLessEqual(received.sum(), sent.sum())
        history = big["election/history"][()]
        self.assertTrue(np.all(history["time"] < until))
        self.assertEqual(big["election/leader"].shape, (BIG,))


if __name__ == "__main__":
    unittest.main()
