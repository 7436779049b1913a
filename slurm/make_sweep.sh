#!/bin/bash
# Write a sweep file for slurm/sweep.sbatch: one line per combination of
# algorithm x node count x seed, as "nodes algorithm seed [extra args]".
#
#   bash slurm/make_sweep.sh -a "berkeley cristian" -n "2 4 8" -s "1 2 3" \
#        [-- extra clocklab arguments for every line] > experiments/my-sweep.txt
#
# Then:  bash slurm/sweep.sbatch experiments/my-sweep.txt   (prints the sbatch command)

set -eu

usage() {
    echo "usage: $0 -a \"ALG ...\" -n \"NODES ...\" -s \"SEED ...\" [-- extra args]" >&2
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
