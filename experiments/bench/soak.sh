#!/usr/bin/env bash
# The soak under faults: every algorithm on 16 nodes in virtual time
# (experiments/soak.ini: 3 s, delays uniform(0.5ms, 1.5ms), 20 seeds), with
# [network] loss 0, 0.05 and 0.2, each without and with a crash/recover
# schedule, and the same at loss 0.05 and 0.2 over reliable channels
# ([network] reliable = on), then `python3 -m clocklab soak`: per algorithm and condition the
# share of runs that still hold the algorithm's property, and how the
# others failed. Configurations clocklab refuses (an algorithm that needs
# loss = 0 or no crashes) are listed in DIR/refused.tsv.
#   bash experiments/bench/soak.sh [DIR]
# SEEDS (20), LOSSES ("0 0.05 0.2"), RELIABLE_LOSSES ("0.05 0.2"; "" for
# none) and ALGORITHMS override the defaults.
#
# Crash schedules (node indices; `coordinator` is the node that believes
# itself coordinator at that instant, the elected or the configured one):
#   elections           coordinator@0.5s-1.5s, 5@1s-2s
#   cristian, berkeley, ntp   coordinator@0.6s-1.6s, 5@1s-2s (the server or master,
#                       and a client)
#   dispatch            coordinator@0.5s-1.5s, 3@1s-2s (the coordinator, and a server)
#   lamport, chatter, vector, tom   5@0.2s-1.2s
#   mutual exclusion    5@0.5s-1.5s
#   skampi, jk, hca     5@0.1s-0.2s (they wait for every reply and refuse crashes,
#                       and loss unless over reliable channels: the soak records
#                       the refusals)
# OUTDIR (default: a new temporary directory) and CLOCKLAB_BINARY (default:
# build/clocklab of this repository) are taken from the current directory;
# nothing is written outside OUTDIR.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/bench_lib.sh"
bench_start "${1:-}"
seeds=${SEEDS:-20}
losses=${LOSSES:-0 0.05 0.2}
reliable_losses=${RELIABLE_LOSSES:-0.05 0.2}
algorithms=${ALGORITHMS:-bully ring hs cristian berkeley ntp lamport chatter vector tom \
mutex_central ricart_agrawala lamport_mutex token_ring suzuki_kasami dispatch skampi jk hca}

crash_of() {
    case $1 in
    bully | ring | hs) echo "coordinator@0.5s-1.5s, 5@1s-2s" ;;
    cristian | berkeley | ntp) echo "coordinator@0.6s-1.6s, 5@1s-2s" ;;
    dispatch) echo "coordinator@0.5s-1.5s, 3@1s-2s" ;;
    lamport | chatter | vector | tom) echo "5@0.2s-1.2s" ;;
    skampi | jk | hca) echo "5@0.1s-0.2s" ;;
    *) echo "5@0.5s-1.5s" ;;
    esac
}

# One case: algorithm, loss, crash schedule, [network] reliable.
soak_case() {
    local a=$1 loss=$2 crash=$3 reliable=$4 tag file rc
    tag=$([ "$crash" = none ] && echo none || echo crash)
    file="$out/$a-loss$loss-$tag$([ "$reliable" = on ] && echo -reliable || true).h5"
    rm -f "$file"
    set +e
    mpirun -n 1 "$bin" experiments/soak.ini -o "$file" --force \
        --set experiment.algorithm="$a" --set experiment.repeat="$seeds" \
        --set network.loss="$loss" --set "faults.crash=$crash" \
        --set network.reliable="$reliable" >/dev/null 2>"$out/stderr"
    rc=$?
    set -e
    if [ $rc -eq 2 ] && grep -q "clocklab: error" "$out/stderr"; then
        printf '%s\t%s\t%s\t%s\t%s\n' "$a" "$loss" "$crash" "$reliable" \
            "$(grep -m1 "clocklab: error" "$out/stderr")" >>"$out/refused.tsv"
    elif [ $rc -ne 0 ]; then
        echo "soak: $a loss $loss crash '$crash' reliable $reliable failed (exit $rc):" >&2
        cat "$out/stderr" >&2
        exit 1
    fi
}

: >"$out/refused.tsv"
since() { awk -v a="$1" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }'; }
start=$(date +%s.%N)
echo "== clocklab soak: $bin, $seeds seeds, loss $losses, reliable at $reliable_losses, $(date -u +%FT%TZ)"
for a in $algorithms; do
    for loss in $losses; do
        for crash in none "$(crash_of "$a")"; do
            soak_case "$a" "$loss" "$crash" off
        done
    done
    for loss in $reliable_losses; do
        for crash in none "$(crash_of "$a")"; do
            soak_case "$a" "$loss" "$crash" on
        done
    done
    echo "$a done ($(since "$start") s)"
done
runs=$(since "$start")
analysis_start=$(date +%s.%N)
PYTHONPATH=analysis /usr/bin/python3 -m clocklab soak "$out"/*.h5 --refused "$out/refused.tsv" \
    -o "$out/soak.csv"
echo "runs $runs s, analysis $(since "$analysis_start") s; files in $out"
