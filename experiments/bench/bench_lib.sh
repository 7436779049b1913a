# shellcheck shell=bash
# What the scripts in experiments/bench share; sourced, before they change
# directory, as
#   source "$(dirname "${BASH_SOURCE[0]}")/bench_lib.sh"
# Sets repo (this repository) and bin (CLOCKLAB_BINARY, default
# build/clocklab of this repository, taken from the current directory, as an
# absolute path), and lets mpirun run as root and oversubscribe.
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
bin=$(realpath "${CLOCKLAB_BINARY:-$repo/build/clocklab}")
if [ "$(id -u)" -eq 0 ]; then
    export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
fi
export OMPI_MCA_rmaps_base_oversubscribe=1

# bench_start [OUTDIR]: out = OUTDIR (default: a new temporary directory),
# created, as an absolute path; then into the repository.
bench_start() {
    out=${1:-$(mktemp -d)}
    mkdir -p "$out"
    out=$(cd "$out" && pwd)
    cd "$repo"
}

# measured NAME RANKS PROGRAM [ARGS...]: mpirun -n RANKS PROGRAM ARGS with
# every rank under GNU time; sets kib, the sum of the ranks' peak resident
# memory (KiB), kept in $out/mem.NAME.<rank>.
measured() {
    local name=$1 ranks=$2
    shift 2
    rm -f "$out/mem.$name".*
    mpirun -n "$ranks" sh -c 'exec /usr/bin/time -f %M -o "$0.$OMPI_COMM_WORLD_RANK" "$@"' \
        "$out/mem.$name" "$@"
    kib=$(cat "$out/mem.$name".* | awk '{s += $1} END {print s}')
}

# median: the median of the numbers on standard input, one a line.
median() {
    sort -g | awk '{v[NR] = $1} END {
        if (NR) print (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2) }'
}
