#!/usr/bin/env bash
# What the reliable channel ([network] reliable = on) costs against loss, in
# virtual time: chatter (every node sends to a random other every 2-10 ms)
# on NODES nodes for 5 s with one-way delays uniform(0.5ms, 1.5ms) and a
# trace, at [network] loss 0 .. 0.3 over the channel, and at loss 0 without
# it (the reference); then `python3 -m clocklab channel`: the algorithm's
# messages, the channel's retransmissions and acknowledgements,
# transmissions per message against the ARQ bounds 1/(1-p) .. 1/(1-p)^2,
# and the one-way latency of the algorithm's messages.
#   bash experiments/bench/channel_cost.sh [DIR]
# NODES ("16 128"), LOSSES ("0 0.01 0.05 0.1 0.2 0.3") and EXTRA (more
# --set arguments, e.g. "--set network.rto_min=4ms") override the defaults;
# CLOCKLAB_BINARY and OUTDIR as in the other scripts of experiments/bench.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/bench_lib.sh"
bench_start "${1:-}"
nodes_list=${NODES:-16 128}
losses=${LOSSES:-0 0.01 0.05 0.1 0.2 0.3}
read -r -a extra <<<"${EXTRA:-}"
echo "== clocklab channel cost: $bin, nodes $nodes_list, loss $losses, $(date -u +%FT%TZ)"
one() { # nodes loss reliable
    mpirun -n 1 "$bin" /dev/null -o "$out/chatter-n$1-loss$2-$3.h5" --force \
        --set experiment.time=virtual --set experiment.nodes="$1" \
        --set experiment.algorithm=chatter --set experiment.duration=5s \
        --set experiment.trace=on --set "network.delay=uniform(0.5ms, 1.5ms)" \
        --set network.loss="$2" --set network.reliable="$3" "${extra[@]}" >/dev/null
}
for n in $nodes_list; do
    one "$n" 0 off
    for p in $losses; do one "$n" "$p" on; done
    echo "== $n nodes"
    PYTHONPATH=analysis /usr/bin/python3 -m clocklab channel "$out"/chatter-n"$n"-*.h5 \
        -o "$out/channel-n$n.csv"
done
