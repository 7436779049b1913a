#!/usr/bin/env bash
# The exploration study ([experiment] time = explore; docs/studies/exploration.md):
#   1. Bully on 3 nodes under loss: the shortest execution in which two alive
#      nodes each follow a different coordinator, its schedule, its replay,
#      and its figure;
#   2. Ricart-Agrawala on 3 nodes, one entry each, delays 1, 2 or 3 ms:
#      every execution, none with two nodes in the critical section;
#   3. the counts: 3 requests reaching one node at one instant (3! orders,
#      (3!)^2 without the reduction);
#   4. Lamport's mutual exclusion on 3 nodes, node 1 down from 2 ms to 30 ms:
#      two nodes in the critical section after its recovery;
#   5. the rate: Ricart-Agrawala on 3 nodes with three entries each (54
#      events an execution), 300,000 executions in one depth-first search.
#   bash experiments/explore.sh [OUTDIR]
# OUTDIR (default: a new temporary directory) and CLOCKLAB_BINARY (default:
# build/clocklab of this repository); nothing is written outside OUTDIR.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/bench/bench_lib.sh"
bench_start "${1:-}"
x=(--set experiment.time=explore --set experiment.duration=0)
attrs() { # FILE: the run's explore_* attributes, one a line
    PYTHONPATH=analysis /usr/bin/python3 -c '
import sys, h5py
with h5py.File(sys.argv[1], "r") as f:
    for k, v in sorted(f["runs/run000"].attrs.items()):
        if k.startswith("explore_"):
            print("   ", k, "=", v.decode() if isinstance(v, bytes) else v)' "$1"
}
echo "== 1. Bully, 3 nodes, loss 0.1, every node initiating"
bully=(--set experiment.nodes=3 --set experiment.algorithm=bully --set network.loss=0.1
    --set "network.delay=constant(1ms)" --set election.initiators=all)
mpirun -n 1 "$bin" /dev/null -o "$out/bully.h5" --force "${x[@]}" "${bully[@]}"
attrs "$out/bully.h5"
schedule=$(PYTHONPATH=analysis /usr/bin/python3 -c '
import sys, h5py
print(h5py.File(sys.argv[1], "r")["runs/run000"].attrs["explore_schedule"])' "$out/bully.h5")
echo "   replay: --set explore.schedule=$schedule"
mpirun -n 1 "$bin" /dev/null -o "$out/bully-replay.h5" --force "${x[@]}" "${bully[@]}" \
    --set "explore.schedule=$schedule"
PYTHONPATH=analysis /usr/bin/python3 -m clocklab plot "$out/bully.h5" -o "$out" >/dev/null
PYTHONPATH=analysis /usr/bin/python3 -m clocklab shiviz "$out/bully.h5" -o "$out/bully.log"
echo "== 2. Ricart-Agrawala, 3 nodes, one entry each, delays 1, 2, 3 ms"
mpirun -n 1 "$bin" /dev/null -o "$out/ra.h5" --force "${x[@]}" --set experiment.nodes=3 \
    --set experiment.algorithm=ricart_agrawala --set ricart_agrawala.entries=1 \
    --set "explore.delays=1ms, 2ms, 3ms" --set explore.max_executions=10000000
attrs "$out/ra.h5"
echo "== 3. three requests at one instant, with and without the reduction"
for reduction in on off; do
    mpirun -n 1 "$bin" /dev/null -o "$out/orders-$reduction.h5" --force "${x[@]}" \
        --set experiment.nodes=4 --set experiment.algorithm=mutex_central \
        --set mutex_central.entries=1 --set "mutex_central.interval=constant(1ms)" \
        --set "network.delay=constant(1ms)" --set explore.reduction=$reduction
done
echo "== 4. Lamport's mutual exclusion, 3 nodes, node 1 down from 2 ms to 30 ms"
mpirun -n 1 "$bin" /dev/null -o "$out/lamport_mutex.h5" --force "${x[@]}" --set experiment.nodes=3 \
    --set experiment.algorithm=lamport_mutex --set lamport_mutex.entries=2 \
    --set "lamport_mutex.interval=constant(1ms)" --set "lamport_mutex.hold=constant(2ms)" \
    --set "network.delay=constant(1ms)" --set "explore.delays=1ms, 4ms" \
    --set "faults.crash=1@2ms-30ms" --set experiment.timeout=1s \
    --set explore.max_executions=2000000
attrs "$out/lamport_mutex.h5"
echo "== 5. the rate: Ricart-Agrawala, 3 nodes, three entries each, one depth-first search"
mpirun -n 1 "$bin" /dev/null -o "$out/rate.h5" --force "${x[@]}" --set experiment.nodes=3 \
    --set experiment.algorithm=ricart_agrawala --set ricart_agrawala.entries=3 \
    --set "explore.delays=1ms, 2ms, 3ms" --set explore.max_executions=300000 \
    --set explore.shortest=off
echo "files and figures in $out"
