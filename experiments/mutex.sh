#!/usr/bin/env bash
# Mutual exclusion study: messages per entry and synchronization delay of
# mutex_central, ricart_agrawala, lamport_mutex, token_ring and
# suzuki_kasami for n = 2..NMAX nodes at saturation (experiments/mutex.ini),
# and the response time (request to entry) against the request rate per
# node on RATE_NODES nodes. Writes one .h5 per case into DIR, then the two
# figures (docs/) and tables.
#   bash experiments/mutex.sh [DIR]      (NMAX=32 RATE_NODES=8 SEEDS=3 by default)
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${1:-mutex}
nmax=${NMAX:-32}
rate_nodes=${RATE_NODES:-8}
seeds=${SEEDS:-3}
mkdir -p "$dir" docs
if [ "$(id -u)" -eq 0 ]; then
    export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
fi
export OMPI_MCA_rmaps_base_oversubscribe=1
algorithms="mutex_central ricart_agrawala lamport_mutex token_ring suzuki_kasami"
start=$(date +%s)
for n in 2 3 4 6 8 12 16 20 24 28 32; do
    [ "$n" -le "$nmax" ] || continue
    mpirun -n "$n" build/clocklab experiments/mutex.ini -o "$dir/scaling-$n.h5" --force >/dev/null
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
    mpirun -n "$rate_nodes" build/clocklab experiments/mutex.ini -o "$dir/rate-$rate.h5" --force \
        --set experiment.duration=2s --set experiment.repeat="$seeds" "${sets[@]}" >/dev/null
    echo "rate=$rate/s done ($(($(date +%s) - start)) s)"
done
/usr/bin/python3 analysis/clocklab_mutex.py scaling "$dir"/scaling-*.h5 -o docs/mutex_scaling.png
/usr/bin/python3 analysis/clocklab_mutex.py rate "$dir"/rate-*.h5 -o docs/mutex_rate.png
