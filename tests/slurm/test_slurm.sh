#!/bin/bash
# On-demand test of slurm/run.sbatch and slurm/sweep.sbatch against a real
# single-node Slurm (not part of ctest: it needs root and starts daemons).
#
#   bash tests/slurm/test_slurm.sh            # about 3-4 minutes
#   KEEP_SLURM=1 bash tests/slurm/test_slurm.sh   # leave the daemons running
#
# It starts a local Slurm with tests/slurm/local_slurm.sh unless one is
# running (and stops it at the end only if it started it), then checks:
#   1. run.sbatch: a 4-task job writes clocklab-<jobid>.h5, status complete,
#      with slurm_job_id;
#   2. sweep.sbatch: a 4-task array over a 2-4 node sweep writes one
#      sweep-<arrayjobid>_<i>.h5 per task with the line's algorithm, seed and
#      node count, slurm_job_id and slurm_array_task_id = i; the analysis reads
#      them together;
#   3. scancel --signal=TERM on a long run leaves its run as "interrupted";
#   4. a time-limit kill (--time=00:01:00, 5 min duration) does the same;
#   5. srun without MPI wire-up (--mpi=none) stops with an error and writes
#      nothing, instead of running N copies as rank 0 of 1; and clocklab's own
#      guard (1 rank in an N-task step) gives its message and exit status 2.
# Uses CLOCKLAB_BINARY (default build/clocklab) and /usr/bin/python3 + h5py.

set -u
src=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
# shellcheck source=SCRIPTDIR/local_slurm.sh
source "$src/tests/slurm/local_slurm.sh"
export CLOCKLAB_BINARY=${CLOCKLAB_BINARY:-$src/build/clocklab}
PY=/usr/bin/python3
WAIT=600 # seconds any one job may take on a loaded 2-core machine
failures=0 checks=0

pass() { checks=$((checks + 1)); echo "PASS: $*"; }
fail() { checks=$((checks + 1)); failures=$((failures + 1)); echo "FAIL: $*"; }
show() { echo "---- $1"; sed 's/^/    /' "$1" 2>/dev/null; }

# h5check FILE STATUS [attr=value ...]: every run has STATUS, the root
# attributes (or run attributes, written run.attr=value) have the values.
h5check() {
    "$PY" - "$@" <<'EOF'
import sys
import h5py
path, status, wanted = sys.argv[1], sys.argv[2], sys.argv[3:]
with h5py.File(path, "r") as f:
    def val(v):
        return v.decode() if isinstance(v, bytes) else str(v)
    runs = sorted(f["runs"].keys())
    got = [val(f["runs"][r].attrs["status"]) for r in runs]
    print("    %s: %s runs=%s %s" % (path, {k: val(f.attrs[k]) for k in f.attrs
          if k.startswith("slurm") or k == "nranks"}, runs, got))
    bad = [] if runs and all(s == status for s in got) else ["status %s, want %s" % (got, status)]
    for w in wanted:
        key, want = w.split("=", 1)
        if key.startswith("run."):
            have = [val(f["runs"][r].attrs.get(key[4:], "<missing>")) for r in runs]
            if any(h != want for h in have):
                bad.append("%s = %s, want %s" % (key, have, want))
        elif val(f.attrs.get(key, "<missing>")) != want:
            bad.append("%s = %s, want %s" % (key, val(f.attrs.get(key, "<missing>")), want))
    for b in bad:
        print("    " + b)
    sys.exit(1 if bad else 0)
EOF
}

# job_field JOBID FIELD: a field of `scontrol show job` (kept MinJobAge=300 s).
job_field() { scontrol show job "$1" 2>/dev/null | tr ' ' '\n' | sed -n "s/^$2=//p" | head -1; }

if [ ! -x "$CLOCKLAB_BINARY" ]; then
    echo "FAIL: no clocklab binary at $CLOCKLAB_BINARY (build first)"
    exit 1
