#!/usr/bin/env bash
# PHOLD (Fujimoto 1990) in virtual time, on the machine it runs on: one event
# per node (population 1), each hop a message to a random other node taking
# lookahead L = [network] min_delay = 1ms plus exponential(1ms), so 2 ms per
# hop on average. The duration gives about EVENTS (default 10^7) events per
# run: EVENTS / N hops per node, at least 10. At 10^3, 10^4, 10^5 and 10^6
# nodes, on 1 and 2 ranks, it prints per run: events processed (the run's
# events_processed attribute), event-loop wall time (event_time), events per
# second, events per second per rank (= per core when each rank has a core),
# the whole run's wall time, and the peak memory of all ranks (GNU time %M
# of each rank, summed) and per node.
# Usage: bash experiments/bench/phold.sh [OUTDIR]
# NODES, RANKS and EVENTS override the lists and the event target.
# OUTDIR (default: a new temporary directory) and CLOCKLAB_BINARY (default:
# build/clocklab of this repository) are taken from the current directory;
# nothing is written outside OUTDIR.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/bench_lib.sh"
bench_start "${1:-}"
events=${EVENTS:-10000000}
run() { # name ranks nodes
    local name=$1 ranks=$2 nodes=$3
    # hops per node: EVENTS / N, at least 10; 2 ms each on average
    local duration
    duration=$(awk -v e="$events" -v n="$nodes" \
        'BEGIN {h = e / n; if (h < 10) h = 10; printf "%.6gs", h * 0.002}')
    local kib
    measured "$name" "$ranks" "$bin" /dev/null \
        -o "$out/$name.h5" --force --set experiment.algorithm=phold \
        --set experiment.time=virtual --set experiment.nodes="$nodes" \
        --set experiment.duration="$duration" \
        --set network.min_delay=1ms --set "network.delay=exponential(1ms)" \
        --set phold.population=1 >/dev/null
    PYTHONPATH=analysis /usr/bin/python3 - "$out/$name.h5" "$kib" "$name" <<'PY'
import sys
import clocklab
path, kib, name = sys.argv[1], float(sys.argv[2]), sys.argv[3]
root, (run, *_) = clocklab.read_runs(path)
a = run["attrs"]
n, ev, t = int(a["nodes"]), int(a["events_processed"]), float(a["event_time"])
ranks = int(root["nranks"])
print("%-16s %8d nodes %d ranks, %7.3f s virtual: %10d events in %7.2f s = %6.3f M events/s, "
      "%6.3f M/s per rank; run %7.2f s; peak memory %7.0f MiB = %6.0f B/node"
      % (name, n, ranks, float(a["duration"]), ev, t, ev / t / 1e6, ev / t / 1e6 / ranks,
         float(a["wall_time"]), kib / 1024, kib * 1024 / n))
PY
}
echo "== clocklab PHOLD benchmark: $bin on $(hostname), $(nproc) cores, $(date -u +%FT%TZ)"
echo "   population 1, lookahead 1ms + exponential(1ms), about $events events per run"
echo "   reference: ROSS (Time Warp, optimistic) on Sequoia: 504e9 events/s on 1,966,080 cores,"
echo "   about 2.56e5 events/s per core (Barnes, Carothers, Jefferson, LaPre, \"Warp speed:"
echo "   executing time warp on 1,966,080 cores\", PADS 2013; 251 M LPs, 33e12 events in 65 s)"
for ranks in ${RANKS:-1 2}; do
    for n in ${NODES:-1000 10000 100000 1000000}; do
        run "phold-$n-r$ranks" "$ranks" "$n"
    done
done
echo "files in $out"
