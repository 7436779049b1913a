#!/usr/bin/env bash
# Request routing studies (dispatch), one .h5 per case into DIR, then the
# figures (DIR/service_load.png, DIR/service_policies.png,
# DIR/service_failover.png) and tables (stdout):
#  1. load: single- against multi-threaded servers (workers 1 and 4) under
#     rising load, experiments/coordinator.ini (8 nodes, random routing,
#     exponential service of 10 ms): p50/p99 against the arrival rate per
#     server, with M/M/1 and M/M/4 theory;
#  2. policies: round_robin, random, least_loaded, two_choices on 4 servers
#     at utilization 0.8 (SEEDS seeds each): response-time CDFs, load per
#     server, largest queue per seed;
#  3. failover: experiments/failover.ini over SEEDS seeds: the gap between
#     the coordinator's crash and the first request its successor dispatches.
#   bash experiments/service.sh [DIR]          (SEEDS=10 by default)
# DIR (default ./service) is taken from the current directory; nothing is
# written anywhere else (scripts/refresh_docs_figures.sh copies the figures
# into docs/). CLOCKLAB_BINARY: the program (default build/clocklab of this
# repository).
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
dir=${1:-service}
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
bin=$(realpath "${CLOCKLAB_BINARY:-$repo/build/clocklab}")
cd "$repo"
seeds=${SEEDS:-10}
if [ "$(id -u)" -eq 0 ]; then
    export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
fi
export OMPI_MCA_rmaps_base_oversubscribe=1
start=$(date +%s)
for workers in 1 4; do
    for rho in 0.1 0.2 0.3 0.4 0.5 0.6 0.7 0.8 0.9; do
        # 4 servers, each of capacity workers x 100/s, fed by 3 clients
        rate=$(awk "BEGIN { printf \"%g\", $rho * $workers * 100 * 4 / 3 }")
        mpirun -n 8 "$bin" experiments/coordinator.ini --force \
            -o "$dir/load-w$workers-rho$rho.h5" \
            --set dispatch.workers="$workers" --set dispatch.rate="$rate" >/dev/null
    done
    echo "load, $workers worker(s) done ($(($(date +%s) - start)) s)"
done
for policy in round_robin random least_loaded two_choices; do
    mpirun -n 6 "$bin" /dev/null -o "$dir/policy-$policy.h5" --force \
        --set experiment.algorithm=dispatch --set experiment.duration=2s \
        --set experiment.repeat="$seeds" --set dispatch.policy="$policy" \
        --set dispatch.servers=1-4 --set dispatch.clients=5 \
        --set "dispatch.service=exponential(4ms)" --set dispatch.rate=800 >/dev/null
    echo "policy $policy done ($(($(date +%s) - start)) s)"
done
mpirun -n 8 "$bin" experiments/failover.ini -o "$dir/failover.h5" --force \
    --set experiment.repeat="$seeds" >/dev/null
echo "failover done ($(($(date +%s) - start)) s)"
PYTHONPATH=analysis /usr/bin/python3 -m clocklab service load "$dir"/load-*.h5 -o "$dir/service_load.png"
PYTHONPATH=analysis /usr/bin/python3 -m clocklab service policies "$dir"/policy-*.h5 \
    -o "$dir/service_policies.png"
PYTHONPATH=analysis /usr/bin/python3 -m clocklab service failover "$dir"/failover.h5 \
    -o "$dir/service_failover.png"
