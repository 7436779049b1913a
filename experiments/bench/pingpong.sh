#!/usr/bin/env bash
# Does the runtime add much to raw MPI? Round-trip times of a bare
# MPI_Send/MPI_Recv ping-pong next to those of Cristian's requests through
# the runtime (no injected delay, samples back to back, from the trace), on
# two ranks. Usage: bash experiments/bench/pingpong.sh [SAMPLES]
# Writes only into a temporary directory it removes; CLOCKLAB_BINARY (default:
# build/clocklab of this repository) is taken from the current directory.
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
bin=$(realpath "${CLOCKLAB_BINARY:-$repo/build/clocklab}")
cd "$repo"
samples=${1:-20000}
if [ "$(id -u)" -eq 0 ]; then
    export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
fi
out=$(mktemp -d)
mpirun -n 2 build/mpi_pingpong "$samples"
mpirun -n 2 "$bin" /dev/null -o "$out/pingpong.h5" \
    --set experiment.algorithm=cristian --set experiment.duration=0 \
    --set experiment.trace=on --set cristian.rounds=1 --set cristian.samples="$samples" \
    --set network.delay=0 >/dev/null
PYTHONPATH=analysis /usr/bin/python3 -m clocklab pingpong "$out/pingpong.h5"
rm -rf "$out"
