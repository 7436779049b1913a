#!/usr/bin/env bash
# The same Berkeley experiment in real and in virtual time: 8 nodes, offsets
# uniform(-100ms, 100ms), drift uniform(-50, 50) ppm, one-way delays
# lognormal(1ms, 0.3), period 100 ms, 2 s, seeds 42-46; then one figure
# (true offsets over time in both modes, final skews side by side).
#   bash experiments/real_vs_virtual.sh [DIR]       -> DIR/real_vs_virtual.png (or FIGURE)
# DIR (default ./real_vs_virtual) and FIGURE are taken from the current
# directory; nothing is written anywhere else (scripts/refresh_docs_figures.sh
# copies the figure into docs/). CLOCKLAB_BINARY: the program (default
# build/clocklab of this repository).
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
dir=${1:-real_vs_virtual}
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
bin=$(realpath "${CLOCKLAB_BINARY:-$repo/build/clocklab}")
figure=$(realpath -m "${FIGURE:-$dir/real_vs_virtual.png}")
cd "$repo"
if [ "$(id -u)" -eq 0 ]; then
    export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
fi
export OMPI_MCA_rmaps_base_oversubscribe=1
common=(--force --set experiment.algorithm=berkeley --set experiment.repeat=5
        --set "network.delay=lognormal(1ms, 0.3)")
mpirun -n 8 "$bin" /dev/null -o "$dir/real.h5" "${common[@]}"
mpirun -n 1 "$bin" /dev/null -o "$dir/virtual.h5" "${common[@]}" \
    --set experiment.time=virtual --set experiment.nodes=8
PYTHONPATH=analysis /usr/bin/python3 -m clocklab real-vs-virtual "$dir/real.h5" "$dir/virtual.h5" \
    -o "$figure"
