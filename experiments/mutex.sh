#!/usr/bin/env bash
# Mutual exclusion study: messages per entry and synchronization delay of
# mutex_central, ricart_agrawala, lamport_mutex, token_ring and
# suzuki_kasami for n = 2..NMAX nodes at saturation (experiments/mutex.ini),
# and the response time (request to entry) against the request rate per
# node on RATE_NODES nodes. Writes one .h5 per case into DIR, then the two
# figures (DIR/mutex_scaling.png, DIR/mutex_rate.png) and tables.
#   bash experiments/mutex.sh [DIR]      (NMAX=32 RATE_NODES=8 SEEDS=3 by default)
# DIR (default ./mutex) is taken from the current directory; nothing is
# written anywhere else (scripts/refresh_docs_figures.sh copies the figures
# into docs/). CLOCKLAB_BINARY: the program (default build/clocklab of this
# repository).
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
dir=${1:-mutex}
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
bin=$(realpath "${CLOCKLAB_BINARY:-$repo/build/clocklab}")
cd "$repo"
nmax=${NMAX:-32}
rate_nodes=${RATE_NODES:-8}
seeds=${SEEDS:-3}
if [ "$(id -u)" -eq 0 ]; then
    export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
fi
export OMPI_MCA_rmaps_base_oversubscribe=1
algorithms="mutex_central ricart_agrawala lamport_mutex token_ring suzuki_kasami"
start=$(date +%s)
for n in 2 3 4 6 8 12 16 20 24 28 32; do
    [ "$n" -le "$nmax" ] || continue
    mpirun -n "$n" "$bin" experiments/mutex.ini -o "$dir/scaling-$n.h5" --force >/dev/null
    echo "n=$n done ($(($(date +%s) - start)) s)"
done
# Response time against the request rate: exponential intervals (Poisson
# requests while a node is outside), 2 s per run, SEEDS seeds.
for rate in 5 10 20 40 80 160; do
    mean=$(awk "BEGIN { printf \"%g\", 1000 / $rate }")
    sets=()
    for a in $algorithms; do
        sets+=(--set "$a.entries=0" --set "$a.interval=exponential(${mean}ms)")
    done
    mpirun -n "$rate_nodes" "$bin" experiments/mutex.ini -o "$dir/rate-$rate.h5" --force \
        --set experiment.duration=2s --set experiment.repeat="$seeds" "${sets[@]}" >/dev/null
    echo "rate=$rate/s done ($(($(date +%s) - start)) s)"
done
PYTHONPATH=analysis /usr/bin/python3 -m clocklab mutex scaling "$dir"/scaling-*.h5 -o "$dir/mutex_scaling.png"
PYTHONPATH=analysis /usr/bin/python3 -m clocklab mutex rate "$dir"/rate-*.h5 -o "$dir/mutex_rate.png"
