#!/usr/bin/env bash
# How much does the runtime add to what it measures? On the machine it runs on,
# each case both ways, in the same run: N nodes on 2 ranks ("2 ranks", real
# time with [experiment] nodes = N) and one rank per node ("N ranks"):
#   1. delivery lateness beyond a constant(1ms) delay (Berkeley, trace on) at 2, 16, 64, 128 nodes
#   2. zero-delay request/reply RTT of Berkeley's readings at 2, 16, 64 nodes, beside a
#      bare MPI ping-pong spaced as Berkeley spaces its readings (mpi_pingpong GAP)
#   3. the runtime's ping-pong against bare MPI (pingpong.sh)
#   4. CPU of 64 idle nodes (Berkeley, period 1 s), read from /proc over 6 s of steady state
#   5. the default scenario (experiments/default.ini) at 16, 64, 128 nodes both ways and
#      1024 on 2 ranks: leader,
#      final skew, worst p99 lateness; REPEATS runs each
#   6. timers: 2 ranks with one node each (Berkeley, drift 0), REPEATS runs, beside
#      the machine's own floor (timer_floor: the same pacing with no MPI, queue or algorithm)
#   7. what checkpoints cost: lateness of Berkeley (rounds until the end), trace on, 10 s,
#      at 16 nodes both ways, with checkpoint = 0, 1 s and 100 ms, interleaved
# Usage: bash experiments/bench/fidelity.sh [OUTDIR]
# CLOCKLAB_BINARY selects another build (one without [experiment] nodes in real time
# runs the "N ranks" cases only); LATENESS_NODES, RTT_NODES, DEFAULT_NODES, IDLE_NODES,
# CHECKPOINT_NODES override the node lists; SECTIONS="1 6" runs some sections only;
# REPEATS (default 3) the runs of sections 5 and 6; WAYS="many single" the placements.
# OUTDIR (default: a new temporary directory) and CLOCKLAB_BINARY (default:
# build/clocklab of this repository) are taken from the current directory;
# nothing is written outside OUTDIR.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/bench_lib.sh"
bench_start "${1:-}"
py="env PYTHONPATH=analysis /usr/bin/python3 -m clocklab"
repeats=${REPEATS:-3}
ways=${WAYS:-many single}
# run WAY NODES OUTPUT [clocklab arguments...]: many = NODES nodes on 2 ranks, single = NODES ranks
run() {
    local way=$1 n=$2 o=$3
    shift 3
    if [ "$way" = many ]; then
        mpirun -n 2 "$bin" /dev/null -o "$o" --force --set "experiment.nodes=$n" "$@" >/dev/null 2>&1
    else
        mpirun -n "$n" "$bin" /dev/null -o "$o" --force "$@" >/dev/null 2>&1
    fi
}
label() { [ "$1" = many ] && echo "$2 nodes on 2 ranks" || echo "$2 nodes on $2 ranks"; }
echo "== clocklab fidelity benchmark: $bin on $(hostname), $(nproc) cores, $(date -u +%FT%TZ)"

sections=${SECTIONS:-1 2 3 4 5 6 7}
want() { [[ " $sections " == *" $1 "* ]]; }

if want 1; then
    echo "== 1. delivery lateness beyond constant(1ms), Berkeley, trace on"
    for n in ${LATENESS_NODES:-2 16 64 128}; do
        for way in $ways; do
            f="$out/lateness-$way-$n.h5"
            run "$way" "$n" "$f" --set experiment.algorithm=berkeley \
                --set "network.delay=constant(1ms)" --set experiment.trace=on || continue
            echo "$(label "$way" "$n"): $($py fidelity lateness "$f" --delay 1ms | cut -d: -f2-)"
        done
    done
fi

if want 2; then
    echo "== 2. zero-delay request/reply RTT, Berkeley readings (every 100 ms)"
    echo "reference, bare MPI with both ranks spinning, one round trip every 100 ms:"
    mpirun -n 2 build/mpi_pingpong 20 0.1
    for n in ${RTT_NODES:-2 16 64}; do
        for way in $ways; do
            f="$out/rtt-$way-$n.h5"
            run "$way" "$n" "$f" --set experiment.algorithm=berkeley || continue
            echo "$(label "$way" "$n"): $($py fidelity rtt "$f" | cut -d: -f2-)"
        done
    done
