#!/usr/bin/env bash
# Message complexity of Bully, Chang-Roberts (random ids, over seeds), LCR
# (worst case: ids decreasing along the ring) and Hirschberg-Sinclair for
# n = 2..NMAX ranks, against the theory curves; writes one .h5 per case and
# n into DIR, then the figure and table.
#   bash experiments/complexity.sh [DIR]        (NMAX=32 SEEDS=5 by default)
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${1:-complexity}
nmax=${NMAX:-32}
seeds=${SEEDS:-5}
mkdir -p "$dir"
if [ "$(id -u)" -eq 0 ]; then
    export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
fi
export OMPI_MCA_rmaps_base_oversubscribe=1
run() { # name nodes --set ...
    local name=$1 n=$2
    shift 2
    mpirun -n "$n" build/clocklab experiments/complexity.ini -o "$dir/$name-$n.h5" --force "$@" \
        >/dev/null
}
start=$(date +%s)
for n in $(seq 2 "$nmax"); do
    run ring-random "$n" --set experiment.algorithm=ring --set experiment.repeat="$seeds"
    run ring-reverse "$n" --set experiment.algorithm=ring --set election.ids=reverse
    run hs-random "$n" --set experiment.algorithm=hs --set experiment.repeat="$seeds"
    run bully-worst "$n" --set experiment.algorithm=bully --set election.ids=rank \
        --set election.initiators=lowest --set faults.crash="$((n - 1))@0s"
    echo "n=$n done ($(($(date +%s) - start)) s)"
done
/usr/bin/python3 analysis/clocklab_complexity.py "$dir"/*.h5 -o figures/complexity.png