fi
local_slurm_env
if _ls_slurm_up; then started=0; else started=1; fi
local_slurm_start || { echo "FAIL: could not start a local Slurm"; exit 1; }
cleanup() {
    if [ "$started" = 1 ] && [ -z "${KEEP_SLURM:-}" ]; then local_slurm_stop; fi
}
trap cleanup EXIT

work=$(mktemp -d /tmp/clocklab-slurm-test.XXXXXX)
cd "$work" || exit 1
echo "test_slurm: submit directory $work, binary $CLOCKLAB_BINARY"

# 1. One job with run.sbatch.
echo "== 1. run.sbatch"
job=$(timeout $WAIT sbatch --parsable --wait -n 4 "$src/slurm/run.sbatch" \
    --set experiment.duration=0.5s)
rc=$?
echo "    job $job: sbatch --wait exit $rc, state $(job_field "$job" JobState)"
show "clocklab-$job.out"
if [ $rc = 0 ] && [ -f "clocklab-$job.h5" ] &&
    h5check "clocklab-$job.h5" complete "slurm_job_id=$job" nranks=4; then
    pass "run.sbatch wrote clocklab-$job.h5 (complete, slurm_job_id=$job, 4 ranks)"
else
    fail "run.sbatch job $job"
fi

# 2. A 4-task job array with sweep.sbatch.
echo "== 2. sweep.sbatch"
cat >sweep.txt <<'EOF'
# nodes algorithm seed [extra args]
2 berkeley 1 --set experiment.duration=0.5s
4 berkeley 2 --set experiment.duration=0.5s

3 cristian 3 --set experiment.duration=0.5s --set "clock.offset=uniform(-5ms, 5ms)"
4 bully+berkeley 4 --set experiment.duration=0.5s
EOF
bash "$src/slurm/sweep.sbatch" sweep.txt | sed 's/^/    /'
array=$(timeout $WAIT sbatch --parsable --wait --array=0-3 --ntasks=4 \
    "$src/slurm/sweep.sbatch" sweep.txt)
rc=$?
echo "    array job $array: sbatch --wait exit $rc"
i=0
for spec in "2 berkeley 1" "4 berkeley 2" "3 cristian 3" "4 bully+berkeley 4"; do
    read -r n alg seed <<<"$spec"
    f=sweep-${array}_$i.h5
    show "sweep-${array}_$i.out"
    taskjob=$(sed -n 's/^sweep.sbatch: job [0-9_]* (\([0-9]*\)).*/\1/p' "sweep-${array}_$i.out")
    if [ -f "$f" ] && h5check "$f" complete "slurm_array_task_id=$i" "slurm_job_id=$taskjob" \
        "nranks=$n" "run.algorithm=$alg" "run.seed=$seed"; then
        pass "sweep task $i wrote $f ($n nodes, $alg, seed $seed, job $taskjob)"
    else
        fail "sweep task $i ($f)"
    fi
    i=$((i + 1))
done
[ $rc = 0 ] || fail "sweep array $array: sbatch --wait exit $rc"
if "$PY" "$src/analysis/clocklab-analysis" plot sweep-"${array}"_*.h5 -o figures >analysis.txt 2>&1 &&
    [ "$(grep -c complete analysis.txt)" = 4 ]; then
    sed 's/^/    /' analysis.txt
    pass "analysis read the 4 sweep files together ($(find figures -type f | wc -l) figures)"
else
    show analysis.txt
    fail "analysis of sweep-${array}_*.h5"
fi

# 3. scancel --signal=TERM while the run is going.
echo "== 3. scancel --signal=TERM"
job=$(sbatch --parsable -n 2 "$src/slurm/run.sbatch" --set experiment.algorithm=berkeley \
    --set experiment.duration=300s)
for _ in $(seq 120); do # wait until clocklab has created its file
    [ "$(job_field "$job" JobState)" = RUNNING ] && [ -f "clocklab-$job.h5" ] && break
    sleep 1