fi

if want 3; then
    echo "== 3. ping-pong through the runtime against bare MPI"
    CLOCKLAB_BINARY=$bin bash experiments/bench/pingpong.sh
fi

# The CPU time (user + system, clock ticks) of every clocklab process now.
ticks() {
    local t=0 p f
    for p in $(pgrep -x clocklab); do
        read -r -a f <"/proc/$p/stat" 2>/dev/null || continue
        t=$((t + f[13] + f[14]))
    done
    echo "$t"
}

if want 4; then
    echo "== 4. CPU of idle nodes (Berkeley, period 1 s), from /proc over 6 s of steady state"
    for n in ${IDLE_NODES:-64}; do
        for way in $ways; do
            ranks=$([ "$way" = many ] && echo 2 || echo "$n")
            run "$way" "$n" "$out/idle-$way-$n.h5" --set experiment.algorithm=berkeley \
                --set berkeley.period=1s --set experiment.duration=12s &
            while [ "$(pgrep -x clocklab | wc -l)" -lt "$ranks" ]; do sleep 0.1; done
            sleep 3
            a=$(ticks)
            sleep 6
            b=$(ticks)
            wait
            awk -v d=$((b - a)) -v hz="$(getconf CLK_TCK)" -v l="$(label "$way" "$n")" \
                'BEGIN { printf "%s: %.2f CPU-s in 6 s = %.1f%% of one core\n", l, d / hz, 100 * d / hz / 6 }'
        done
    done
fi

if want 5; then
    echo "== 5. the default scenario: leader, final skew, worst p99 lateness ($repeats runs each)"
    for n in ${DEFAULT_NODES:-16 64 128 1024}; do
        for way in $ways; do
            [ "$way" = single ] && [ "$n" -gt 128 ] && continue
            for rep in $(seq "$repeats"); do
                f="$out/default-$way-$n-$rep.h5"
                # the scenario's file: with --set alone clocklab would start from
                # the built-in defaults
                mpi=(mpirun -n "$n" "$bin" experiments/default.ini -o "$f" --force)
                [ "$way" = many ] && mpi=(mpirun -n 2 "$bin" experiments/default.ini -o "$f" --force \
                    --set "experiment.nodes=$n")
                "${mpi[@]}" >/dev/null 2>&1 || { echo "$(label "$way" "$n"), run $rep: failed"; continue; }
                echo "$(label "$way" "$n"), run $rep: $($py fidelity default "$f" | cut -d: -f2-);" \
                    "$($py fidelity summary "$f" | cut -d: -f2-)"
            done
        done
    done
fi

if want 6; then
    echo "== 6. timers on time: 2 ranks with one node each, Berkeley, drift 0 ($repeats runs)"
    for rep in $(seq "$repeats"); do
        f="$out/timers-$rep.h5"
        run single 2 "$f" --set experiment.algorithm=berkeley --set "clock.drift=constant(0)"
        echo "run $rep: $($py fidelity summary "$f" | cut -d: -f2-)"
    done
    cc -O2 -o "$out/timer_floor" experiments/bench/timer_floor.c
    for rep in $(seq "$repeats"); do
        "$out/timer_floor" 0.1 2 2 0 2
    done
fi

if want 7; then
    echo "== 7. the cost of checkpoints: Berkeley, constant(1ms), trace on, 10 s"
    for n in ${CHECKPOINT_NODES:-16}; do
        for way in $ways; do
            for ck in 0 1s 100ms; do
                f="$out/checkpoint-$way-$n-$ck.h5"
                run "$way" "$n" "$f" --set experiment.algorithm=berkeley --set berkeley.rounds=0 \
                    --set "network.delay=constant(1ms)" --set experiment.trace=on \
                    --set experiment.duration=10s --set "experiment.checkpoint=$ck" || continue
                echo "$(label "$way" "$n"), checkpoint = $ck: $($py fidelity summary "$f" | cut -d: -f2-)"
                echo "    $($py fidelity lateness "$f" --delay 1ms | cut -d: -f2-)"
            done
        done
    done
fi
echo "files in $out"
