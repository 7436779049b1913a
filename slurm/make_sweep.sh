#!/bin/bash
# Write a sweep file for slurm/sweep.sbatch (a Slurm job array) or
# scripts/sweep.sh (one machine): one line per combination of algorithm x
# node count x seed, as "nodes algorithm seed [extra args]".
#
#   bash slurm/make_sweep.sh -a "berkeley cristian" -n "2 4 8" -s "1 2 3" \
#        [-- extra clocklab arguments for every line] > my-sweep.txt
#
# Then, on a cluster:  bash slurm/sweep.sbatch my-sweep.txt   (prints the sbatch command)
# or on this machine:  bash scripts/sweep.sh my-sweep.txt -o my-sweep
#
# Each line runs with --set and no configuration file, so from the built-in
# defaults (clocklab --list): extra arguments may set keys only of the
# algorithms every line runs (a key of another algorithm is an error), e.g.
#   bash slurm/make_sweep.sh -a "berkeley" -n "4 16 64" -s "1 2 3" \
#        -- --set experiment.time=virtual --set berkeley.period=50ms > my-sweep.txt
# For keys that differ per algorithm, write one file per algorithm and
# concatenate them.

set -euo pipefail

usage() {
    echo "usage: $0 -a \"ALG ...\" -n \"NODES ...\" -s \"SEED ...\" [-- extra args] > my-sweep.txt" >&2
    exit 2
}

algorithms="" nodes="" seeds=""
while [ $# -gt 0 ]; do
    case "$1" in
    -a) algorithms=${2:?}; shift 2 ;;
    -n) nodes=${2:?}; shift 2 ;;
    -s) seeds=${2:?}; shift 2 ;;
    --) shift; break ;;
    *) usage ;;
    esac
done
if [ -z "$algorithms" ] || [ -z "$nodes" ] || [ -z "$seeds" ]; then usage; fi

extra=""
for arg in "$@"; do # quote what xargs (in sweep.sbatch) would split
    if [[ "$arg" =~ ^[][A-Za-z0-9_.,:=+/@%^(){}-]+$ ]]; then
        extra+=" $arg"
    else
        extra+=" '${arg//\'/\'\\\'\'}'"
    fi
done

echo "# clocklab sweep: nodes algorithm seed [extra args]; task i runs line i"
echo "# written by: make_sweep.sh -a \"$algorithms\" -n \"$nodes\" -s \"$seeds\"${*:+ -- $*}"
for a in $algorithms; do
    for n in $nodes; do
        for s in $seeds; do
            echo "$n $a $s$extra"
        done
    done
done
