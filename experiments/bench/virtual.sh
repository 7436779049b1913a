#!/usr/bin/env bash
# Virtual time at scale, on the machine it runs on:
#   (a) Chang-Roberts election, random ids, every node initiating, 1 ms delays,
#       at 10^3, 10^4, 10^5 and 10^6 nodes, on 1 and 2 ranks;
#   (b) chatter (every node sends to a random node every uniform(2ms, 10ms),
#       Lamport timestamps, every send and receive recorded), 1 s of virtual
#       time at 10^4 nodes, on 1 and 2 ranks (1 ms delays).
# For each: events, event-loop wall time and events per second, windows and
# their cost, the whole run's wall time, and the peak memory of all ranks per
# node. Usage: bash experiments/bench/virtual.sh [OUTDIR]
# RING_NODES, CHATTER_NODES and RANKS override the lists.
# OUTDIR (default: a new temporary directory) and CLOCKLAB_BINARY (default:
# build/clocklab of this repository) are taken from the current directory;
# nothing is written outside OUTDIR.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/bench_lib.sh"
bench_start "${1:-}"
run() { # name ranks nodes [clocklab arguments...]
    local name=$1 ranks=$2 nodes=$3
    shift 3
    local kib
    measured "$name" "$ranks" "$bin" /dev/null \
        -o "$out/$name.h5" --force --set experiment.time=virtual --set experiment.nodes="$nodes" \
        --set "network.delay=constant(1ms)" "$@" >/dev/null
    PYTHONPATH=analysis /usr/bin/python3 - "$out/$name.h5" "$kib" "$name" <<'PY'
import sys
import clocklab
path, kib, name = sys.argv[1], float(sys.argv[2]), sys.argv[3]
root, (run, *_) = clocklab.read_runs(path)
a = run["attrs"]
n, ev, t = int(a["nodes"]), int(a["events_processed"]), float(a["event_time"])
w, wt = int(a["windows"]), float(a["window_time"])
print("%-16s %8d nodes %2d ranks: %11d events in %7.2f s = %5.2f M events/s; %8d windows, "
      "%5.2f us each; run %7.2f s; peak memory %7.0f MiB = %6.0f B/node"
      % (name, n, int(root["nranks"]), ev, t, ev / t / 1e6, w, wt / max(w, 1) * 1e6,
         float(a["wall_time"]), kib / 1024, kib * 1024 / n))
PY
}
echo "== clocklab virtual-time benchmark: $bin on $(hostname), $(nproc) cores, $(date -u +%FT%TZ)"
for ranks in ${RANKS:-1 2}; do
    for n in ${RING_NODES:-1000 10000 100000 1000000}; do
        run "ring-$n-r$ranks" "$ranks" "$n" --set experiment.algorithm=ring \
            --set experiment.duration=0 --set experiment.timeout=100000s \
            --set election.ids=random --set election.initiators=all
    done
    for n in ${CHATTER_NODES:-10000}; do
        run "chatter-$n-r$ranks" "$ranks" "$n" --set experiment.algorithm=chatter \
            --set experiment.duration=1s
    done
done
echo "files in $out"
