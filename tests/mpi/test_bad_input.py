"""Bad input is refused before anything runs (DESIGN.md, configuration): a
wrong key, section, value or unit, an unknown algorithm, an output that
cannot be written or a missing configuration file each exit non-zero with
exactly one "clocklab: error:" line naming the key (or path), and leave no
output file. An existing result is only replaced with --force. --help,
--version, --list and --check exit 0 and --check writes nothing.
"""
import os
import shutil
import stat
import subprocess
import tempfile
import unittest

import h5py

import clocklab_testlib as lab

NODES = 2  # every rank parses; only rank 0 may print the error
BINARY = os.path.abspath(lab.BINARY)  # these runs change the working directory


def clocklab(args, cwd, timeout=120):
    """Run mpirun -n NODES clocklab ARGS in cwd; returns the CompletedProcess."""
    return subprocess.run([lab.MPIRUN, "-n", str(NODES), BINARY] + list(args), cwd=cwd,
                          capture_output=True, text=True, timeout=timeout, env=lab.mpi_env())


def world_executable(path):
    """Whether any user may run path (every directory searchable by others)."""
    path = os.path.realpath(path)
    if not os.stat(path).st_mode & stat.S_IXOTH:
        return False
    while path != "/":
        path = os.path.dirname(path)
        if not os.stat(path).st_mode & stat.S_IXOTH:
            return False
    return True


def error_lines(proc):
    return [line for line in proc.stderr.splitlines() if "clocklab: error:" in line]


