#!/usr/bin/env bash
# Message complexity of Bully, Chang-Roberts (random ids, over seeds), LCR
# (worst case: ids decreasing along the ring) and Hirschberg-Sinclair for
# n = 2..NMAX, against the theory curves, then the figure and table
# (`python3 -m clocklab sweep`; ROWS=2,4,8 tabulates only those n).
#   bash experiments/complexity.sh [DIR]        real time: one rank per node, one .h5 per
#                                               case and n (NMAX=32 SEEDS=5 by default)
#                                               -> DIR/complexity.png (or FIGURE)
#   MODE=virtual bash experiments/complexity.sh [DIR]
#                                               virtual time, 1 ms delays: one .h5 per case
#                                               with every n (NMAX=4096 by default; RANKS=1)
#                                               -> DIR/complexity-virtual.png (or FIGURE)
# DIR (default ./complexity) and FIGURE are taken from the current directory;
# nothing is written anywhere else (scripts/refresh_docs_figures.sh copies the
# figure into docs/). CLOCKLAB_BINARY: the program (default build/clocklab of
# this repository).
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
dir=${1:-complexity}
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
bin=$(realpath "${CLOCKLAB_BINARY:-$repo/build/clocklab}")
figure=${FIGURE:-}
[ -z "$figure" ] || figure=$(realpath -m "$figure")
cd "$repo"
nmax=${NMAX:-32}
seeds=${SEEDS:-5}
if [ "$(id -u)" -eq 0 ]; then
    export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
fi
export OMPI_MCA_rmaps_base_oversubscribe=1
run() { # name nodes --set ...
    local name=$1 n=$2
    shift 2
    mpirun -n "$n" "$bin" experiments/complexity.ini -o "$dir/$name-$n.h5" --force "$@" \
        >/dev/null
}
# The figure and the Markdown table: per case (algorithm/election.ids) the
# messages the literature counts against n, mean and 95% interval over the
# seeds, with the closed form (`python3 -m clocklab complexity` is the same).
sweep() { # figure files...
    local figure=$1
    shift
    PYTHONPATH=analysis /usr/bin/python3 -m clocklab sweep "$@" -o "$figure" \
        --x nodes --by algorithm,election.ids --where status=complete --logy \
        --ylabel messages --title "Message complexity of elections" ${ROWS:+--rows "$ROWS"} \
        --y ring/random=messages.ELECTION --theory ring/random=chang_roberts \
        --label "ring/random=Chang-Roberts, random ids: mean" \
        --y ring/reverse=messages.ELECTION --theory ring/reverse=lcr \
        --label "ring/reverse=LCR, decreasing ids: worst case" \
        --y hs/random=messages --theory hs/random=hs_bound \
        --label "hs/random=Hirschberg-Sinclair, random ids: all messages" \
        --y bully/rank=messages.ELECTION+messages.OK+messages.COORDINATOR \
        --theory bully/rank=bully --label "bully/rank=Bully, worst case: ELECTION+OK+COORDINATOR"
}
start=$(date +%s)
if [ "${MODE:-real}" = virtual ]; then
    nmax=${NMAX:-4096}
    sizes="2..$((nmax < 64 ? nmax : 64))"
    for n in 96 128 192 256 384 512 768 1024 1536 2048 3072 4096 6144 8192; do
        [ "$n" -le "$nmax" ] && sizes="$sizes, $n"
    done
    vrun() { # name --set ...
        local name=$1
        shift
        mpirun -n "${RANKS:-1}" "$bin" experiments/complexity.ini -o "$dir/$name-virtual.h5" \
            --force --set experiment.time=virtual --set "experiment.nodes=$sizes" \
            --set "network.delay=constant(1ms)" "$@" >/dev/null
        echo "$name done ($(($(date +%s) - start)) s)"
    }
    vrun ring-random --set experiment.algorithm=ring --set experiment.repeat="$seeds"
    vrun ring-reverse --set experiment.algorithm=ring --set election.ids=reverse
    vrun hs-random --set experiment.algorithm=hs --set experiment.repeat="$seeds"
    vrun bully-worst --set experiment.algorithm=bully --set election.ids=rank \
        --set election.initiators=lowest --set faults.crash=highest@0s
    sweep "${figure:-$dir/complexity-virtual.png}" "$dir"/*-virtual.h5
    exit 0
fi
for n in $(seq 2 "$nmax"); do
    run ring-random "$n" --set experiment.algorithm=ring --set experiment.repeat="$seeds"
    run ring-reverse "$n" --set experiment.algorithm=ring --set election.ids=reverse
    run hs-random "$n" --set experiment.algorithm=hs --set experiment.repeat="$seeds"
    run bully-worst "$n" --set experiment.algorithm=bully --set election.ids=rank \
        --set election.initiators=lowest --set faults.crash="$((n - 1))@0s"
    echo "n=$n done ($(($(date +%s) - start)) s)"
done
sweep "${figure:-$dir/complexity.png}" "$dir"/*-[0-9]*.h5
