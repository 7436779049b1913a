"""Two parts of the command line (docs/running.md, "The command line").

--check without mpirun: one process checks every run of a configuration for
the node count given by --nodes N, else [experiment] nodes, including the
rules that need it (an algorithm's smallest node count, initiators, crash
events and labels that name existing nodes, an algorithm's own node keys
such as [berkeley] master); it exits 2 with one error line naming the key,
or 0 with the resolved configuration, and writes nothing.

--progress: rank 0 prints the reference time each run has reached to
stderr, at most every S seconds of wall time; without it (stderr not a
terminal) nothing is printed."""
import os
import re
import shutil
import subprocess
import tempfile
import unittest

import clocklab_testlib as lab


def single(args, cwd):
    """clocklab ARGS as one process, without mpirun."""
    return subprocess.run([lab.BINARY] + list(args), cwd=cwd, capture_output=True, text=True,
                          timeout=120, env=lab.mpi_env())


def error_lines(proc):
    return [line for line in proc.stderr.splitlines() if line.startswith("clocklab: error:")]


class CheckWithoutMpirun(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="clocklab-check-")

    def tearDown(self):
        shutil.rmtree(self.dir, ignore_errors=True)

    def check(self, sets, nodes=None):
        args = [os.devnull, "--check"]
        for s in sets:
            args += ["--set", s]
        if nodes is not None:
            args += ["--nodes", str(nodes)]
        return single(args, self.dir)

    def refused(self, sets, nodes, *names):
        proc = self.check(sets, nodes)
        self.assertEqual(proc.returncode, 2, proc.stdout + proc.stderr)
        lines = error_lines(proc)
        self.assertEqual(len(lines), 1, proc.stderr)
        for name in names:
            self.assertIn(name, lines[0])
        self.assertEqual(os.listdir(self.dir), [])

    def accepted(self, sets, nodes):
        proc = self.check(sets, nodes)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertEqual(error_lines(proc), [])
        self.assertEqual(os.listdir(self.dir), [])
        return proc.stdout

    def test_check_checks_the_output_path_as_the_run_does(self):
        # --check makes the run's checks of -o FILE, and creates nothing
        base = [os.devnull, "--check", "--nodes", "4", "--set", "experiment.algorithm=berkeley"]
        missing = os.path.join(self.dir, "no", "such", "dir", "x.h5")
        proc = single(base + ["-o", missing], self.dir)
        self.assertEqual(proc.returncode, 2, proc.stdout)
        self.assertEqual(error_lines(proc), [
            "clocklab: error: cannot create output file '%s': directory '%s': No such file or "
            "directory" % (missing, os.path.dirname(missing))])
        existing = os.path.join(self.dir, "x.h5")
        open(existing, "w").close()
        proc = single(base + ["-o", existing], self.dir)
        self.assertEqual(proc.returncode, 2, proc.stdout)
        self.assertIn("output file '%s' exists" % existing, error_lines(proc)[0])
        self.assertEqual(single(base + ["-o", existing, "--force"], self.dir).returncode, 0)
        self.assertEqual(os.listdir(self.dir), ["x.h5"])

    def test_check_refuses_fewer_nodes_than_the_algorithm_needs(self):
        # Chang-Roberts needs a ring of at least two nodes
        self.refused(["experiment.algorithm=ring"], 1, "ring needs at least 2 nodes")
        out = self.accepted(["experiment.algorithm=ring"], 2)
        self.assertIn("on 2 nodes", out)

    def test_initiators_exist(self):
        sets = ["experiment.algorithm=bully", "election.initiators=5"]
        self.refused(sets, 4, "[election] initiators", "node 5")
        self.accepted(sets, 6)

    def test_one_label_per_node(self):
        sets = ["nodes.labels=a, b, c"]
        self.refused(sets, 4, "[nodes] labels", "3 labels")
        self.accepted(sets, 3)

    def test_crash_names_a_node(self):
        sets = ["experiment.algorithm=bully+berkeley", "faults.crash=6@100ms"]
        self.refused(sets, 4, "[faults] crash", "node 6")
        self.accepted(sets, 7)

    def test_algorithm_node_keys_checked_for_the_node_count(self):
        # checked by the algorithms' own configure, for the node count given
        self.refused(["berkeley.master=7"], 4, "--set: [berkeley] master", "node 7")
        self.accepted(["berkeley.master=7"], 8)
        self.refused(["experiment.algorithm=ntp", "ntp.server=3"], 3, "[ntp] server")

    def test_experiment_nodes_checked_and_mpirun_suggested(self):
        # a real-time run of 8 nodes runs on 1 to 8 ranks; --check on one
        # process checks the configuration for 8 nodes and says how to start
        # it: no more ranks than this host's CPUs
        out = self.accepted(["experiment.nodes=8"], None)
        self.assertIn("on 8 nodes", out)
        self.assertIn("mpirun -n %d" % min(8, os.cpu_count()), out)
        self.refused(["experiment.nodes=8", "berkeley.master=9"], None, "[berkeley] master")

    def test_open_ended_counts_need_a_duration(self):
        # rounds = 0 means "until the run ends": with duration 0 it never ends
        self.refused(["experiment.duration=0"], 4, "[berkeley] rounds", "duration")
        self.accepted(["experiment.duration=0", "berkeley.rounds=3"], 4)
        self.refused(["experiment.algorithm=bully", "experiment.duration=0",
                      "bully.heartbeat=10ms"], 4, "[bully] heartbeat", "duration")

    def test_nodes_without_check_is_refused(self):
        proc = single([os.devnull, "--nodes", "4", "-o", os.path.join(self.dir, "x.h5")],
                      self.dir)
        self.assertEqual(proc.returncode, 2)
        self.assertIn("--nodes goes with --check", proc.stderr)


    def resolved(self, args):
        """--check --nodes 4 with args: (stdout, {"[section] key": value})."""
        proc = single(list(args) + ["--check", "--nodes", "4"], self.dir)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        values, section = {}, None
        for line in proc.stdout.splitlines():
            if line.startswith("["):
                section = line.strip()
            elif "=" in line and not line.startswith(";"):
                key, value = (x.strip() for x in line.split("=", 1))
                values["%s %s" % (section, key)] = value
        return proc.stdout, values

    def test_resolved_configuration_names_its_base(self):
        # nothing given: the default scenario (experiments/default.ini), its
        # crash and heartbeat included
        out, v = self.resolved([])
        self.assertIn("; base: the default scenario", out)
        self.assertEqual(v["[experiment] algorithm"], "bully+berkeley")
        self.assertEqual(v["[faults] crash"], "coordinator@1s")
        # --set alone: the built-in defaults, no crash or heartbeat inherited
        out, v = self.resolved(["--set", "experiment.duration=1s"])
        self.assertIn("; base: the built-in defaults", out)
        self.assertEqual(v["[experiment] algorithm"], "berkeley")
        self.assertEqual(v["[faults] crash"], "none")
        out, v = self.resolved(["--set", "experiment.algorithm=bully", "--set",
                                "experiment.duration=1s"])
        self.assertEqual(v["[bully] heartbeat"], "0")
        # the default scenario changed on purpose: its file plus --set
        default_ini = os.path.join(lab.SOURCE, "experiments", "default.ini")
        out, v = self.resolved([default_ini, "--set", "experiment.duration=3s"])
        self.assertIn("; base: " + default_ini, out)
        self.assertEqual(v["[faults] crash"], "coordinator@1s")
        self.assertEqual(v["[experiment] duration"], "3s")

    def test_key_for_an_algorithm_no_run_uses_is_refused(self):
        self.refused(["ring.timeout=1s"], 4, "--set: [ring] timeout", "no run uses ring",
                     "berkeley")
        path = os.path.join(tempfile.mkdtemp(prefix="clocklab-base-"), "base.ini")
        self.addCleanup(shutil.rmtree, os.path.dirname(path), True)
        with open(path, "w") as f:
            f.write("[experiment]\nalgorithm = berkeley\n\n[bully]\nheartbeat = 10ms\n")
        proc = single([path, "--check", "--nodes", "4"], self.dir)
        self.assertEqual(proc.returncode, 2)
        self.assertEqual(len(error_lines(proc)), 1, proc.stderr)
        self.assertIn("base.ini:5: [bully] heartbeat: no run uses bully", proc.stderr)
        # used by a layer of a stack, or by one run of a list: accepted
        self.accepted(["experiment.algorithm=bully+berkeley", "bully.timeout=80ms"], 4)
        self.accepted(["experiment.algorithm=berkeley, ring", "ring.timeout=1s"], 4)
        # a base shared by several algorithms says so
        self.accepted(["ring.timeout=1s", "experiment.unused_keys=ignore"], 4)
        # every rank refuses it before anything runs
        out = os.path.join(self.dir, "run.h5")
        proc = subprocess.run([lab.MPIRUN, "-n", "2", lab.BINARY, "-o", out, "--set",
                               "ring.timeout=1s"], cwd=self.dir, capture_output=True,
                              text=True, timeout=120, env=lab.mpi_env())
        self.assertNotEqual(proc.returncode, 0)
        self.assertIn("[ring] timeout", proc.stderr)
        self.assertFalse(os.path.exists(out))

    def test_duration_zero_names_what_was_given(self):
        # the open-ended key is at its default: the message names the duration
        # where it was given, and the default it collides with
        self.refused(["experiment.duration=0"], 4, "--set: [experiment] duration",
                     "[berkeley] rounds = 0 (its default)")


