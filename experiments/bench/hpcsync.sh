#!/usr/bin/env bash
# Clock synchronization at the physical limit, on this machine's own clocks:
# clocklab's skampi (20 and 100 ping-pongs per node), jk and hca (HCA3 and
# HCA3O) with [clock] source = hardware
# (MPI_Wtime, whose per-process origins are a real offset), each judged by the
# independent evaluator right after synchronization and one second later, and
# beside them mpi-time-sync's check_clock_accuracy (SKaMPI, JK, HCA3, HCA3O)
# when it is installed. Then how the synchronization time grows with the rank
# count, to SCALE_RANKS, for hca (offset model) and skampi, with no injected
# delay and with a constant one-way delay (a latency-bound network), and the
# same in virtual time (exact: no CPU is shared) to VIRTUAL_NODES nodes.
#
#   bash experiments/bench/hpcsync.sh [OUTDIR]
#
# Environment: MPITS_CHECK=/path/to/check_clock_accuracy (built from
# github.com/hunsa/mpi-time-sync with -DBUILD_EXAMPLES=ON; unset: mpits is
# skipped), REPEAT (3), RANKS ("2 4 8"), SCALE_RANKS ("2 4 8 16 32 64"),
# SCALE_DELAY (100us), VIRTUAL_NODES ("2 4 ... 1024"), NICE (-19 as root, else
# 0), CLOCKLAB_BINARY.
# Every mpirun runs under `nice -n $NICE`; take the figures on a quiet machine
# (clocklab's lateness warnings, which say how loaded it was, go to
# OUTDIR/warnings.log).
# The tables: PYTHONPATH=analysis /usr/bin/python3 -m clocklab hpcsync OUTDIR (printed at the end).
# OUTDIR (default: a new temporary directory) and CLOCKLAB_BINARY (default:
# build/clocklab of this repository) are taken from the current directory;
# nothing is written outside OUTDIR.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/bench_lib.sh"
bench_start "${1:-}"
repeat=${REPEAT:-3}
ranks=${RANKS:-2 4 8}
scale_ranks=${SCALE_RANKS:-2 4 8 16 32 64}
delay=${SCALE_DELAY:-100us}
virtual_nodes=${VIRTUAL_NODES:-2 4 8 16 32 64 128 256 512 1024}
if [ "$(id -u)" -eq 0 ]; then nice=${NICE:--19}; else nice=${NICE:-0}; fi
mpits=${MPITS_CHECK:-}
if [ -n "$mpits" ] && [ ! -x "$mpits" ]; then
    echo "MPITS_CHECK=$mpits is not an executable" >&2
    exit 2
fi

# mpi-time-sync's algorithms as its MPITS_PARAMS name them (SKaMPI offsets of
# at most 20 ping-pongs; 100 fit points for JK and HCA3).
declare -A MPITS_PARAMS=(
    [SKaMPI]="--clock-sync=SKaMPI --params=alg:SKaMPI@skampi_offset@5@20"
    [JK]="--clock-sync=JK --params=alg:JK@100@skampi_offset@5@20"
    [HCA3]="--clock-sync=HCA3 --params=alg:HCA3@0@100@skampi_offset@5@20"
    [HCA3O]="--clock-sync=HCA3O --params=alg:HCA3O@skampi_offset@5@20"
)

# experiments/hpcsync.ini sets skampi, jk and hca; a run of some of them leaves
# the others' sections unused, which clocklab refuses unless told to ignore them.
clocklab() { # ranks output [clocklab arguments...]; the lateness warnings go to warnings.log
    local n=$1 o=$2
    shift 2
    nice -n "$nice" mpirun -n "$n" "$bin" experiments/hpcsync.ini -o "$o" --force \
        --set experiment.unused_keys=ignore "$@" \
        >/dev/null 2>>"$out/warnings.log"
}

mpits_run() { # algorithm ranks output
    MPITS_PARAMS="${MPITS_PARAMS[$1]}" nice -n "$nice" mpirun -x MPITS_PARAMS -n "$2" "$mpits" \
        --npp=100 --steps=1 --print-procs-ratio=1 >"$3"
}

echo "== clocklab hpcsync benchmark: $bin on $(hostname), $(nproc) cores, nice $nice, $(date -u +%FT%TZ)"
echo "== mpits: ${mpits:-SKIPPED (set MPITS_CHECK to its check_clock_accuracy)}"
mpirun --version | head -1
echo "== load at the start: $(uptime)"

echo "== 1. accuracy right after synchronization and 1 s later ($repeat runs each)"
for n in $ranks; do
    for k in $(seq 1 "$repeat"); do
        clocklab "$n" "$out/acc-N$n-r$k.h5"
        clocklab "$n" "$out/acc-hca3o-N$n-r$k.h5" --set experiment.algorithm=hca \
            --set hca.model=offset --set hca.fitpoints=1 --set hca.pingpongs=20
        clocklab "$n" "$out/acc-skampi100-N$n-r$k.h5" --set experiment.algorithm=skampi \
            --set skampi.pingpongs=100
        if [ -n "$mpits" ]; then
            for alg in SKaMPI JK HCA3 HCA3O; do
                mpits_run "$alg" "$n" "$out/acc-mpits-$alg-N$n-r$k.log"
            done
        fi
    done
    echo "N = $n done"
done

echo "== 2. synchronization time against the rank count"
for n in $scale_ranks; do
    for k in $(seq 1 "$repeat"); do
        for d in 0 "$delay"; do
            clocklab "$n" "$out/scale-d$d-N$n-r$k.h5" --set experiment.algorithm=skampi,hca \
                --set hca.model=offset --set hca.fitpoints=1 --set hca.pingpongs=20 \
                --set "network.delay=constant($d)" --set evaluation.at=0s
        done
        if [ -n "$mpits" ]; then
            for alg in SKaMPI HCA3O; do
                mpits_run "$alg" "$n" "$out/scale-mpits-$alg-N$n-r$k.log"
            done
        fi
    done
    echo "N = $n done"
done

echo "== 3. the same in virtual time (exact, one rank), delay $delay"
for n in $virtual_nodes; do
    clocklab 1 "$out/scale-virtual-d$delay-N$n-r1.h5" --set experiment.algorithm=skampi,hca \
        --set hca.model=offset --set hca.fitpoints=1 --set hca.pingpongs=20 \
        --set "network.delay=constant($delay)" --set experiment.time=virtual \
        --set experiment.nodes="$n" --set clock.source=simulated --set evaluation.at=none
done

echo "== load at the end: $(uptime)"
PYTHONPATH=analysis /usr/bin/python3 -m clocklab hpcsync "$out" --figure "$out/hpcsync.png"
echo "files in $out"
