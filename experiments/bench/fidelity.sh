#!/usr/bin/env bash
# How much does the runtime add to what it measures? On the machine it runs on:
#   1. delivery lateness beyond a constant(1ms) delay (Berkeley, trace on) at 2, 16, 64, 128 ranks
#   2. zero-delay request/reply RTT of Berkeley's readings at 2, 16, 64 ranks
#   3. the runtime's ping-pong against bare MPI, in the same job (pingpong.sh)
#   4. CPU time of 64 idle ranks (Berkeley, period 1 s, 6 s run), minus that of
#      `mpirun -n 64 clocklab --version`
#   5. the default scenario at 16, 64, 128 ranks: leader and final skew
#   6. what checkpoints cost: lateness (fidelity/ and the trace) of Berkeley (rounds
#      until the end), trace on, 10 s, at 2 and 16 ranks, with checkpoint = 0, 1 s and
#      100 ms, interleaved
# Usage: bash experiments/bench/fidelity.sh [OUTDIR]
# CLOCKLAB_BINARY selects another build; LATENESS_RANKS, RTT_RANKS, DEFAULT_RANKS,
# IDLE_RANKS, CHECKPOINT_RANKS override the rank lists; SECTIONS="1 6" runs some
# sections only; CHECKPOINT_REPEATS (default 3) the runs of each setting.
set -euo pipefail
cd "$(dirname "$0")/../.."
bin=${CLOCKLAB_BINARY:-build/clocklab}
out=${1:-$(mktemp -d)}
mkdir -p "$out"
py="env PYTHONPATH=analysis /usr/bin/python3 -m clocklab"
if [ "$(id -u)" -eq 0 ]; then
    export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
fi
export OMPI_MCA_rmaps_base_oversubscribe=1
run() { # ranks output [clocklab arguments...]
    local n=$1 o=$2
    shift 2
    mpirun -n "$n" "$bin" /dev/null -o "$o" --force "$@" >/dev/null
}
echo "== clocklab fidelity benchmark: $bin on $(hostname), $(nproc) cores, $(date -u +%FT%TZ)"

sections=${SECTIONS:-1 2 3 4 5 6}
want() { [[ " $sections " == *" $1 "* ]]; }

want 1 && echo "== 1. delivery lateness beyond constant(1ms), Berkeley, trace on"
want 1 && for n in ${LATENESS_RANKS:-2 16 64 128}; do
    run "$n" "$out/lateness-$n.h5" --set experiment.algorithm=berkeley \
        --set "network.delay=constant(1ms)" --set experiment.trace=on
    $py fidelity lateness "$out/lateness-$n.h5" --delay 1ms
done

want 2 && echo "== 2. zero-delay request/reply RTT, Berkeley readings"
want 2 && for n in ${RTT_RANKS:-2 16 64}; do
    run "$n" "$out/rtt-$n.h5" --set experiment.algorithm=berkeley
    $py fidelity rtt "$out/rtt-$n.h5"
done

want 3 && echo "== 3. ping-pong through the runtime against bare MPI"
want 3 && CLOCKLAB_BINARY=$bin bash experiments/bench/pingpong.sh

want 4 && echo "== 4. CPU time of idle ranks (Berkeley, period 1 s, 6 s)"
want 4 && for n in ${IDLE_RANKS:-64}; do
    base=$( { /usr/bin/time -f "%U %S" mpirun -n "$n" "$bin" --version >/dev/null; } 2>&1 | tail -1)
    busy=$( { /usr/bin/time -f "%U %S" mpirun -n "$n" "$bin" /dev/null -o "$out/idle-$n.h5" \
        --force --set experiment.algorithm=berkeley --set berkeley.period=1s \
        --set experiment.duration=6s >/dev/null; } 2>&1 | tail -1)
    echo "$n ranks: $busy (user sys, s) for the run, $base for --version" |
        awk -v n="$n" '{u=$3+$4-$11-$12; printf "%d idle ranks: %.2f CPU-s in 6 s beyond --version = %.1f%% of one core\n", n, u, 100*u/6}'
done

want 5 && echo "== 5. the default scenario"
want 5 && for n in ${DEFAULT_RANKS:-16 64 128}; do
    mpirun -n "$n" "$bin" -o "$out/default-$n.h5" --force >/dev/null
    $py fidelity default "$out/default-$n.h5"
done

echo "== fidelity/ of every run (files of this version only)"
$py fidelity summary "$out"/*.h5 2>/dev/null || true
echo "files in $out"

want 6 && echo "== 6. the cost of checkpoints: Berkeley, constant(1ms), trace on, 10 s"
want 6 && for n in ${CHECKPOINT_RANKS:-2 16}; do
    for rep in $(seq "${CHECKPOINT_REPEATS:-3}"); do
        for ck in 0 1s 100ms; do
            f="$out/checkpoint-$n-$ck-$rep.h5"
            run "$n" "$f" --set experiment.algorithm=berkeley --set berkeley.rounds=0 \
                --set "network.delay=constant(1ms)" \
                --set experiment.trace=on --set experiment.duration=10s --set "experiment.checkpoint=$ck"
            echo "checkpoint = $ck, repeat $rep: $($py fidelity summary "$f" | tail -1)"
            $py fidelity lateness "$f" --delay 1ms
        done
    done
done
