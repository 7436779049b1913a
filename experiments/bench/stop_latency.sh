#!/usr/bin/env bash
# How fast does a run stop on SIGTERM? The chatter (every node sends every
# few ms) on RANKS ranks for 60 s with progress lines every 50 ms; after WAIT
# seconds every rank gets SIGTERM at once (as from Slurm). Prints how long after
# the signal rank 0 reported the interrupted run written, and when mpirun was
# gone (Open MPI's shutdown of the processes included).
# Usage: bash experiments/bench/stop_latency.sh [RANKS...]   (default: 4 64 128)
# WAIT (default 12 s: 128 ranks take seconds to start, and a rank signalled
# before it runs dies without writing) and CLOCKLAB_BINARY override.
# Writes only into a new temporary directory (printed at the end).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/bench_lib.sh"
bench_start
for n in "${@:-4 64 128}"; do
    for m in $n; do
        log="$out/stop-$m.log"
        {
            mpirun -n "$m" "$bin" /dev/null -o "$out/stop-$m.h5" --force \
                --set experiment.algorithm=chatter --set experiment.duration=60s --progress=0.05 2>&1 &
            echo $! >"$out/mpirun-$m.pid"
            wait
        } | while IFS= read -r line; do echo "$(date +%s.%N) $line"; done >"$log" &
        sleep "${WAIT:-12}"
        t0=$(date +%s.%N)
        pkill -TERM -P "$(cat "$out/mpirun-$m.pid")" || true # this mpirun's ranks only
        wait || true
        t1=$(date +%s.%N)
        written=$(grep -m1 "interrupted" "$log" | cut -d' ' -f1 || true)
        awk -v m="$m" -v t0="$t0" -v w="${written:-nan}" -v t1="$t1" 'BEGIN {
            printf "%d ranks: interrupted run written %.3f s after SIGTERM; mpirun gone after %.3f s\n",
                m, w - t0, t1 - t0 }'
    done
done
echo "logs in $out"
