"""A result file on a disk that fills up (docs/running.md, "A full disk"):
clocklab ends the job with exit status 1 on every rank and one
"clocklab: error:" line naming the output path and the file system's error,
without a crash, and the file at the path opens and holds the runs written
before, whole; no working copy is left behind.

The disk is a tmpfs of a few MB mounted in a temporary directory (root only:
the tests are skipped where mount(8) is not permitted). The job is five
identical runs in virtual time (deterministic, well under a second each),
each about S bytes on disk. Writing run k (counting from 0) needs the file
(k runs) and its shadow copy (k + 1 runs), about (2k + 1) S: a tmpfs of 6 S
takes runs 0-2 and fills at run 3. A tmpfs of S / 2 takes no run.

Before clocklab wrote its files through a driver of its own (src/output/
h5file.c), the failed write left the file open inside HDF5 and rank 0
crashed in MPI_Finalize (SIGSEGV in H5F__close_cb, exit status 139).
"""
import os
import shutil
import subprocess
import tempfile
import unittest

import h5py
import numpy as np

import clocklab_testlib as lab

NODES = 2
RUNS = 5
BINARY = os.path.abspath(lab.BINARY)
SETS = ["experiment.time=virtual", "network.min_delay=1ms", "experiment.nodes=4",
        "experiment.duration=10s", "clock.sample_interval=1ms", "experiment.checkpoint=0"]

# Each rank reports its own exit status on stderr (as in test_bad_input.py),
# so that a rank killed by a signal shows as 128 + the signal.
RANK_EXIT = 'rc=0; "$@" || rc=$?; echo "clocklab-rank-exit $rc" >&2; exit $rc'


def clocklab(output, runs, cwd):
    """mpirun -n NODES clocklab with SETS and `runs` repeats into output;
    returns (CompletedProcess, the exit status of each rank)."""
    args = ["-o", output, "--set", "experiment.repeat=%d" % runs]
    for s in SETS:
        args += ["--set", s]
    env = dict(lab.mpi_env(), OMPI_MCA_orte_abort_on_non_zero_status="0")
    proc = subprocess.run([lab.MPIRUN, "-n", str(NODES), "sh", "-c", RANK_EXIT, "sh", BINARY] +
                          args, cwd=cwd, capture_output=True, text=True, timeout=120, env=env)
    exits = [int(line.split()[1]) for line in proc.stderr.splitlines()
             if line.startswith("clocklab-rank-exit ")]
    return proc, exits


def datasets(group):
    """Every dataset under group: {relative path: numpy array}."""
    out = {}
    group.visititems(lambda name, obj: out.__setitem__(name, obj[()])
                     if isinstance(obj, h5py.Dataset) else None)
    return out


class FullDisk(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="clocklab-disk-")
        self.mnt = os.path.join(self.dir, "disk")
        os.mkdir(self.mnt)
        self.mounted = False
        # the runs on a disk with room: the reference, and the size of a run
        self.ref = os.path.join(self.dir, "ref.h5")
        proc, exits = clocklab(self.ref, RUNS, self.dir)
        self.assertEqual(exits, [0] * NODES, proc.stderr)
        one = os.path.join(self.dir, "one.h5")
        proc, exits = clocklab(one, 1, self.dir)
        self.assertEqual(exits, [0] * NODES, proc.stderr)
        self.run_bytes = os.path.getsize(one)

    def tearDown(self):
        if self.mounted:
            if subprocess.run(["umount", self.mnt], capture_output=True).returncode != 0:
                subprocess.run(["umount", "-l", self.mnt], capture_output=True)
        shutil.rmtree(self.dir, ignore_errors=True)

    def mount(self, size):
        """Mount a tmpfs of size bytes on self.mnt, or skip the test."""
        if os.geteuid() != 0:
            self.skipTest("mounting a tmpfs needs root")
        proc = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=%dk" % (size // 1024 + 1),
                               "tmpfs", self.mnt], capture_output=True, text=True)
        if proc.returncode != 0:
            self.skipTest("mounting a tmpfs is not permitted here (a container without "
                          "CAP_SYS_ADMIN?): " + proc.stderr.strip())
        self.mounted = True

    def filled(self, size, runs_before):
        """Run the job on a tmpfs of size bytes; check that it ends as a full
        disk does after runs_before runs; returns the output path."""
        self.mount(size)
        out = os.path.join(self.mnt, "out.h5")
        proc, exits = clocklab(out, RUNS, self.dir)
        report = proc.stdout + proc.stderr
        self.assertEqual(exits, [1] * NODES, report)
        for crash in ("Segmentation fault", "Signal:", "signal 11", "AddressSanitizer"):
            self.assertNotIn(crash, report)
        errors = [line for line in proc.stderr.splitlines() if "clocklab: error:" in line]
        self.assertEqual(len(errors), 1, report)
        self.assertIn("cannot write run%03d to output file '%s': No space left on device"
                      % (runs_before, out), errors[0])
        self.assertEqual(proc.stdout.count("complete,"), runs_before, report)
        # the file and nothing else: the working copies are gone
        self.assertEqual(os.listdir(self.mnt), ["out.h5"])
        return out, errors[0]

    def test_disk_full_at_the_fourth_run_keeps_the_first_three_whole(self):
        out, error = self.filled(6 * self.run_bytes, 3)
        self.assertIn("the 3 runs before it (run000 to run002), whole", error)
        with h5py.File(out, "r") as f, h5py.File(self.ref, "r") as ref:
            self.assertEqual(f.attrs["schema"], ref.attrs["schema"])
            self.assertEqual(sorted(f["runs"]), ["run000", "run001", "run002"])
            for name in f["runs"]:
                run = f["runs"][name]
                self.assertEqual(run.attrs["status"], "complete")
                got, want = datasets(run), datasets(ref["runs"][name])
                self.assertEqual(sorted(got), sorted(want), name)
                for path in want:
                    np.testing.assert_array_equal(got[path], want[path], "%s/%s" % (name, path))

    def test_disk_full_at_the_first_run_leaves_a_file_without_runs(self):
        out, error = self.filled(self.run_bytes // 2, 0)
        self.assertIn("the file holds no finished run", error)
        with h5py.File(out, "r") as f:
            self.assertEqual(f.attrs["software"], "clocklab")
            self.assertEqual(list(f["runs"]), [])


if __name__ == "__main__":
    unittest.main()
