#!/usr/bin/env bash
# Virtual time on realistic delays, side by side with a reference binary:
#   ring5     Chang-Roberts, 10^5 nodes, random ids, every node initiating,
#             uniform(0.5ms, 1.5ms) delays, 1 rank
#   ring6-rR  the same at 10^6 nodes, exponential(1ms) delays plus
#             min_delay = 10us (the lookahead), on R = 1 and 2 ranks
#   dispatch  a coordinator routing 100 clients' Poisson requests (450/s
#             each) to 100 single-worker servers, service exponential(2ms):
#             utilization 45000 / (100 * 500) = 0.9, 20 s, uniform delays
# Each case runs REPEATS times (default 3); with REFERENCE=/path/to/clocklab
# the reference binary runs each case too, interleaved (reference first).
# Per run: events, event-loop seconds (the run's event_time) and
# microseconds per event, the run's own wall time, the whole mpirun's wall
# time and the sum of the ranks' peak resident memory. With a reference, per
# pair of runs (one repeat) the ratios reference/clocklab of the event-loop
# time and of the mpirun wall time, and per case their medians over the
# repeats: the speed-up as measured in this job (> 1: clocklab is faster).
#
# Usage: [REFERENCE=BIN] [REPEATS=3] [CASES="ring5 ring6-r1 ring6-r2 dispatch"] \
#            bash experiments/bench/virtual_cases.sh [OUTDIR]
# OUTDIR (default: a new temporary directory) and CLOCKLAB_BINARY (default:
# build/clocklab of this repository) are taken from the current directory;
# nothing is written outside OUTDIR. ring6 takes about 2.5 GiB per binary.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/bench_lib.sh"
ref=${REFERENCE:+$(realpath "$REFERENCE")}
bench_start "${1:-}"

RING=(--set experiment.algorithm=ring --set experiment.time=virtual --set experiment.duration=0
    --set experiment.timeout=100000s --set experiment.trace=off --set election.ids=random
    --set election.initiators=all)
DISPATCH=(--set experiment.algorithm=dispatch --set experiment.time=virtual
    --set experiment.nodes=201 --set experiment.duration=20s --set experiment.trace=off
    --set "network.delay=uniform(0.5ms, 1.5ms)" --set dispatch.servers=1-100
    --set dispatch.clients=101-200 --set dispatch.rate=450 --set "dispatch.service=exponential(2ms)")

case_args() { # case -> ranks and clocklab arguments in the array args
    case $1 in
    ring5) ranks=1 args=("${RING[@]}" --set experiment.nodes=100000
        --set "network.delay=uniform(0.5ms, 1.5ms)") ;;
    ring6-r*) ranks=${1#ring6-r} args=("${RING[@]}" --set experiment.nodes=1000000
        --set network.min_delay=10us --set "network.delay=exponential(1ms)") ;;
    dispatch) ranks=1 args=("${DISPATCH[@]}") ;;
    *)
        echo "virtual_cases.sh: unknown case '$1'" >&2
        exit 2
        ;;
    esac
}

run() { # label binary case repeat; appends "event_time mpirun_seconds" to $out/CASE-LABEL.times
    local label=$1 binary=$2 name=$3 k=$4 file="$out/$3-$1-$4.h5" start end kib
    case_args "$name"
    start=$(date +%s.%N)
    measured "$label" "$ranks" "$binary" \
        /dev/null -o "$file" --force "${args[@]}" >"$out/$name-$label-$k.log" 2>&1
    end=$(date +%s.%N)
    /usr/bin/python3 - "$file" "$label" "$name" "$kib" "$start" "$end" \
        3>>"$out/$name-$label.times" <<'PY'
import os
import sys
import h5py
path, label, name, kib, start, end = sys.argv[1:]
a = h5py.File(path, "r")["runs/run000"].attrs
ev, t = int(a["events_processed"]), float(a["event_time"])
wall = float(end) - float(start)
print("%-9s %-9s events %10d  loop %7.2f s  %6.3f us/event  run %7.2f s  mpirun %7.2f s  "
      "memory %6.0f MiB" % (name, label, ev, t, t / ev * 1e6, float(a["wall_time"]), wall,
                            float(kib) / 1024))
os.write(3, b"%.6f %.6f\n" % (t, wall))
PY
}

# ratios CASE REPEAT: reference/clocklab of the last pair's event-loop and
# mpirun times, printed and appended to $out/CASE.ratios
ratios() {
    local r
    r=$(paste -d' ' <(tail -n 1 "$out/$1-reference.times") <(tail -n 1 "$out/$1-clocklab.times") |
        awk '{printf "%.6f %.6f", $1 / $3, $2 / $4}')
    echo "$r" >>"$out/$1.ratios"
    printf '%-9s ratio reference/clocklab, repeat %d: loop %.3f  mpirun %.3f\n' "$1" "$2" $r
}

echo "== clocklab virtual-time cases: $bin${ref:+ against $ref} on $(hostname)," \
    "$(nproc) cores, $(date -u +%FT%TZ)"
for name in ${CASES:-ring5 ring6-r1 ring6-r2 dispatch}; do
    rm -f "$out/$name"-*.times "$out/$name.ratios"
    for k in $(seq "${REPEATS:-3}"); do
        if [ -n "$ref" ]; then
            run reference "$ref" "$name" "$k"
            run clocklab "$bin" "$name" "$k"
            ratios "$name" "$k"
        else
            run clocklab "$bin" "$name" "$k"
        fi
    done
    if [ -n "$ref" ]; then
        printf '%-9s median ratio reference/clocklab over %d repeats: loop %.3f  mpirun %.3f\n' \
            "$name" "$(wc -l <"$out/$name.ratios")" "$(cut -d' ' -f1 "$out/$name.ratios" | median)" \
            "$(cut -d' ' -f2 "$out/$name.ratios" | median)"
    fi
done
echo "files in $out"
