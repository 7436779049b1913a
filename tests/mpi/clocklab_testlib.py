"""Shared helpers for clocklab's MPI integration tests.

Each test module runs build/clocklab under mpirun with a configuration,
then reads the HDF5 result with h5py and asserts an oracle from the
literature. The binary and mpirun come from the environment that ctest sets
(CLOCKLAB_BINARY, CLOCKLAB_MPIRUN); when run by hand they default to
build/clocklab and mpirun.
"""
import os
import subprocess
import tempfile

import h5py
import numpy as np

SOURCE = os.environ.get(
    "CLOCKLAB_SOURCE", os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
BINARY = os.environ.get("CLOCKLAB_BINARY", os.path.join(SOURCE, "build", "clocklab"))


def default_scenario():
    """The text of experiments/default.ini: the scenario a run without a
    configuration file and without --set runs. With --set, a run starts from
    the built-in defaults unless it is given this file."""
    with open(os.path.join(SOURCE, "experiments", "default.ini"), encoding="utf-8") as f:
        return f.read()
MPIRUN = os.environ.get("CLOCKLAB_MPIRUN", "mpirun")


def mpi_env():
    """Environment for mpirun: allowed as root, oversubscription allowed."""
    env = dict(os.environ)
    env.setdefault("OMPI_ALLOW_RUN_AS_ROOT", "1")
    env.setdefault("OMPI_ALLOW_RUN_AS_ROOT_CONFIRM", "1")
    env.setdefault("OMPI_MCA_rmaps_base_oversubscribe", "1")
    # Keep Open MPI from probing network interfaces it cannot use here.
    env.setdefault("OMPI_MCA_btl", "self,vader")
    return env


def run_clocklab(nodes, config_text=None, sets=(), output=None, extra_args=(), timeout=300,
                 check=True):
    """Run clocklab on `nodes` ranks.

    config_text: INI text written to a temporary file (None: no config file:
    the default scenario without sets, the built-in defaults with them).
    sets: iterable of "section.key=value".
    Returns (completed_process, output_path). With check=True a non-zero exit
    raises AssertionError with the program's stderr.
    """
    workdir = tempfile.mkdtemp(prefix="clocklab-test-")
    args = [MPIRUN, "-n", str(nodes), BINARY]
    if config_text is not None:
        cfg = os.path.join(workdir, "experiment.ini")
        with open(cfg, "w") as f:
            f.write(config_text)
        args.append(cfg)
    if output is None:
        output = os.path.join(workdir, "out.h5")
    args += ["-o", output]
    for s in sets:
        args += ["--set", s]
    args += list(extra_args)
    proc = subprocess.run(args, capture_output=True, text=True, timeout=timeout, env=mpi_env())
    if check and proc.returncode != 0:
        raise AssertionError("clocklab failed (exit %d): %s\n%s" %
                             (proc.returncode, " ".join(args), proc.stderr))
    return proc, output


def refusal(ranks, sets, config="/dev/null", timeout=120):
    """clocklab on `ranks` ranks with --set SETS where it should refuse to
    run: (the CompletedProcess, whether its -o output exists afterwards)."""
    with tempfile.TemporaryDirectory(prefix="clocklab-test-") as d:
        out = os.path.join(d, "x.h5")
        args = [MPIRUN, "-n", str(ranks), BINARY, config, "-o", out]
        for s in sets:
            args += ["--set", s]
        proc = subprocess.run(args, capture_output=True, text=True, env=mpi_env(),
                              timeout=timeout)
        return proc, os.path.exists(out)


def runs(path):
    """The run groups of a result file, in order: list of (name, h5py.Group).
    The file stays open for the life of the returned groups."""
    f = h5py.File(path, "r")
    return [(name, f["runs"][name]) for name in sorted(f["runs"].keys())]


def type_names(run):
    """messages/types as a list of str."""
    return [t.decode() if isinstance(t, bytes) else str(t) for t in run["messages/types"][()]]


def message_counts(run):
    """Total messages sent per type name: dict name -> int (sum over nodes)."""
    sent = run["messages/sent"][()]
    return {t: int(sent[:, i].sum()) for i, t in enumerate(type_names(run))}


def server_offset(run, node, t):
    """True offset of a node that never adjusts its clock (a time server):
    theta + rho * 1e-6 * t, at reference times t (s)."""
    theta = float(run["nodes/initial_offset"][node])
    rho = float(run["nodes/drift"][node])
    return theta + rho * 1e-6 * np.asarray(t)


def rank_of(pid):
    """OMPI_COMM_WORLD_RANK of one of our mpirun's children, or None."""
    try:
        with open("/proc/%d/environ" % pid, "rb") as f:
            for item in f.read().split(b"\0"):
                if item.startswith(b"OMPI_COMM_WORLD_RANK="):
                    return int(item.split(b"=", 1)[1])
    except OSError:
        return None
    return None


def children(pid):
    """Pids whose parent is pid (from /proc)."""
    out = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % entry) as f:
                fields = f.read().rsplit(")", 1)[1].split()
            if int(fields[1]) == pid:
                out.append(int(entry))
        except (OSError, IndexError, ValueError):
            pass
    return out


def rank_pids(mpirun_pid):
    """{rank: pid} of the ranks an mpirun started on this host."""
    ranks = {}
    for pid in children(mpirun_pid):
        r = rank_of(pid)
        if r is not None:
            ranks[r] = pid
    return ranks
