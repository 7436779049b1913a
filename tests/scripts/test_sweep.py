"""scripts/sweep.sh, the sweep runner for one machine, and the scripts that
must write only where they are told.

- a 4-line virtual-time sweep, run from another directory with relative
  paths: one result file per line, runs.csv with one row per line and the
  line's algorithm, node count and seed; a rerun skips every line and leaves
  the files untouched; a deleted result runs again, alone;
- a bad line: exit 2 naming the file and line, nothing created;
- a failing run: exit 1, the others' results and runs.csv kept, the failed
  line and its log named in the summary, the log holding clocklab's error;
- a missing sweep file or binary: exit 2;
- SIGTERM to the runner during a real-time run: exit 130, no result kept for
  the stopped line (its partial file is not a finished run);
- slurm/sweep.sbatch parses the same lines: a bad line names its line number;
  one array task (Slurm variables set by hand, mpirun) writes the line's run;
- experiments/complexity.sh (virtual time, n <= 3) writes its files and figure
  into the directory it is given and nothing into the repository;
- scripts/refresh_docs_figures.sh maps its figures onto tracked files.

Environment (ctest sets them): CLOCKLAB_BINARY, CLOCKLAB_SOURCE, PYTHONPATH.
"""
import csv
import glob
import os
import signal
import subprocess
import tempfile
import time
import unittest

SOURCE = os.environ.get("CLOCKLAB_SOURCE") or os.path.abspath(
    os.path.join(os.path.dirname(__file__), "..", ".."))
