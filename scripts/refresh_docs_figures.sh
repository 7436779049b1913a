#!/usr/bin/env bash
# Refresh the figures tracked in docs/: run the studies into a work directory
# (a new temporary one by default) and copy the figures they draw over the
# tracked ones. The study scripts themselves write only into the directory
# they are given; this is the one command that writes into docs/.
#
#   bash scripts/refresh_docs_figures.sh [--work DIR] [STUDY ...]   run and copy
#   bash scripts/refresh_docs_figures.sh --list                      print the mapping
#   bash scripts/refresh_docs_figures.sh --help
#
# STUDY: one or more names of the table below (default: all of them; hours on
# a laptop, and the real-time studies want a quiet machine). --work DIR runs in
# DIR (from the current directory) and keeps it; the temporary directory is
# removed after a run in which every study succeeded, and kept otherwise.
# Every study's output goes to the terminal and to WORK/STUDY.log.
# Prints, per study, its command, its time and each tracked figure it
# updated, then `git status --short docs` to review before committing.
# Exit status: 0 all studies ran and their figures were copied; 1 a study
# failed (its figures are not copied; the others' are); 2 a usage error.
# Environment: CLOCKLAB_BINARY (the program, default build/clocklab of this
# repository), MPITS_CHECK (mpi-time-sync's check_clock_accuracy for hpcsync;
# without it the hpcsync figure lacks the mpi-time-sync curves).
set -euo pipefail

# The mapping, one row per tracked figure:
#   STUDY | FIGURE, as the study writes it in the work directory | TRACKED COPY | COMMAND,
# run in the work directory ($repo is this repository) on the study's first row
# (the settings are those the docs pages give for their figures).
MAPPING='
complexity         | complexity/complexity.png                 | docs/studies/complexity.png         | NMAX=32 SEEDS=20 ROWS=2,3,4,6,8,12,16,20,24,28,32 bash "$repo/experiments/complexity.sh" complexity
complexity-virtual | complexity-virtual/complexity-virtual.png | docs/studies/complexity-virtual.png | MODE=virtual NMAX=4096 SEEDS=20 ROWS=64,128,256,512,1024,2048,4096 bash "$repo/experiments/complexity.sh" complexity-virtual
mutex              | mutex/mutex_scaling.png                   | docs/studies/mutex_scaling.png      | bash "$repo/experiments/mutex.sh" mutex
mutex              | mutex/mutex_rate.png                      | docs/studies/mutex_rate.png         |
routing            | service/service_load.png                  | docs/studies/service_load.png       | bash "$repo/experiments/service.sh" service
routing            | service/service_policies.png              | docs/studies/service_policies.png   |
routing            | service/service_failover.png              | docs/studies/service_failover.png   |
real-vs-virtual    | real_vs_virtual/real_vs_virtual.png       | docs/studies/real_vs_virtual.png    | bash "$repo/experiments/real_vs_virtual.sh" real_vs_virtual
hpcsync            | hpcsync/hpcsync.png                       | docs/studies/hpcsync.png            | bash "$repo/experiments/bench/hpcsync.sh" hpcsync
exploration        | exploration/bully_run000_election.png     | docs/studies/exploration_bully.png  | bash "$repo/experiments/explore.sh" exploration
'

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

usage() { sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "${BASH_SOURCE[0]}"; }
die() { # status message
    echo "refresh_docs_figures.sh: $2" >&2
    exit "$1"
}
trim() { local s=$1; s=${s#"${s%%[![:space:]]*}"}; printf '%s' "${s%"${s##*[![:space:]]}"}"; }

# The table as arrays: study, figure, tracked copy, command.
studies=() figures=() tracked=() commands=() all=()
while IFS='|' read -r s f t c; do
    s=$(trim "$s")
    [ -n "$s" ] || continue
    studies+=("$s") figures+=("$(trim "$f")") tracked+=("$(trim "$t")") commands+=("$(trim "$c")")
    [[ " ${all[*]} " == *" $s "* ]] || all+=("$s")
done <<<"$MAPPING"

work="" list=0 selected=()
while [ $# -gt 0 ]; do
    case "$1" in
    -h | --help) usage; exit 0 ;;
    --list) list=1; shift ;;
    --work) [ $# -ge 2 ] || die 2 "--work needs a directory"; work=$2; shift 2 ;;
    -*) die 2 "unknown option '$1' (--help)" ;;
    *)
        [[ " ${all[*]} " == *" $1 "* ]] || die 2 "no study '$1' (the studies: ${all[*]})"
        selected+=("$1")
        shift
        ;;
    esac
done
[ ${#selected[@]} -gt 0 ] || selected=("${all[@]}")

if [ "$list" = 1 ]; then
    printf '%-18s  %-42s  %s\n' STUDY "FIGURE (work directory)" "TRACKED COPY"
    for i in "${!studies[@]}"; do
        note=""
        [ -f "$repo/${tracked[$i]}" ] || note="  (not in the repository yet)"
        printf '%-18s  %-42s  %s%s\n' "${studies[$i]}" "${figures[$i]}" "${tracked[$i]}" "$note"
    done
    exit 0
fi

if [ -n "$work" ]; then
    mkdir -p "$work"
    work=$(cd "$work" && pwd)
    keep=1
else
    work=$(mktemp -d "${TMPDIR:-/tmp}/clocklab-figures.XXXXXX")
    keep=0
fi
echo "refresh_docs_figures.sh: studies ${selected[*]} in $work"
[ -n "${MPITS_CHECK:-}" ] || [[ " ${selected[*]} " != *" hpcsync "* ]] ||
    echo "refresh_docs_figures.sh: MPITS_CHECK is not set: the hpcsync figure will lack mpi-time-sync" >&2

failed=()
for study in "${selected[@]}"; do
    for i in "${!studies[@]}"; do
        [ "${studies[$i]}" = "$study" ] && [ -n "${commands[$i]}" ] && break
    done
    echo "== $study: ${commands[$i]}"
    start=$SECONDS
    rc=0
    (cd "$work" && eval "${commands[$i]}") 2>&1 | tee "$work/$study.log" || rc=$?
    if [ "$rc" -ne 0 ]; then
        echo "== $study FAILED (exit $rc, $((SECONDS - start)) s; log $work/$study.log): its figures stay as they are"
        failed+=("$study")
        continue
    fi
    echo "== $study done ($((SECONDS - start)) s)"
    for j in "${!studies[@]}"; do
        [ "${studies[$j]}" = "$study" ] || continue
        if [ ! -f "$work/${figures[$j]}" ]; then
            echo "== $study did not write ${figures[$j]}: ${tracked[$j]} stays as it is"
            failed+=("$study")
            continue
        fi
        mkdir -p "$(dirname "$repo/${tracked[$j]}")"
        cp "$work/${figures[$j]}" "$repo/${tracked[$j]}"
        echo "updated ${tracked[$j]}"
    done
done

echo
git -C "$repo" status --short -- docs 2>/dev/null || true
if [ ${#failed[@]} -gt 0 ]; then
    echo "refresh_docs_figures.sh: failed: ${failed[*]}; the work directory stays: $work"
    exit 1
fi
if [ "$keep" = 0 ]; then rm -rf "$work"; else echo "the studies' files: $work"; fi
echo "refresh_docs_figures.sh: done; review the figures (git diff --stat docs) and commit them"