done
sleep 3
echo "    job $job: $(job_field "$job" JobState), sending scancel --signal=TERM $job"
scancel --signal=TERM "$job"
for _ in $(seq $WAIT); do
    case "$(job_field "$job" JobState)" in PENDING | RUNNING | COMPLETING) sleep 1 ;; *) break ;; esac
done
echo "    job $job: state $(job_field "$job" JobState), exit code $(job_field "$job" ExitCode)"
show "clocklab-$job.out"
if [ -f "clocklab-$job.h5" ] && h5check "clocklab-$job.h5" interrupted "slurm_job_id=$job"; then
    pass "scancel --signal=TERM: clocklab-$job.h5 holds the run as interrupted"
else
    fail "scancel --signal=TERM job $job"
fi

# 4. Time limit: Slurm sends SIGTERM at --time, SIGKILL KillWait later.
echo "== 4. time limit (--time=00:01:00, duration 300 s; takes 1-2 minutes)"
t0=$(date +%s)
job=$(timeout $WAIT sbatch --parsable --wait -n 2 --time=00:01:00 "$src/slurm/run.sbatch" \
    --set experiment.algorithm=berkeley --set experiment.duration=300s)
rc=$?
echo "    job $job: sbatch --wait exit $rc after $(($(date +%s) - t0)) s," \
    "state $(job_field "$job" JobState), exit code $(job_field "$job" ExitCode)"
show "clocklab-$job.out"
# Each rank gets SIGTERM twice here; if the second one killed a rank, srun
# reports "tasks 0-1: Terminated" instead of "Exited with exit code 143".
if [ "$(job_field "$job" JobState)" = TIMEOUT ] && [ -f "clocklab-$job.h5" ] &&
    h5check "clocklab-$job.h5" interrupted "slurm_job_id=$job" &&
    grep -q 'Exited with exit code 143' "clocklab-$job.out" &&
    ! grep -Eq 'srun: error: .*(Terminated|Killed)' "clocklab-$job.out"; then
    pass "time limit: clocklab-$job.h5 holds the run as interrupted (job state TIMEOUT," \
        "ranks exited by themselves with 143)"
else
    fail "time limit job $job"
fi

# 5. No MPI wire-up: must not run as N singletons.
echo "== 5. srun --mpi=none -n 2"
timeout $WAIT srun --mpi=none -n 2 "$CLOCKLAB_BINARY" --set experiment.duration=0.5s \
    -o none.h5 >none.out 2>&1
rc=$?
grep -E 'clocklab: error|direct launched|run 1/1' none.out | sort | uniq -c | sed 's/^/    /'
if [ $rc != 0 ] && [ ! -e none.h5 ] && ! grep -q 'run 1/1' none.out &&
    grep -Eq 'clocklab: error: started as 1 rank|direct launched using "srun"' none.out; then
    pass "srun --mpi=none: exit $rc, no output, no singleton runs"
else
    show none.out
    fail "srun --mpi=none: exit $rc"
fi
# clocklab's own guard, for MPI libraries that do start singletons under srun
# (Open MPI aborts in MPI_Init itself when it sees a Slurm step without PMI).
env SLURM_NTASKS=2 SLURM_STEP_ID=0 "$CLOCKLAB_BINARY" -o guard.h5 >guard.out 2>&1
rc=$?
sed 's/^/    /' guard.out
if [ $rc = 2 ] && [ ! -e guard.h5 ] && grep -q 'started as 1 rank inside a 2-task' guard.out; then
    pass "guard: 1 rank in a 2-task step stops with exit 2 and its message"
else
    fail "guard: exit $rc"
fi

echo "test_slurm: $((checks - failures))/$checks checks passed; files in $work"
if [ $failures = 0 ]; then echo PASS; else echo FAIL; fi
[ $failures = 0 ]