BINARY = os.environ.get("CLOCKLAB_BINARY") or os.path.join(SOURCE, "build", "clocklab")
SWEEP = os.path.join(SOURCE, "scripts", "sweep.sh")
ENV = dict(os.environ, CLOCKLAB_BINARY=BINARY)
if os.getuid() == 0:
    ENV.update(OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1")

VIRTUAL = ["--", "--set", "experiment.time=virtual"]
LINES = """# algorithm x nodes x seed
2 bully 1
3 ring 2

4 berkeley 3 --set berkeley.rounds=2
2 bully+berkeley 4 --set "network.delay=uniform(0.5ms, 1.5ms)"
"""
EXPECTED = {("bully", 2, 1), ("ring", 3, 2), ("berkeley", 4, 3), ("bully+berkeley", 2, 4)}


def run(args, cwd, env=None, timeout=120):
    return subprocess.run(["bash", *args], cwd=cwd, env=env or ENV, capture_output=True,
                          text=True, timeout=timeout)


def rows(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def results(out):
    return sorted(glob.glob(os.path.join(out, "*.h5")))


class SweepRunner(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory(prefix="clocklab-sweep-test-")
        self.dir = self.tmp.name

    def tearDown(self):
        self.tmp.cleanup()

    def write(self, name, text):
        with open(os.path.join(self.dir, name), "w") as f:
            f.write(text)
        return name

    def explain(self, r):
        return "exit %d\nstdout:\n%s\nstderr:\n%s" % (r.returncode, r.stdout, r.stderr)

    def test_virtual_sweep_runs_and_a_rerun_runs_only_missing(self):
        self.write("sweep.txt", LINES)
        r = run([SWEEP, "sweep.txt", "-o", "out", "-j", "2", *VIRTUAL], self.dir)
        self.assertEqual(r.returncode, 0, self.explain(r))
        out = os.path.join(self.dir, "out")
        files = results(out)
        self.assertEqual(len(files), 4, files)
        table = rows(os.path.join(out, "runs.csv"))
        self.assertEqual(len(table), 4, table)
        got = {(t["algorithm"], int(t["nodes"]), int(t["seed"])) for t in table}
        self.assertEqual(got, EXPECTED)
        self.assertEqual({t["status"] for t in table}, {"complete"})
        self.assertEqual({t["time"] for t in table}, {"virtual"})
        self.assertIn("4/4 done", r.stderr)
        self.assertIn(os.path.join(out, "runs.csv"), r.stdout)
        self.assertFalse(os.path.exists(os.path.join(out, ".partial")))

        # a rerun skips every line and touches no result
        mtimes = {f: os.stat(f).st_mtime_ns for f in files}
        r = run([SWEEP, "sweep.txt", "-o", "out", *VIRTUAL], self.dir)
        self.assertEqual(r.returncode, 0, self.explain(r))
        self.assertIn("4 finished already (skipped), 0 to run", r.stderr)
        self.assertIn("0 run, 4 skipped", r.stdout)
        self.assertEqual({f: os.stat(f).st_mtime_ns for f in results(out)}, mtimes)

        # a missing result runs again, alone
        gone = [f for f in files if os.path.basename(f).startswith("ring-n3-s2")]
        self.assertEqual(len(gone), 1, files)
        os.remove(gone[0])
        r = run([SWEEP, "sweep.txt", "-o", "out", *VIRTUAL], self.dir)
        self.assertEqual(r.returncode, 0, self.explain(r))
        self.assertIn("1 run, 3 skipped", r.stdout)
        self.assertTrue(os.path.exists(gone[0]))
        for f in files:
            if f != gone[0]:
                self.assertEqual(os.stat(f).st_mtime_ns, mtimes[f], f)
        self.assertEqual(len(rows(os.path.join(out, "runs.csv"))), 4)

    def test_bad_line_exits_2_naming_it_before_running(self):
        self.write("bad.txt", "2 bully 1\n\n2 ring\n")
        r = run([SWEEP, "bad.txt", "-o", "out"], self.dir)
        self.assertEqual(r.returncode, 2, self.explain(r))
        self.assertIn("bad.txt:3: bad line '2 ring'", r.stderr)
        self.assertFalse(os.path.exists(os.path.join(self.dir, "out")))
        self.write("quote.txt", "2 bully 1 --set \"network.delay=constant(1ms)\n")
        r = run([SWEEP, "quote.txt", "-o", "out"], self.dir)
        self.assertEqual(r.returncode, 2, self.explain(r))
        self.assertIn("quote.txt:1:", r.stderr)

    def test_failed_run_exits_1_and_names_its_log(self):
        self.write("fail.txt", "2 bully 1\n2 ring 5 --set ring.no_such_key=1\n")
        r = run([SWEEP, "fail.txt", "-o", "out", *VIRTUAL], self.dir)
        self.assertEqual(r.returncode, 1, self.explain(r))
        out = os.path.join(self.dir, "out")
        self.assertEqual([os.path.basename(f)[:10] for f in results(out)], ["bully-n2-s"])
        self.assertEqual(len(rows(os.path.join(out, "runs.csv"))), 1)
        self.assertIn("FAILED fail.txt:2: 2 ring 5", r.stdout)
        logs = glob.glob(os.path.join(out, "logs", "ring-n2-s5-*.log"))
        self.assertEqual(len(logs), 1, os.listdir(os.path.join(out, "logs")))
        self.assertIn(logs[0], r.stdout)
        with open(logs[0]) as f:
            self.assertIn("no_such_key", f.read())
        self.assertIn("1 failed", r.stderr)

    def test_missing_inputs_exit_2_before_running(self):
        r = run([SWEEP, "nothing.txt", "-o", "out"], self.dir)
        self.assertEqual(r.returncode, 2, self.explain(r))
        self.assertIn("cannot read sweep file 'nothing.txt'", r.stderr)
        self.write("one.txt", "2 bully 1\n")
        env = dict(ENV, CLOCKLAB_BINARY=os.path.join(self.dir, "no-clocklab"))
        r = run([SWEEP, "one.txt", "-o", "out"], self.dir, env=env)
        self.assertEqual(r.returncode, 2, self.explain(r))
        self.assertIn("no clocklab binary", r.stderr)
        self.assertFalse(os.path.exists(os.path.join(self.dir, "out")))
        r = run([SWEEP, "one.txt"], self.dir)
        self.assertEqual(r.returncode, 2, self.explain(r))
        r = run([SWEEP, "--help"], self.dir)
        self.assertEqual(r.returncode, 0)
        self.assertIn("SWEEP_FILE -o OUTDIR", r.stdout)

    def test_interrupted_run_is_not_kept(self):
        self.write("long.txt", "2 berkeley 1 --set experiment.duration=60s\n")
        out = os.path.join(self.dir, "out")
        p = subprocess.Popen(["bash", SWEEP, "long.txt", "-o", "out"], cwd=self.dir, env=ENV,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            deadline = time.time() + 30
            while not glob.glob(os.path.join(out, ".partial", "*.h5")) and time.time() < deadline:
                time.sleep(0.1)
            self.assertTrue(glob.glob(os.path.join(out, ".partial", "*.h5")), "no run started")
            time.sleep(1)
            p.send_signal(signal.SIGTERM)
            stdout, stderr = p.communicate(timeout=60)
        finally:
            if p.poll() is None:
                p.kill()
                p.communicate()
        self.assertEqual(p.returncode, 130, stdout + stderr)
        self.assertIn("interrupted", stdout)
        self.assertEqual(results(out), [])
        self.assertEqual(len(glob.glob(os.path.join(out, "logs", "berkeley-n2-s1-*.log"))), 1)


class SharedLines(unittest.TestCase):
    def test_sbatch_parses_the_same_lines(self):
        with tempfile.TemporaryDirectory(prefix="clocklab-sweep-test-") as tmp:
            with open(os.path.join(tmp, "bad.txt"), "w") as f:
                f.write("# c\n2 bully 1\n2 bully x\n")
            sbatch = os.path.join(SOURCE, "slurm", "sweep.sbatch")
            r = run([sbatch, "bad.txt"], tmp)
            self.assertEqual(r.returncode, 2, r.stdout + r.stderr)
            self.assertIn("bad.txt:3: bad line '2 bully x'", r.stderr)
            with open(os.path.join(tmp, "good.txt"), "w") as f:
                f.write("# c\n2 bully 1\n3 ring 7 --set experiment.time=virtual\n")
            env = dict(ENV, SLURM_JOB_ID="11", SLURM_ARRAY_JOB_ID="10", SLURM_ARRAY_TASK_ID="1",
                       SLURM_NTASKS="1", SLURM_SUBMIT_DIR=tmp, CLOCKLAB_LAUNCHER="mpirun",
                       CLOCKLAB_SLURM_LIB=os.path.join(SOURCE, "slurm", "launch.sh"))
            r = run([sbatch, "good.txt"], tmp, env=env)
            self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
            self.assertIn("line 3 of good.txt", r.stdout)
            table = os.path.join(tmp, "runs.csv")
            subprocess.run(["/usr/bin/python3", "-m", "clocklab", "table",
                            os.path.join(tmp, "sweep-10_1.h5"), "-o", table],
                           check=True, env=ENV, capture_output=True)
            (row,) = rows(table)
            self.assertEqual((row["algorithm"], row["nodes"], row["seed"]), ("ring", "3", "7"))


class WritesOnlyWhereTold(unittest.TestCase):
    def git(self, *args):
        return subprocess.run(["git", "-C", SOURCE, *args], capture_output=True, text=True)

    def test_complexity_writes_nothing_into_the_repository(self):
        if self.git("rev-parse").returncode != 0:
            self.skipTest("not a git checkout")
        # Only what the study makes counts (others may be editing the tree).
        def made():
            st = self.git("status", "--porcelain", "--untracked-files=all").stdout
            return {line for line in st.splitlines()
                    if line.endswith((".h5", ".png", ".csv")) or "complexity" in line}
        before = made()
        with tempfile.TemporaryDirectory(prefix="clocklab-sweep-test-") as tmp:
            env = dict(ENV, MODE="virtual", NMAX="3", SEEDS="1")
            env.pop("FIGURE", None)
            r = run([os.path.join(SOURCE, "experiments", "complexity.sh"), "cx"], tmp, env=env)
            self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
            self.assertTrue(os.path.exists(os.path.join(tmp, "cx", "complexity-virtual.png")))
            self.assertEqual(len(glob.glob(os.path.join(tmp, "cx", "*-virtual.h5"))), 4)
        self.assertEqual(made() - before, set())

    def test_refresh_maps_tracked_figures(self):
        r = run([os.path.join(SOURCE, "scripts", "refresh_docs_figures.sh"), "--list"], SOURCE)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        mapped = [line.split()[-1] for line in r.stdout.splitlines()[1:] if line.strip()]
        self.assertTrue(mapped)
        self.assertNotIn("(not in the repository yet)", r.stdout)
        if self.git("rev-parse").returncode == 0:
            tracked = set(self.git("ls-files", "docs").stdout.split())
            self.assertEqual(set(mapped) - tracked, set())
            figures = {f for f in tracked if f.endswith(".png")}
            self.assertEqual(figures - set(mapped), set(), "tracked figures no study draws")
        r = run([os.path.join(SOURCE, "scripts", "refresh_docs_figures.sh"), "nosuch"], SOURCE)
        self.assertEqual(r.returncode, 2)


if __name__ == "__main__":
    unittest.main(verbosity=2)
