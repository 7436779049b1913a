/* The real-time engine: the event core (event_core.h) paced by the wall
 * clock. A rank hosts a block of nodes ([experiment] nodes, or one per
 * rank); an event (a delivery, a timer, a crash or recovery) happens when
 * the reference time reaches its time, never before. A message between two
 * nodes of the rank stays in the queue; one to another rank goes to MPI at
 * once with its due time (transport.c) and joins the receiver's queue when
 * it arrives. Every pass handles a bounded batch of arrivals and events, so
 * the run's end and the stop request are looked at at least once per batch.
 * Runs without a duration end by termination detection (waves of
 * MPI_Iallreduce over the message counts, below).
 *
 * Pacing. A timed sleep ends 37-64 us late at the median on the machine
 * measured, and 80-750 us at the 99th percentile (docs/running.md, "How the runtime
 * keeps time"); so a rank sleeps only until POLL_AHEAD before its
 * next event and polls the rest of the way. Where the host's ranks do not
 * outnumber its CPUs, polling costs no other rank anything: a rank also
 * polls for AWAKE s after its last activity (a reply may come), and a rank
 * that starts polling toward an event rings the doorbell of the host's
 * sleeping ranks (wake.h), which then poll for AWAKE s, so that a message it
 * sends finds its receiver awake. Where ranks outnumber CPUs, polling yields
 * the CPU and the polling windows are short. */
#include "engine/real/transport.h"
#include "runtime/checkpoint.h"
#include "runtime/node_events.h"
#include "runtime/node_state.h"
#include "runtime/run_control.h"

#include "runtime/event_core.h"
#include "runtime/reftime.h"

#include <math.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>

#define BATCH 64 /* arrivals and events per pass */
/* Poll, rather than sleep, when the next event is this close (s). */
#define POLL_AHEAD 1e-3
#define POLL_AHEAD_SHARED 60e-6 /* ... when ranks outnumber CPUs */
/* Poll this long after the last activity (s). */
#define AWAKE 2e-3
#define AWAKE_SHARED 20e-6 /* ... when ranks outnumber CPUs */
#define WAVE_NAP 200e-6    /* longest sleep while a termination wave is under way */
#define PENDING_NAP 20e-6  /* ... while a send is not yet handed over */
#define SAFETY_SLEEP 0.1   /* longest sleep at all (a lost wake-up costs at most this) */
#define START_LEAD 20e-3   /* s between rank 0's reading of t0 and the common start */

static double real_now(struct runtime *rt) {
    rt->now = reftime_monotonic() - rt->t0;
    return rt->now;
}

/* A message from a node of this rank: into the queue if its destination is
 * here, else to MPI (transport.c). */
static void real_send(struct runtime *rt, struct node_state *src, const struct wire_header *h,
                      const void *payload, size_t len) {
    (void)src;
    rt->last_activity = rt->now;
    if (rt_local(rt, h->dst))
        core_push_message(rt, h, payload, len);
    else
        transport_send(rt, h, payload, len);
}

/* Take up to max due events; each happens at the wall clock's time. */
static int run_due(struct runtime *rt, int max) {
    int n = 0;
    struct vevent e;
    while (n < max && !rt->interrupted && core_next_time(rt) <= rt->now) {
        core_pop(rt, &e);
        real_now(rt);
        core_dispatch(rt, &e);
        rt->last_activity = rt->now;
        n++;
    }
    return n;
}

/* Termination without a duration: the four-counter method (F. Mattern,
 * "Algorithms for distributed termination detection", Distributed
 * Computing 2(3), 1987). A rank joins a wave, an MPI_Iallreduce of its
 * (messages sent, messages received) totals over MPI, once its nodes are
 * done with no message queued; it keeps serving messages meanwhile. When two
 * consecutive waves give the same totals and sent = received, no rank sent
 * or received anything between its two samples and nothing was in flight:
 * every node was done at once, and the run ends. A stop request or the
 * timeout joins a wave at once and ends the run at that wave on every rank.
 * Returns 1 when the run ends. */
static int wave_eligible(const struct runtime *rt) {
    return (rt->not_done == 0 && core_messages(rt) == 0) || rt->interrupted || rt->timed_out;
}

static void start_wave(struct runtime *rt) {
    struct waves *w = &rt->waves;
    w->mine[0] = (long long)rt->mpi_sent;
    w->mine[1] = (long long)rt->mpi_received;
    w->mine[2] = rt->interrupted;
    w->mine[3] = rt->timed_out;
    MPI_Iallreduce(w->mine, w->result, 4, MPI_LONG_LONG, MPI_SUM, rt->comm, &w->req);
    w->active = 1;
}

