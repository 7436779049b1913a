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
# time and the sum of the ranks' peak resident memory.
#
# Usage: [REFERENCE=BIN] [REPEATS=3] [CASES="ring5 ring6-r1 ring6-r2 dispatch"] \
#            bash experiments/bench/virtual_cases.sh [OUTDIR]
# OUTDIR (default: a new temporary directory) and CLOCKLAB_BINARY (default:
# build/clocklab of this repository) are taken from the current directory;
# nothing is written outside OUTDIR. ring6 takes about 2.5 GiB per binary.
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
out=${1:-$(mktemp -d)}
mkdir -p "$out"
out=$(cd "$out" && pwd)
bin=$(realpath "${CLOCKLAB_BINARY:-$repo/build/clocklab}")
ref=${REFERENCE:+$(realpath "$REFERENCE")}
if [ "$(id -u)" -eq 0 ]; then
    export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
fi
export OMPI_MCA_rmaps_base_oversubscribe=1
cat >"$out/measure.sh" <<'WRAP'
#!/usr/bin/env bash
exec /usr/bin/time -f "%M" -o "$MEMFILE.$OMPI_COMM_WORLD_RANK" "$@"
WRAP
chmod +x "$out/measure.sh"

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

run() { # label binary case repeat
    local label=$1 binary=$2 name=$3 k=$4 file="$out/$3-$1-$4.h5" start end kib
    case_args "$name"
    rm -f "$out/mem.$label".*
    start=$(date +%s.%N)
    MEMFILE="$out/mem.$label" mpirun -x MEMFILE -n "$ranks" "$out/measure.sh" "$binary" \
        /dev/null -o "$file" --force "${args[@]}" >"$out/$name-$label-$k.log" 2>&1
    end=$(date +%s.%N)
    kib=$(cat "$out/mem.$label".* | awk '{s += $1} END {print s}')
    PYTHONPATH="$repo/analysis" /usr/bin/python3 - "$file" "$label" "$name" "$kib" "$start" "$end" <<'PY'
import sys
import h5py
path, label, name, kib, start, end = sys.argv[1:]
a = h5py.File(path, "r")["runs/run000"].attrs
ev, t = int(a["events_processed"]), float(a["event_time"])
print("%-9s %-9s events %10d  loop %7.2f s  %6.3f us/event  run %7.2f s  mpirun %7.2f s  "
      "memory %6.0f MiB" % (name, label, ev, t, t / ev * 1e6, float(a["wall_time"]),
                            float(end) - float(start), float(kib) / 1024))
PY
}

echo "== clocklab virtual-time cases: $bin${ref:+ against $ref} on $(hostname)," \
    "$(nproc) cores, $(date -u +%FT%TZ)"
for name in ${CASES:-ring5 ring6-r1 ring6-r2 dispatch}; do
    for k in $(seq "${REPEATS:-3}"); do
        [ -n "$ref" ] && run reference "$ref" "$name" "$k"
        run clocklab "$bin" "$name" "$k"
    done
done
echo "files in $out"
