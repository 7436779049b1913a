#!/usr/bin/env bash
# clocklab's virtual time against a bare binary-heap discrete-event loop on
# the same model: the Chang-Roberts/LCR ring election with random ids (the
# same ids: [election] ids = random and ring_heap use the same generator and
# seed), every node initiating, delays uniform(0.5ms, 1.5ms), FIFO channels,
# every ELECTION and ELECTED acknowledged (experiments/bench/ring_heap.c).
# Both run in this job, one after the other, REPS (default 3) times
# interleaved, at N = 10^5 nodes (env NODES, a list), clocklab on 1 rank.
# Per run: messages (they must be equal), the event loop's wall time
# (clocklab: the run's event_time attribute; ring_heap: its loop_s) and ns
# per message, the whole process's wall time and peak memory (GNU time), and
# per repetition the ratio clocklab / heap of ns per message; at the end the
# median ratio.
# Usage: bash experiments/bench/ring_vs_heap.sh [OUTDIR]
# CLOCKLAB_BINARY (default build/clocklab of this repository) and RING_HEAP
# (default ring_heap beside the clocklab binary); SEED (default 42).
# OUTDIR (default: a new temporary directory) is taken from the current
# directory; nothing is written outside OUTDIR.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/bench_lib.sh"
heap=$(realpath "${RING_HEAP:-$(dirname "$bin")/ring_heap}")
seed=${SEED:-42}
bench_start "${1:-}"
echo "== ring election, clocklab virtual time vs a bare binary heap: $(hostname)," \
    "$(nproc) cores, $(date -u +%FT%TZ)"
echo "   clocklab: $bin"
echo "   heap:     $heap"
for n in ${NODES:-100000}; do
    : >"$out/ring-$n.ratios"
    for rep in $(seq 1 "${REPS:-3}"); do
        name="ring-$n-$rep"
        /usr/bin/time -f "%e %M" -o "$out/$name.heap.time" "$heap" "$n" "$seed" \
            > "$out/$name.heap.txt"
        /usr/bin/time -f "%e %M" -o "$out/$name.clocklab.time" \
            mpirun -n 1 "$bin" /dev/null -o "$out/$name.h5" --force \
            --set experiment.algorithm=ring --set experiment.time=virtual \
            --set experiment.nodes="$n" --set experiment.seed="$seed" \
            --set election.ids=random --set election.initiators=all \
            --set "network.delay=uniform(0.5ms, 1.5ms)" --set experiment.duration=0 \
            --set experiment.timeout=100000s --set experiment.trace=off >/dev/null
        PYTHONPATH=analysis /usr/bin/python3 - "$out" "$name" <<'PY'
import os
import sys
import clocklab
out, name = sys.argv[1], sys.argv[2]
base = os.path.join(out, name)
heap = dict(kv.split("=", 1) for kv in open(base + ".heap.txt").read().split())
h_wall, h_kib = (float(x) for x in open(base + ".heap.time").read().split()[-2:])
c_wall, c_kib = (float(x) for x in open(base + ".clocklab.time").read().split()[-2:])
_, (run, *_) = clocklab.read_runs(base + ".h5")
a = run["attrs"]
sent = run["messages"]["sent"]
c_msgs = int(sent.sum())
c_loop = float(a["event_time"])
h_msgs, h_loop = int(heap["messages"]), float(heap["loop_s"])
c_ns, h_ns = 1e9 * c_loop / c_msgs, 1e9 * h_loop / h_msgs
print("%s clocklab: %d messages, %d events, loop %.3f s = %.0f ns/message; run %.2f s "
      "(process %.2f s); peak %.0f MiB" % (name, c_msgs, int(a["events_processed"]), c_loop,
                                          c_ns, float(a["wall_time"]), c_wall, c_kib / 1024))
print("%s heap:     %d messages, %d events, loop %.3f s = %.0f ns/message; process %.2f s; "
      "peak %.0f MiB" % (name, h_msgs, int(heap["events"]), h_loop, h_ns, h_wall, h_kib / 1024))
same = "equal" if c_msgs == h_msgs else "DIFFERENT (%d vs %d)" % (c_msgs, h_msgs)
print("%s ratio clocklab/heap per message: %.2f (messages %s)" % (name, c_ns / h_ns, same))
with open(os.path.join(out, name.rsplit("-", 1)[0] + ".ratios"), "a") as f:
    f.write("%.6f\n" % (c_ns / h_ns))
PY
    done
    [ ! -s "$out/ring-$n.ratios" ] ||
        printf 'ring-%s median ratio clocklab/heap per message: %.2f (%d runs)\n' "$n" \
            "$(median <"$out/ring-$n.ratios")" "$(wc -l <"$out/ring-$n.ratios")"
done
echo "files in $out"