static int termination(struct runtime *rt) {
    struct waves *w = &rt->waves;
    if (!w->active) {
        if (!wave_eligible(rt)) return 0;
        start_wave(rt);
    }
    int complete = 0;
    MPI_Test(&w->req, &complete, MPI_STATUS_IGNORE);
    if (!complete) return 0;
    w->active = 0;
    if (w->result[2] > 0) rt->interrupted = 1;
    if (w->result[3] > 0) rt->timed_out = 1;
    if (w->result[2] > 0 || w->result[3] > 0) return 1;
    int same = w->have_prev && w->result[0] == w->prev[0] && w->result[1] == w->prev[1];
    if (same && w->result[0] == w->result[1]) return 1;
    w->prev[0] = w->result[0];
    w->prev[1] = w->result[1];
    w->have_prev = 1;
    if (wave_eligible(rt)) start_wave(rt); /* the next wave at once: the others are in it */
    return 0;
}

/* Taking a checkpoint's increment costs a rank some hundreds of us here
 * (copies into fresh memory, and the stalls of this kind of machine), and
 * an increment may be taken any time after its checkpoint time (it holds
 * the rows before that time). So a rank takes it in a quiet moment: nothing
 * of its own due within QUIET s and no activity for QUIET s; and at the
 * latest half an interval after the checkpoint time. */
#define QUIET 2e-3
static int checkpoint_now(const struct runtime *rt) {
    double due = rt->ck.next; /* the checkpoint time the increment is for */
    if (rt->now >= due + 0.5 * rt->ck.interval) return 1;
    return core_next_time(rt) > rt->now + QUIET && rt->now - rt->last_activity > QUIET;
}

/* Nothing to do now: poll, or sleep until shortly before the next event. */
static void idle(struct runtime *rt) {
    int shared = rt->wake.oversubscribed;
    double ahead = shared ? POLL_AHEAD_SHARED : POLL_AHEAD;
    double awake = shared ? AWAKE_SHARED : AWAKE;
    double next = fmin(core_next_time(rt), rt->duration > 0 ? rt->duration : rt->timeout);
    /* a checkpoint due: when the rank is quiet (checkpoint_now), or at the latest */
    if (rt->now >= rt->ck.next)
        next = fmin(next, fmax(rt->last_activity + QUIET, rt->now + 1e-4) + ahead);
    else
        next = fmin(next, rt->ck.next);
    if (rt->waves.active || rt->ck.send_buf || rt->ck.nrx)
        next = fmin(next, rt->now + WAVE_NAP + ahead);
    if (rt->npending) next = fmin(next, rt->now + PENDING_NAP + ahead);
    if (rt->now - rt->last_activity < awake || next - rt->now <= ahead) {
        if (!rt->polling) {
            rt->polling = 1;
            /* Something happens soon here: the host's other ranks poll too,
             * so that what it sends them is taken at once. */
            if (!shared) wake_ring_sleepers(&rt->wake);
        }
        if (shared) sched_yield(); /* let the ranks sharing our CPU run */
        return;
    }
    rt->polling = 0;
    double sleep = fmin(next - ahead - rt->now, fmin(wake_max_sleep(&rt->wake), SAFETY_SLEEP));
    uint32_t seen = wake_prepare(&rt->wake);
    int arrived = transport_arrived(rt);
    if (arrived || runtime_stop_signal() || ckpt_arrived(rt)) {
        wake_cancel(&rt->wake); /* handled in the next pass */
        return;
    }
    if (wake_wait(&rt->wake, seen, sleep)) {
        /* woken by a message or a doorbell, not by the deadline: poll for a while */
        real_now(rt);
        rt->last_activity = rt->now;
    }
}

/* Every rank starts its nodes at reference time 0, START_LEAD after rank 0
 * read t0, so that no node's first events are late because its rank was
 * slow to get there. */
static void wait_for_start(struct runtime *rt) {
    for (;;) {
        double left = -real_now(rt);
        if (left <= 0) return;
        if (left > POLL_AHEAD) {
            double s = left - POLL_AHEAD;
            struct timespec ts = {(time_t)s, (long)((s - (double)(time_t)s) * 1e9)};
            nanosleep(&ts, NULL);
        }
    }
}

static void real_run(struct runtime *rt) {
    wait_for_start(rt);
    for (int k = 0; k < rt->count; k++)
        core_apply_faults(rt, &rt->local[k]);
    for (int k = 0; k < rt->count; k++) {
        real_now(rt);
        rt_start_node(&rt->local[k]);
    }
    transport_flush(rt);
    rt->last_activity = real_now(rt);
    for (;;) {
        real_now(rt);
        if (runtime_stop_signal() && !rt->interrupted) {
            rt->interrupted = 1;
            for (int i = 0; i < rt->size; i++)
                if (i != rt->rank) transport_send_control(rt, i, CONTROL_STOP);
            transport_flush(rt);
        }
        if (rt->duration > 0 && (rt->interrupted || rt->now >= rt->duration)) break;
        if (rt->now >= rt->progress_next) rt_progress(rt, rt->now, rt->now);
        if (rt->now >= rt->ck.next && checkpoint_now(rt)) ckpt_take(rt);
        if (rt->ck.busy) ckpt_poll(rt);
        int busy = transport_receive(rt, BATCH);
        real_now(rt);
        busy += run_due(rt, BATCH);
        transport_progress(rt);
        transport_flush(rt);
        if (rt->duration <= 0) {
            if (rt->now >= rt->timeout) rt->timed_out = 1;
            if (termination(rt)) break;
        }
        if (busy) continue;
        real_now(rt);
        idle(rt);
    }
    rt->stopped = 1;
}

