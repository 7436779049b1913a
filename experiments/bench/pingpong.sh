#!/usr/bin/env bash
# Does the runtime add much to raw MPI? Round-trip times of a bare
# MPI_Send/MPI_Recv ping-pong next to those of Cristian's requests through
# the runtime (no injected delay, samples back to back, from the trace), on
# two ranks, and the ratio of their medians. Usage: bash experiments/bench/pingpong.sh [SAMPLES]
# Writes only into a temporary directory it removes; CLOCKLAB_BINARY (default:
# build/clocklab of this repository) is taken from the current directory.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/bench_lib.sh"
bench_start
samples=${1:-20000}
bare=$(mpirun -n 2 build/mpi_pingpong "$samples")
echo "$bare"
mpirun -n 2 "$bin" /dev/null -o "$out/pingpong.h5" \
    --set experiment.algorithm=cristian --set experiment.duration=0 \
    --set experiment.trace=on --set cristian.rounds=1 --set cristian.samples="$samples" \
    --set network.delay=0 >/dev/null
runtime=$(PYTHONPATH=analysis /usr/bin/python3 -m clocklab pingpong "$out/pingpong.h5")
echo "$runtime"
median_us() { sed -n 's/.* median \([0-9.]*\) us.*/\1/p' | head -n 1; }
awk -v r="$(median_us <<<"$runtime")" -v b="$(median_us <<<"$bare")" \
    'BEGIN { printf "ratio runtime/bare MPI of the median RTT: %.2f\n", r / b }'
rm -rf "$out"
