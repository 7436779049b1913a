# What slurm/run.sbatch and slurm/sweep.sbatch share: choosing the launcher
# and running clocklab so that a SIGTERM to the batch script (time limit,
# scancel) does not end the step while the ranks write the interrupted run.
# Sourced, not run: the scripts find it as $SLURM_SUBMIT_DIR/slurm/launch.sh,
# or CLOCKLAB_SLURM_LIB.

# clocklab_launcher NAME NTASKS: set the array `launch` to the command that
# starts NTASKS ranks: srun with PMIx wire-up when this Slurm has it, else
# mpirun (which reads the allocation from Slurm); CLOCKLAB_LAUNCHER = srun |
# mpirun chooses. Returns 2 with a message on a wrong CLOCKLAB_LAUNCHER.
clocklab_launcher() {
    local name=$1 ntasks=$2 launcher=${CLOCKLAB_LAUNCHER:-}
    if [ -z "$launcher" ]; then
        if srun --mpi=list 2>&1 | grep -qw pmix; then launcher=srun; else launcher=mpirun; fi
    fi
    case "$launcher" in
    srun) launch=(srun --mpi=pmix -n "$ntasks") ;;
    mpirun)
        launch=(mpirun -n "$ntasks")
        if [ "$(id -u)" = 0 ]; then
            export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
        fi
        ;;
    *)
        echo "$name: CLOCKLAB_LAUNCHER must be srun or mpirun, not '$launcher'" >&2
        return 2
        ;;
    esac
}

# clocklab_run NAME OUTPUT COMMAND...: run COMMAND in the background and wait
# for it through any SIGTERM (the tasks get the signal from Slurm
# themselves); returns its exit status.
clocklab_run() {
    local name=$1 output=$2
    shift 2
    echo "$name: $*"
    trap 'echo "'"$name"': SIGTERM received, waiting for clocklab to write '"$output"'" >&2' TERM
    "$@" &
    local pid=$! rc
    while kill -0 "$pid" 2>/dev/null; do wait "$pid"; done
    wait "$pid"
    rc=$?
    echo "$name: clocklab exited with status $rc; result: $output"
    return "$rc"
}

# Sweep files (slurm/sweep.sbatch, scripts/sweep.sh): one run per line,
#     nodes  algorithm  seed  [extra clocklab arguments ...]
# blank lines and lines starting with # skipped; the extra arguments are
# split like a shell would split them (quotes group words, no variables or
# globbing).

# sweep_lines FILE: the lines that are runs, each as "LINENO:line" (LINENO
# counts every line of the file from 1).
sweep_lines() { grep -nEv '^[[:space:]]*(#|$)' "$1"; }

# sweep_parse LINE: set sweep_nodes, sweep_algorithm, sweep_seed and the
# array sweep_args, the clocklab arguments the line stands for:
#     --set experiment.algorithm=A --set experiment.seed=S
#     --set experiment.nodes=N [the line's extra arguments]
# Returns 1 on a bad line (with sweep_error saying why).
sweep_parse() {
    local rest extra=()
    sweep_error="" sweep_args=()
    read -r sweep_nodes sweep_algorithm sweep_seed rest <<<"$1"
    if ! [[ "$sweep_nodes" =~ ^[1-9][0-9]*$ ]]; then
        sweep_error="nodes '$sweep_nodes' is not a positive whole number"
    elif [ -z "$sweep_algorithm" ]; then
        sweep_error="no algorithm"
    elif ! [[ "$sweep_seed" =~ ^[0-9]+$ ]]; then
        sweep_error="seed '$sweep_seed' is not a whole number"
    elif [ -n "$rest" ] && ! printf '%s' "$rest" | xargs -r printf '%s\0' >/dev/null 2>&1; then
        sweep_error="cannot split the extra arguments (an unmatched quote?)"
    fi
    if [ -n "$sweep_error" ]; then
        sweep_error="$sweep_error (want: nodes algorithm seed [clocklab arguments])"
        return 1
    fi
    if [ -n "$rest" ]; then
        mapfile -d '' -t extra < <(printf '%s' "$rest" | xargs -r printf '%s\0')
    fi
    sweep_args=(--set "experiment.algorithm=$sweep_algorithm" --set "experiment.seed=$sweep_seed"
        --set "experiment.nodes=$sweep_nodes" "${extra[@]}")
}

# sweep_virtual ARGS...: whether clocklab ARGS runs in virtual time, read
# from --set experiment.time=... (which wins) or a configuration file's
# [experiment] time. Such a run needs one rank whatever its node count.
sweep_virtual() {
    local a prev="" set_time="" file_time=""
    for a in "$@"; do
        case "$prev" in
        --set) [[ "$a" == experiment.time=* ]] && set_time=${a#experiment.time=} ;;
        -o | --output | --nodes) ;;
        *)
            case "$a" in
            --set=experiment.time=*) set_time=${a#--set=experiment.time=} ;;
            -*) ;;
            *)
                if [ -f "$a" ]; then
                    file_time=$(awk '
                        /^[[:space:]]*\[/ { s = $0; gsub(/[][[:space:]]/, "", s); next }
                        s == "experiment" && /^[[:space:]]*time[[:space:]]*=/ {
                            v = $0; sub(/^[^=]*=/, "", v); sub(/[;#].*/, "", v)
                            gsub(/[[:space:]]/, "", v); t = v
                        }
                        END { print t }' "$a")
                fi
                ;;
            esac
            ;;
        esac
        prev=$a
    done
    a=${set_time:-$file_time}
    [ "${a//[[:space:]]/}" = virtual ]
}
