#!/usr/bin/env python3
"""Files that clocklab itself writes, for the analysis tests on real output.

    CLOCKLAB_BINARY=build/clocklab PYTHONPATH=analysis \\
        /usr/bin/python3 tests/analysis/real_output.py OUTDIR

runs build/clocklab a few times (virtual time where the feature allows it,
so it takes a few seconds) and writes into OUTDIR:

  default.h5   the default scenario, experiments/default.ini (bully+berkeley, the coordinator
               crashes at 1 s), 4 nodes, virtual time, 2 s
  lcr.h5       ring, ids decreasing along the ring, every node initiating,
               n = 2..8 in one file (LCR's worst case: n(n+1)/2 ELECTION)
  cr.h5        ring, random ids, every node initiating, n = 2..6, 3 seeds each
  vector.h5    vector clocks, 4 nodes, 2 seeds (events/ with vectors)
  mutex.h5     the five mutual-exclusion algorithms of experiments/mutex.ini, 4 nodes
  dispatch.h5  experiments/coordinator.ini: a coordinator, 4 servers, 3 clients, 1 s
  real.h5      Cristian on 3 ranks in real time, 0.5 s (fidelity/ and clock/rounds)
  bully.h5     experiments/bully.ini (nodes labelled P1..P10; P9 wins), virtual time
  berkeley.h5  experiments/berkeley.ini, virtual time (30 s, a skew of about 1 ms at the end)
  hpcsync.h5   experiments/hpcsync.ini (skampi, jk, hca) on 4 simulated clocks in
               virtual time (clock/models)

ctest runs it once as the fixture analysis.output (CLOCKLAB_ANALYSIS_OUTPUT
then names OUTDIR for the tests); run by hand, the tests call
:func:`output_dir`, which writes the files into a temporary directory.
"""

import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE = os.environ.get("CLOCKLAB_SOURCE", os.path.dirname(os.path.dirname(HERE)))
BINARY = os.environ.get("CLOCKLAB_BINARY", os.path.join(SOURCE, "build", "clocklab"))
MPIRUN = os.environ.get("CLOCKLAB_MPIRUN", "mpirun")
EXPERIMENTS = os.path.join(SOURCE, "experiments")

VIRTUAL = ["--set", "experiment.time=virtual"]
RING = ["--set", "experiment.algorithm=ring", "--set", "experiment.duration=0",
        "--set", "election.initiators=all", "--set", "network.delay=constant(1ms)"]

#: file -> (ranks, configuration file or None, clocklab arguments)
FILES = {
    "default.h5": (1, os.path.join(EXPERIMENTS, "default.ini"),
                   VIRTUAL + ["--set", "experiment.nodes=4"]),
    "lcr.h5": (1, "/dev/null", VIRTUAL + RING + ["--set", "experiment.nodes=2..8",
                                                "--set", "election.ids=reverse"]),
    "cr.h5": (1, "/dev/null", VIRTUAL + RING + ["--set", "experiment.nodes=2..6",
                                               "--set", "election.ids=random",
                                               "--set", "experiment.repeat=3"]),
    "vector.h5": (1, "/dev/null", VIRTUAL + [
        "--set", "experiment.algorithm=vector", "--set", "experiment.nodes=4",
        "--set", "experiment.duration=1s", "--set", "vector.interval=uniform(20ms, 100ms)",
        "--set", "experiment.repeat=2"]),
    "mutex.h5": (1, os.path.join(EXPERIMENTS, "mutex.ini"),
                 VIRTUAL + ["--set", "experiment.nodes=4"]),
    "dispatch.h5": (1, os.path.join(EXPERIMENTS, "coordinator.ini"),
                    VIRTUAL + ["--set", "experiment.nodes=8", "--set", "experiment.duration=1s"]),
    "real.h5": (3, os.path.join(EXPERIMENTS, "cristian.ini"),
                ["--set", "experiment.duration=500ms", "--set", "cristian.period=100ms"]),
    "bully.h5": (1, os.path.join(EXPERIMENTS, "bully.ini"), VIRTUAL),
    "berkeley.h5": (1, os.path.join(EXPERIMENTS, "berkeley.ini"), VIRTUAL),
    "hpcsync.h5": (1, os.path.join(EXPERIMENTS, "hpcsync.ini"),
                   VIRTUAL + ["--set", "experiment.nodes=4", "--set", "clock.source=simulated",
                              "--set", "evaluation.at=none",
                              "--set", "network.delay=constant(10us)"]),
}


def mpi_env():
    """mpirun as root and with more ranks than cores allowed."""
    env = dict(os.environ)
    env.setdefault("OMPI_ALLOW_RUN_AS_ROOT", "1")
    env.setdefault("OMPI_ALLOW_RUN_AS_ROOT_CONFIRM", "1")
    env.setdefault("OMPI_MCA_rmaps_base_oversubscribe", "1")
    env.setdefault("OMPI_MCA_btl", "self,vader")
    return env


def write(outdir):
    """Run clocklab for every file of FILES into outdir; raise on a failure."""
    os.makedirs(outdir, exist_ok=True)
    for name, (ranks, config, args) in FILES.items():
        command = [MPIRUN, "-n", str(ranks), BINARY] + ([config] if config else [])
        command += ["-o", os.path.join(outdir, name), "--force"] + args
        proc = subprocess.run(command, capture_output=True, text=True, timeout=300,
                              env=mpi_env())
        if proc.returncode != 0:
            raise RuntimeError(f"{' '.join(command)}: exit {proc.returncode}\n{proc.stderr}")


_written = None


def output_dir():
    """The directory with the files: CLOCKLAB_ANALYSIS_OUTPUT (the ctest
    fixture's), else a temporary one written now (once per process).
    Returns None when there is no clocklab binary to write them with."""
    global _written
    given = os.environ.get("CLOCKLAB_ANALYSIS_OUTPUT")
    if given:
        return given
    if _written is None:
        if not os.access(BINARY, os.X_OK):
            return None
        _written = tempfile.mkdtemp(prefix="clocklab-analysis-")
        write(_written)
    return _written


if __name__ == "__main__":
    if len(sys.argv) != 2:
        print("usage: real_output.py OUTDIR", file=sys.stderr)
        sys.exit(2)
    write(sys.argv[1])
    print(f"wrote {', '.join(FILES)} to {sys.argv[1]}")
