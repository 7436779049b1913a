#!/usr/bin/env bash
# Run a clocklab sweep file on this machine, without Slurm: every line is one
# clocklab run with its own result file, several at a time.
#
#   bash scripts/sweep.sh SWEEP_FILE -o OUTDIR [-j JOBS] [-- clocklab arguments for every line]
#   bash scripts/sweep.sh --help
#
# SWEEP_FILE is the format slurm/sweep.sbatch runs (slurm/make_sweep.sh writes
# one): "nodes algorithm seed [extra clocklab arguments]" per line, blank
# lines and # comments skipped. A line runs
#     mpirun -n R clocklab [arguments after --] --set experiment.algorithm=A
#         --set experiment.seed=S --set experiment.nodes=N [the line's extra
#         arguments] -o OUTDIR/<name>.h5
# With --set and no configuration file a run starts from the built-in defaults
# (clocklab --list), so a line sets only keys of the algorithms it runs.
#
# Ranks and parallel runs (C = this machine's CPU count, nproc):
#   -j JOBS     at most JOBS runs at a time (default C);
#   virtual time (--set experiment.time=virtual in the line or after --, or
#               time = virtual in a configuration file given there): R = 1;
#   real time:  R = min(N, C / JOBS), at least 1: the N nodes are spread over
#               the R ranks; a real-time run starts only while the ranks of all
#               running runs plus its own fit in C, so real-time runs never
#               share CPUs (a -j above C speeds up virtual-time lines only).
#
# OUTDIR (created if missing; paths relative to the current directory):
#   <name>.h5       one finished result per line, <name> = ALGORITHM-nNODES-sSEED,
#                   with -XXXXXXXX (a hash of the extra arguments) when the line
#                   or the command has extra arguments
#   runs.csv        one row per run of every OUTDIR/*.h5 (clocklab-analysis table)
#   logs/<name>.log what clocklab printed for the line (kept for every line);
#                   logs/<name>.partial.h5: what a failed run had written
#   .partial/       runs in progress (a run is written here and moved to
#                   <name>.h5 only when clocklab exits with status 0)
# Resumable: a line whose <name>.h5 exists is skipped; rerun the same command
# after a failure or an interruption (Ctrl-C: the running runs are stopped and
# write nothing to OUTDIR) and only the missing lines run.
#
# Prints one progress line per finished run to stderr (done/total, skipped,
# failed, running, elapsed) and at the end a summary (where the results,
# runs.csv and the logs of failed lines are) to stdout.
# Exit status: 0 every line has its result; 1 a line failed (or the table
# did); 2 a usage error (no sweep file, a bad line, no binary): nothing run;
# 130 interrupted.
#
# Environment: CLOCKLAB_BINARY (default: build/clocklab of the repository this
# script is in), CLOCKLAB_LAUNCHER = mpirun (default) | srun, and the Open MPI
# settings it sets unless given: OMPI_MCA_rmaps_base_oversubscribe=1 and
# OMPI_MCA_hwloc_base_binding_policy=none (runs side by side must not all
# bind to the first cores).
#
# Example (a laptop, virtual time):
#   bash slurm/make_sweep.sh -a "bully ring" -n "4 8 16" -s "1 2" \
#       -- --set experiment.time=virtual > my-sweep.txt
#   bash scripts/sweep.sh my-sweep.txt -o my-sweep
#   analysis/clocklab-analysis sweep my-sweep/*.h5 --x nodes --y messages \
#       -o my-sweep/messages.png
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(dirname "$here")
# shellcheck source=slurm/launch.sh
source "$repo/slurm/launch.sh"

usage() { sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "${BASH_SOURCE[0]}"; }
die() { # status message
    echo "sweep.sh: $2" >&2
    exit "$1"
}

sweep="" out="" jobs="" common=()
while [ $# -gt 0 ]; do
    case "$1" in
    -h | --help) usage; exit 0 ;;
    -o) [ $# -ge 2 ] || die 2 "-o needs a directory"; out=$2; shift 2 ;;
    -o*) out=${1#-o}; shift ;;
    -j) [ $# -ge 2 ] || die 2 "-j needs a number"; jobs=$2; shift 2 ;;
    -j*) jobs=${1#-j}; shift ;;
    --) shift; common=("$@"); break ;;
    -*) die 2 "unknown option '$1' (usage: bash scripts/sweep.sh SWEEP_FILE -o OUTDIR [-j JOBS] [-- args]; --help)" ;;
    *)
        [ -z "$sweep" ] || die 2 "one sweep file only ('$sweep', then '$1'); clocklab arguments go after --"
        sweep=$1
        shift
        ;;
    esac