static double cpu_seconds(void) {
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* A timed sleep may end up to the timer slack late (50 us by default): ask
 * for 1 ns (prctl(2) PR_SET_TIMERSLACK) unless CLOCKLAB_TIMER_SLACK=default
 * (to measure what it changes). */
static void set_timer_slack(void) {
    const char *e = getenv("CLOCKLAB_TIMER_SLACK");
    if (!e || strcmp(e, "default") != 0) prctl(PR_SET_TIMERSLACK, 1UL, 0UL, 0UL, 0UL);
}

static int real_engine_init(struct runtime *rt) {
    rt->core.lateness = calloc((size_t)rt->count + 1, sizeof *rt->core.lateness);
    if (!rt->core.lateness) return -1;
    for (int k = 0; k < rt->count; k++)
        fidelity_init(&rt->core.lateness[k]);
    return core_init(rt);
}

static void real_engine_free(struct runtime *rt) {
    core_free(rt);
    transport_free(rt);
    if (rt->wake.slot_of) wake_free(&rt->wake);
    for (int k = 0; rt->core.lateness && k < rt->count; k++)
        fidelity_free(&rt->core.lateness[k]);
    free(rt->core.lateness);
    rt->core.lateness = NULL;
}

static void real_engine_run(struct runtime *rt, double *cpu) {
    MPI_Comm comm = rt->comm;
    double host_offset = reftime_host_offset(comm);
    if (wake_init(&rt->wake, comm)) rt_out_of_memory();
    static int warned = 0;
    if (rt->wake.any_oversubscribed && !warned) {
        warned = 1;
        /* one line, from the first rank of an oversubscribed host */
        int who = rt->wake.oversubscribed ? rt->rank : rt->size, first = rt->size;
        MPI_Allreduce(&who, &first, 1, MPI_INT, MPI_MIN, comm);
        if (rt->rank == first)
            fprintf(stderr,
                    "clocklab: warning: %d ranks share this host's %ld CPUs: real-time timing "
                    "will be late, because the OS, not clocklab, decides when each rank runs. "
                    "Run the nodes on at most %ld ranks (mpirun -n %ld ... --set "
                    "experiment.nodes=%d) or in virtual time (--set experiment.time=virtual)\n",
                    rt->wake.host_ranks, sysconf(_SC_NPROCESSORS_ONLN),
                    sysconf(_SC_NPROCESSORS_ONLN), sysconf(_SC_NPROCESSORS_ONLN), rt->nodes);
    }
    transport_start(rt);
    set_timer_slack();
    double cpu0 = cpu_seconds();
    ckpt_warm_up(rt);
    MPI_Barrier(comm);
    double t0 = reftime_monotonic() + START_LEAD;
    MPI_Bcast(&t0, 1, MPI_DOUBLE, 0, comm);
    rt->t0 = t0 - host_offset;
    hwclock_start(rt);
    real_run(rt);
    double stop_time = rt->now;
    core_free(rt); /* messages not yet due when the run ended are not delivered */
    transport_drain(rt);
    rt->now = stop_time;
    *cpu = cpu_seconds() - cpu0;
}

/* Several nodes on a rank share its process: its hardware clock and the
 * evaluator's ping-pong (which measures a rank's clock) cannot tell them
 * apart. */
static int real_engine_check(const struct run_plan *plan, int ranks, char *err, size_t n) {
    const struct config *cfg = plan->cfg;
    int nodes = plan->nodes;
    if (nodes > ranks && strcmp(config_get(cfg, "clock", "source"), "hardware") == 0)
        return config_fail(cfg, "experiment", "nodes", err, n,
                           "%d nodes on %d ranks: hardware clocks ([clock] source = hardware) "
                           "are the ranks' own, so they need one node per rank (mpirun -n %d)",
                           nodes, ranks, nodes);
    if (nodes > ranks && strcmp(config_get(cfg, "evaluation", "at"), "none") != 0)
        return config_fail(cfg, "experiment", "nodes", err, n,
                           "%d nodes on %d ranks: the evaluator ([evaluation] at) measures the "
                           "ranks' clocks, so it needs one node per rank (mpirun -n %d)",
                           nodes, ranks, nodes);
    return 0;
}

const struct engine engine_real = {
    .name = "real",
    .paced = 1,
    .check = real_engine_check,
    .init = real_engine_init,
    .run = real_engine_run,
    .free = real_engine_free,
    .now = real_now,
    .send = real_send,
    .set_timer = core_set_timer,
    .cancel_timer = core_cancel_timer,
};
