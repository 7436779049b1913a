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