done
[ -n "$sweep" ] || die 2 "no sweep file (usage: bash scripts/sweep.sh SWEEP_FILE -o OUTDIR [-j JOBS] [-- args]; --help)"
[ -n "$out" ] || die 2 "no output directory: give -o OUTDIR"
[ -f "$sweep" ] && [ -r "$sweep" ] || die 2 "cannot read sweep file '$sweep'"
cpus=$(nproc)
jobs=${jobs:-$cpus}
[[ "$jobs" =~ ^[1-9][0-9]*$ ]] || die 2 "-j wants a positive whole number, not '$jobs'"

# Every line, checked before anything runs.
lineno=() text=() names=() ranks=() virtual=() argv=()
declare -A seen=()
while IFS= read -r numbered; do
    n=${numbered%%:*} line=${numbered#*:}
    sweep_parse "$line" || die 2 "$sweep:$n: bad line '$line': $sweep_error"
    name="$sweep_algorithm-n$sweep_nodes-s$sweep_seed"
    name=${name//[^A-Za-z0-9+,._-]/_}
    extra=("${common[@]}" "${sweep_args[@]:6}")
    if [ ${#extra[@]} -gt 0 ]; then
        name="$name-$(printf '%s\0' "${extra[@]}" | sha1sum | cut -c1-8)"
    fi
    [ -z "${seen[$name]:-}" ] || die 2 "$sweep:$n: line '$line' repeats line ${seen[$name]}"
    seen[$name]=$n
    if sweep_virtual "${common[@]}" "${sweep_args[@]}"; then
        r=1 v=1
    else
        r=$((cpus / jobs))
        ((r >= 1)) || r=1
        ((r <= sweep_nodes)) || r=$sweep_nodes
        v=0
    fi
    lineno+=("$n") text+=("$line") names+=("$name") ranks+=("$r") virtual+=("$v")
    # the line's clocklab arguments, NUL-separated (no array of arrays in bash)
    argv+=("$(printf '%s\037' "${common[@]}" "${sweep_args[@]}")")
done < <(sweep_lines "$sweep")
total=${#names[@]}
[ "$total" -gt 0 ] || die 2 "$sweep has no lines (want: nodes algorithm seed [clocklab arguments])"

todo=()
skipped=0
for i in "${!names[@]}"; do
    if [ -f "$out/${names[$i]}.h5" ]; then
        skipped=$((skipped + 1))
    else
        todo+=("$i")
    fi
done

binary=${CLOCKLAB_BINARY:-$repo/build/clocklab}
if [ ${#todo[@]} -gt 0 ]; then
    [ -x "$binary" ] && [ -f "$binary" ] ||
        die 2 "no clocklab binary at '$binary' (build it: cmake -S $repo -B $repo/build && cmake --build $repo/build; or set CLOCKLAB_BINARY)"
    binary=$(cd "$(dirname "$binary")" && pwd)/$(basename "$binary")
fi
mkdir -p "$out" || die 2 "cannot create '$out'"
out=$(cd "$out" && pwd)
mkdir -p "$out/logs" "$out/.partial"
setsid=""
if command -v setsid >/dev/null; then setsid=setsid; fi
export OMPI_MCA_rmaps_base_oversubscribe=${OMPI_MCA_rmaps_base_oversubscribe:-1}
export OMPI_MCA_hwloc_base_binding_policy=${OMPI_MCA_hwloc_base_binding_policy:-none}

start=$SECONDS
echo "sweep.sh: $sweep: $total lines, $skipped finished already (skipped), ${#todo[@]} to run," \
    "up to $jobs at a time on $cpus CPUs; results in $out" >&2

# run_line I: one line's run in the background; its exit status is clocklab's.
run_line() {
    local i=$1 name=${names[$1]} args=() launch=() rc=0 pid
    local part="$out/.partial/$name.h5" log="$out/logs/$name.log"
    # Ctrl-C is for sweep.sh, which passes it on as SIGTERM (below): this
    # shell must live to see the run end and file its result.
    trap '' INT
    IFS=$'\037' read -r -d '' -a args < <(printf '%s\0' "${argv[$i]}") || true
    CLOCKLAB_LAUNCHER=${CLOCKLAB_LAUNCHER:-mpirun} clocklab_launcher sweep.sh "${ranks[$i]}" || return 2
    rm -f "$part" "$part".*
    {
        echo "# $sweep:${lineno[$i]}: ${text[$i]}"
        echo "# $(date -u +%FT%TZ): ${launch[*]} $binary ${args[*]} -o $part"
    } >"$log"
    # In a session of its own, so that Ctrl-C at the terminal does not reach
    # mpirun: sweep.sh passes it on as one SIGTERM (a second signal makes
    # mpirun quit at once, without waiting for the ranks). clocklab then
    # writes the run so far (as "interrupted") and exits non-zero, so the
    # run is not kept.
    $setsid "${launch[@]}" "$binary" "${args[@]}" -o "$part" </dev/null >>"$log" 2>&1 &
    pid=$!
    trap 'kill -TERM $pid 2>/dev/null' TERM
    while kill -0 "$pid" 2>/dev/null; do wait "$pid" || true; done
    wait "$pid" || rc=$?
    echo "# exit status $rc" >>"$log"
    if [ "$rc" -eq 0 ] && [ -f "$part" ]; then
        mv -f "$part" "$out/$name.h5"
    else
        [ "$rc" -ne 0 ] || rc=1 # exit status 0 but no file
        [ ! -f "$part" ] || mv -f "$part" "$out/logs/$name.partial.h5"
    fi
    rm -f "$part".*
    return "$rc"
}

declare -A running=() # pid -> line index
used=0 real_running=0 finished=$skipped failed=0 stopped=0 interrupted=0 failures=()

progress() {
    echo "sweep.sh: $finished/$total done ($skipped skipped), $failed failed, ${#running[@]} running," \
        "$((SECONDS - start)) s" >&2
}

# reap: wait for one run to end and count it.
reap() {
    local pid="" rc=0 i
    wait -n -p pid "${!running[@]}" || rc=$?
    [ -n "${pid:-}" ] || return 0 # a signal interrupted the wait
    i=${running[$pid]}
    unset "running[$pid]"
    used=$((used - ranks[i]))
    [ "${virtual[$i]}" = 1 ] || real_running=$((real_running - 1))
    if [ "$rc" -eq 0 ]; then
        finished=$((finished + 1))
    elif [ "$interrupted" = 1 ]; then
        stopped=$((stopped + 1))
    else
        failed=$((failed + 1))
        failures+=("$i:$rc")
    fi
    progress
}

stop() {
    interrupted=1
    local pid
    for pid in "${!running[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
}
trap stop INT TERM

# fits I: whether line I may start now.
fits() {
    local i=$1
    [ ${#running[@]} -lt "$jobs" ] || return 1
    [ ${#running[@]} -gt 0 ] || return 0
    ((used + ranks[i] <= cpus)) && return 0
    # past the CPUs: only virtual-time runs, and only beside other virtual-time runs
    [ "${virtual[$i]}" = 1 ] && [ "$real_running" -eq 0 ]
}

for i in "${todo[@]}"; do
    while [ "$interrupted" = 0 ] && ! fits "$i"; do reap; done
    [ "$interrupted" = 0 ] || break
    run_line "$i" &
    running[$!]=$i
    used=$((used + ranks[i]))
    [ "${virtual[$i]}" = 1 ] || real_running=$((real_running + 1))
done
while [ ${#running[@]} -gt 0 ]; do reap; done

echo
if [ "$interrupted" = 1 ]; then
    echo "sweep.sh: interrupted after $((SECONDS - start)) s: $finished/$total lines done, $stopped stopped," \
        "$failed failed; rerun the same command to run the rest"
else
    echo "sweep.sh: $total lines: $((finished - skipped)) run, $skipped skipped (finished before)," \
        "$failed failed; $((SECONDS - start)) s"
fi
status=0
for f in "${failures[@]}"; do
    i=${f%%:*}
    echo "  FAILED $sweep:${lineno[$i]}: ${text[$i]}  (exit ${f#*:}; log $out/logs/${names[$i]}.log)"
    status=1
done
[ "$interrupted" = 0 ] || status=130

results=("$out"/*.h5)
if [ "$interrupted" = 0 ] && [ -f "${results[0]}" ]; then
    if "$repo/analysis/clocklab-analysis" table "${results[@]}" -o "$out/runs.csv" \
        >"$out/logs/table.log" 2>&1; then
        echo "  results: $out/*.h5 (one file per line)"
        echo "  table:   $out/runs.csv (one row per run)"
    else
        echo "  the table failed (log $out/logs/table.log):"
        sed 's/^/    /' "$out/logs/table.log"
        status=1
    fi
    echo "  logs:    $out/logs/"
    echo "  plot:    $repo/analysis/clocklab-analysis sweep $out/*.h5 --x nodes --y messages -o $out/messages.png"
elif [ "$interrupted" = 0 ]; then
    echo "  no results in $out; logs in $out/logs/"
fi
rmdir "$out/.partial" 2>/dev/null || true
exit "$status"
