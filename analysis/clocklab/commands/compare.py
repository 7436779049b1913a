"""Compare two clocklab/1 files dataset by dataset.

    python3 -m clocklab compare A.h5 B.h5

Exits 0 when both files hold the same runs with the same datasets, value
for value (NaN equals NaN), and the same run attributes; 1 with one line per
difference otherwise; 2 when a file cannot be read. Provenance may differ
and is not compared: the root attributes (created, command_line, hosts,
nranks, mpi_library, hdf5_version, version, git_commit, slurm_*), each run's
wall_time, event_time and window_time, and the fidelity/ group (how well
a real-time run kept time on that machine). This is the check of virtual time's contract: the same
configuration and seed give the same file whatever the rank count and load.
"""

import sys

import h5py
import numpy as np

from .. import schema
from ..reader import ClocklabError, open_clocklab

PROVENANCE_RUN_ATTRS = set(schema.PROVENANCE_RUN_ATTRS)
PROVENANCE_GROUPS = {schema.FIDELITY}


def walk(group, prefix=""):
    """{path: dataset} of every dataset below group, provenance groups left out."""
    out = {}
    for name, item in group.items():
        if name in PROVENANCE_GROUPS:
            continue
        path = prefix + name
        if isinstance(item, h5py.Group):
            out.update(walk(item, path + "/"))
        else:
            out[path] = item
    return out


def same(a, b):
    if a.shape != b.shape or a.dtype != b.dtype:
        return False
    a, b = a[()], b[()]
    if a.dtype.names:
        return all(same_array(a[f], b[f]) for f in a.dtype.names)
    return same_array(a, b)


def same_array(a, b):
    a, b = np.asarray(a), np.asarray(b)
    if a.dtype.kind == "f":
        return bool(np.array_equal(a, b, equal_nan=True))
    return bool(np.array_equal(a, b))


def compare(path_a, path_b):
    """List of differences (str) between two files."""
    diffs = []
    with open_clocklab(path_a) as fa, open_clocklab(path_b) as fb:
        runs_a = set(fa[schema.RUNS]) if schema.RUNS in fa else set()
        runs_b = set(fb[schema.RUNS]) if schema.RUNS in fb else set()
        for name in sorted(runs_a ^ runs_b):
            diffs.append("run %s is in only one file" % name)
        for name in sorted(runs_a & runs_b):
            ra, rb = fa[schema.RUNS][name], fb[schema.RUNS][name]
            keys = (set(ra.attrs) | set(rb.attrs)) - PROVENANCE_RUN_ATTRS
            for k in sorted(keys):
                va, vb = ra.attrs.get(k), rb.attrs.get(k)
                if not (va is not None and vb is not None and same_array(va, vb)):
                    diffs.append("%s: attribute %s: %r != %r" % (name, k, va, vb))
            da, db = walk(ra), walk(rb)
            for d in sorted(set(da) ^ set(db)):
                diffs.append("%s/%s is in only one file" % (name, d))
            for d in sorted(set(da) & set(db)):
                if not same(da[d], db[d]):
                    diffs.append("%s/%s differs" % (name, d))
    return diffs


def main(argv=None, prog="clocklab compare"):
    """``clocklab compare``: exit 0 the same, 1 different, 2 unreadable or wrong usage."""
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] in ("-h", "--help"):
        print("usage: %s A.h5 B.h5\n\n%s" % (prog, __doc__.strip().split("\n\n", 2)[2]))
        return 0
    if len(argv) != 2 or argv[0].startswith("-"):
        print("usage: %s A.h5 B.h5" % prog, file=sys.stderr)
        return 2
    try:
        diffs = compare(argv[0], argv[1])
    except (ClocklabError, OSError, KeyError) as e:
        print("%s: error: %s" % (prog, e), file=sys.stderr)
        return 2
    for d in diffs:
        print(d)
    if not diffs:
        print("the same: every run, dataset and run attribute (provenance aside)")
    return 1 if diffs else 0