PROGRESS = re.compile(r"^clocklab: run 1/1 berkeley: reference time ([0-9.]+) s of 1.2 s$")


class Progress(unittest.TestCase):
    def progress_times(self, extra):
        proc, _ = lab.run_clocklab(2, "[experiment]\nduration = 1.2s\n", extra_args=extra)
        self.assertEqual([l for l in proc.stdout.splitlines() if "reference time" in l], [])
        return [float(m.group(1)) for m in map(PROGRESS.match, proc.stderr.splitlines()) if m]

    def test_progress_lines_on_rank_0(self):
        times = self.progress_times(["--progress=0.2"])
        # about one per 0.2 s of a 1.2 s run; from rank 0 only, so strictly increasing
        self.assertGreaterEqual(len(times), 3, times)
        self.assertLessEqual(len(times), 6, times)
        self.assertEqual(times, sorted(set(times)))
        self.assertTrue(all(0.2 <= t <= 1.2 for t in times), times)
        for a, b in zip(times, times[1:]):
            self.assertGreaterEqual(b - a, 0.19, times)

    def test_no_progress_when_stderr_is_not_a_terminal(self):
        self.assertEqual(self.progress_times([]), [])
        self.assertEqual(self.progress_times(["--progress=0.2", "--no-progress"]), [])


if __name__ == "__main__":
    unittest.main()
