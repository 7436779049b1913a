#!/bin/sh
# Message complexity of ring elections against n: LCR (Chang-Roberts with
# every node initiating) and Hirschberg-Sinclair, n = NMIN..NMAX ranks,
# until done (duration 0). One result file per n and algorithm/id layout:
#   OUT/ring-random-nNN.h5   LCR, random ids, SEEDS runs (seeds 1..SEEDS)
#   OUT/ring-reverse-nNN.h5  LCR, ids decreasing along the ring (worst case)
#   OUT/hs-random-nNN.h5     HS, random ids, SEEDS runs
#   OUT/hs-reverse-nNN.h5    HS, ids decreasing along the ring
# then prints a table next to n*H_n, n(n+1)/2 and 8n(1+ceil(log2 n)).
#
# Usage: experiments/complexity.sh [OUT]      (default OUT = complexity)
# Environment: CLOCKLAB (default build/clocklab), MPIRUN (default mpirun),
#   NMIN (2), NMAX (32), SEEDS (5), PYTHON (/usr/bin/python3).
# More ranks than cores need oversubscription (set here for Open MPI);
# as root Open MPI also wants OMPI_ALLOW_RUN_AS_ROOT=1
# OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1.
set -eu

HERE=$(cd "$(dirname "$0")" && pwd)
OUT=${1:-complexity}
CLOCKLAB=${CLOCKLAB:-$HERE/../build/clocklab}
MPIRUN=${MPIRUN:-mpirun}
NMIN=${NMIN:-2}
NMAX=${NMAX:-32}
SEEDS=${SEEDS:-5}
PYTHON=${PYTHON:-/usr/bin/python3}
: "${OMPI_MCA_rmaps_base_oversubscribe:=1}"
export OMPI_MCA_rmaps_base_oversubscribe

mkdir -p "$OUT"
# A long ACK timeout: no node crashes here, so none may fire on a busy machine.
COMMON="--set experiment.duration=0 --set experiment.timeout=300s --set ring.timeout=30s
        --set election.initiators=all --set experiment.seed=1 --force"

n=$NMIN
while [ "$n" -le "$NMAX" ]; do
    nn=$(printf %02d "$n")
    for alg in ring hs; do
        # shellcheck disable=SC2086
        "$MPIRUN" -n "$n" "$CLOCKLAB" $COMMON --set experiment.algorithm=$alg \
            --set election.ids=random --set experiment.repeat="$SEEDS" \
            -o "$OUT/$alg-random-n$nn.h5"
        # shellcheck disable=SC2086
        "$MPIRUN" -n "$n" "$CLOCKLAB" $COMMON --set experiment.algorithm=$alg \
            --set election.ids=reverse -o "$OUT/$alg-reverse-n$nn.h5"
    done
    n=$((n + 1))
done

"$PYTHON" - "$OUT" "$NMIN" "$NMAX" <<'EOF'
import math, os, sys
import h5py
import numpy as np

out, nmin, nmax = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])


def counts(path, types):
    """Per run: total messages of the given types; and whether all runs completed."""
    totals = []
    with h5py.File(path, "r") as f:
        for run in f["runs"].values():
            if run.attrs["status"] != "complete":
                sys.exit("%s: run not complete" % path)
            names = [t.decode() for t in run["messages/types"][()]]
            sent = run["messages/sent"][()].sum(axis=0)
            totals.append(sum(int(sent[names.index(t)]) for t in types))
    return totals


print("%3s %10s %9s %8s %10s %9s %11s %8s %10s" % (
    "n", "LCR_rand", "n*H_n", "LCR_rev", "n(n+1)/2", "HS_rand", "HS_rand_max", "HS_rev",
    "8n(1+lg)"))
for n in range(nmin, nmax + 1):
    p = lambda name: os.path.join(out, "%s-n%02d.h5" % (name, n))
    lcr = counts(p("ring-random"), ["ELECTION"])
    rev = counts(p("ring-reverse"), ["ELECTION"])[0]
    hs = counts(p("hs-random"), ["PROBE", "REPLY", "ELECTED"])
    hsr = counts(p("hs-reverse"), ["PROBE", "REPLY", "ELECTED"])[0]
    hn = sum(1.0 / k for k in range(1, n + 1))
    print("%3d %10.1f %9.1f %8d %10d %9.1f %11d %8d %10d" % (
        n, np.mean(lcr), n * hn, rev, n * (n + 1) // 2, np.mean(hs), max(hs), hsr,
        8 * n * (1 + math.ceil(math.log2(n)))))
EOF