class BadInput(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="clocklab-bad-")
        self.out = os.path.join(self.dir, "out.h5")

    def tearDown(self):
        for root, dirs, files in os.walk(self.dir):
            for d in dirs:
                os.chmod(os.path.join(root, d), 0o755)
        shutil.rmtree(self.dir, ignore_errors=True)

    def write(self, text, name="bad.ini"):
        path = os.path.join(self.dir, name)
        with open(path, "w") as f:
            f.write(text)
        return path

    def refused(self, args, *names, output=None):
        """clocklab ARGS exits non-zero with one error line containing every
        string in names, and the output file does not exist."""
        output = output or self.out
        proc = clocklab(list(args) + ["-o", output], self.dir)
        self.assertNotEqual(proc.returncode, 0, proc.stdout + proc.stderr)
        lines = error_lines(proc)
        self.assertEqual(len(lines), 1, proc.stderr)
        for name in names:
            self.assertIn(name, lines[0])
        self.assertFalse(os.path.exists(output), "output written despite the error")
        self.assertNotIn("run 1/", proc.stdout, "a run started")
        return lines[0]

    def test_unknown_key(self):
        cfg = self.write("[experiment]\nalgorithm = bully\ncolour = blue\n")
        self.refused([cfg], "bad.ini:3", "colour", "[experiment]")

    def test_unknown_key_on_command_line(self):
        self.refused(["--set", "berkeley.perod=10ms"], "--set", "perod", "[berkeley]")

    def test_unknown_section(self):
        cfg = self.write("[experiment]\nalgorithm = berkeley\n\n[clocks]\noffset = 0\n")
        self.refused([cfg], "bad.ini:4", "[clocks]")

    def test_bad_unit(self):
        cfg = self.write("[experiment]\nduration = 2 parsecs\n")
        self.refused([cfg], "bad.ini:2", "duration", "parsecs")

    def test_missing_unit(self):
        cfg = self.write("[clock]\noffset = uniform(1, 2)\n")
        self.refused([cfg], "bad.ini:2", "[clock] offset")

    def test_negative_duration(self):
        cfg = self.write("[experiment]\nduration = -1s\n")
        self.refused([cfg], "bad.ini:2", "duration", "negative")

    def test_unknown_algorithm(self):
        cfg = self.write("[experiment]\nalgorithm = berkeley,sundial\n")
        self.refused([cfg], "bad.ini:2", "algorithm", "sundial")

    def test_missing_config(self):
        missing = os.path.join(self.dir, "no-such.ini")
        self.refused([missing], missing)

    def test_output_directory_missing(self):
        self.refused(["--set", "experiment.duration=100ms"], "/nonexistent-dir/x.h5",
                     output="/nonexistent-dir/x.h5")

    def test_output_not_creatable(self):
        # Not even root can create a file in /proc or below a regular file.
        self.refused(["--set", "experiment.duration=100ms"], "/proc/clocklab-test.h5",
                     output="/proc/clocklab-test.h5")
        below_file = os.path.join(self.dir, "plain")
        open(below_file, "w").close()
        self.refused(["--set", "experiment.duration=100ms"], below_file + "/x.h5",
                     output=below_file + "/x.h5")

    def test_output_directory_read_only(self):
        ro = os.path.join(self.dir, "ro")
        os.mkdir(ro)
        os.chmod(ro, 0o555)
        output = os.path.join(ro, "x.h5")
        prefix = []
        if os.geteuid() == 0:
            # root may write anywhere: run as nobody, as a user would.
            setpriv = shutil.which("setpriv")
            if not setpriv or not world_executable(BINARY):
                self.skipTest("root, and no way to run clocklab as nobody")
            os.chmod(self.dir, 0o755)
            prefix = [setpriv, "--reuid=65534", "--regid=65534", "--clear-groups"]
        proc = subprocess.run(prefix + [lab.MPIRUN, "-n", str(NODES), BINARY, "--set",
                                        "experiment.duration=100ms", "-o", output],
                              cwd=self.dir, capture_output=True, text=True, timeout=120,
                              env=dict(lab.mpi_env(), HOME=self.dir, TMPDIR="/tmp"))
        self.assertNotEqual(proc.returncode, 0, proc.stdout + proc.stderr)
        lines = error_lines(proc)
        self.assertEqual(len(lines), 1, proc.stderr)
        self.assertIn(output, lines[0])
        self.assertFalse(os.path.exists(output))

    def test_existing_output_kept_without_force(self):
        with open(self.out, "wb") as f:
            f.write(b"an earlier result\n")
        args = ["--set", "experiment.duration=100ms", "-o", self.out]
        proc = clocklab(args, self.dir)
        self.assertNotEqual(proc.returncode, 0)
        lines = error_lines(proc)
        self.assertEqual(len(lines), 1, proc.stderr)
        self.assertIn(self.out, lines[0])
        self.assertIn("--force", lines[0])
        with open(self.out, "rb") as f:
            self.assertEqual(f.read(), b"an earlier result\n")
        proc = clocklab(args + ["--force"], self.dir)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertEqual(error_lines(proc), [])
        with h5py.File(self.out, "r") as f:
            self.assertEqual(f.attrs["schema"], "clocklab/1")
            self.assertEqual(f["runs/run000"].attrs["status"], "complete")

    def test_informational_options(self):
        for option in ["--help", "--version", "--list"]:
            with self.subTest(option=option):
                proc = clocklab([option, "-o", self.out], self.dir)
                self.assertEqual(proc.returncode, 0, proc.stderr)
                self.assertEqual(error_lines(proc), [])
                self.assertTrue(proc.stdout.strip())
                self.assertFalse(os.path.exists(self.out))
        # Printed once, by rank 0, not once per rank.
        proc = clocklab(["--version"], self.dir)
        self.assertEqual(len(proc.stdout.strip().splitlines()), 1, proc.stdout)
        self.assertIn("clocklab", proc.stdout)
        proc = clocklab(["--list"], self.dir)
        for name in ["cristian", "berkeley", "bully", "ELECTION", "TIME_REQUEST"]:
            self.assertIn(name, proc.stdout)
        proc = clocklab(["--help"], self.dir)
        self.assertIn("--set", proc.stdout)

    def test_check_writes_nothing(self):
        cfg = self.write("[experiment]\nalgorithm = bully+berkeley\nduration = 1s\n", "ok.ini")
        proc = clocklab([cfg, "--check", "-o", self.out], self.dir)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertEqual(error_lines(proc), [])
        self.assertIn("algorithm = bully+berkeley", proc.stdout)
        self.assertFalse(os.path.exists(self.out))
        self.assertFalse(os.path.exists(os.path.join(self.dir, "clocklab.h5")))
        # --check finds the same errors a run would.
        bad = self.write("[experiment]\nduration = soon\n")
        proc = clocklab([bad, "--check", "-o", self.out], self.dir)
        self.assertNotEqual(proc.returncode, 0)
        lines = error_lines(proc)
        self.assertEqual(len(lines), 1, proc.stderr)
        self.assertIn("duration", lines[0])


if __name__ == "__main__":
    unittest.main()
