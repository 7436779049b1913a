/* The real-time event loop: take messages from MPI, deliver those that are
 * due, fire due timers, apply faults, and otherwise sleep until the next of
 * them is due or a sender wakes the rank (wake.h). Every pass handles a
 * bounded batch of each, so the run's end and the stop request are looked at
 * at least once per batch whatever the configuration. Runs without a
 * duration end by termination detection (waves of MPI_Iallreduce over the
 * message counts, below). */
#include "runtime_internal.h"

#include <math.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>

#include "reftime.h"

#define BATCH 64 /* messages, deliveries or timers per pass */
/* Idle policy. After activity a rank polls for SPIN s (a reply is likely to
 * come within a wake-up latency). A rank with something due sleeps until
 * MARGIN s before it and polls the rest of the way, because a timed sleep
 * ends tens of microseconds late (measured in the README). */
#define SPIN 20e-6
#define MARGIN 60e-6
#define WAVE_NAP 200e-6   /* longest sleep while a termination wave is under way */
#define PENDING_NAP 20e-6 /* ... while a send is not yet handed over */
#define SAFETY_SLEEP 0.1  /* longest sleep at all (a lost wake-up costs at most this) */

static double real_now(struct runtime *rt) {
    rt->now = reftime_monotonic() - rt->t0;
    return rt->now;
}

static void real_set_timer(struct runtime *rt, struct node_state *ns, int layer, int id,
                           double due) {
    (void)ns;
    timers_set(&rt->timers, layer, id, due);
}

static void real_cancel_timer(struct runtime *rt, struct node_state *ns, int layer, int id) {
    (void)ns;
    timers_cancel(&rt->timers, layer, id);
}

/* Fire up to max due timers, recording their lateness. Returns the number fired. */
static int fire_timers(struct runtime *rt, int max) {
    int fired = 0, layer, id;
    double due;
    while (fired < max && !rt->interrupted &&
           timers_pop_due(&rt->timers, rt->now, &layer, &id, &due)) {
        real_now(rt);
        if (fidelity_timer(&rt->fidelity, rt->now - due)) rt_out_of_memory();
        rt->last_activity = rt->now;
        rt_fire_timer(&rt->local[0], layer, id);
        fired++;
    }
    return fired;
}

/* Termination without a duration: the four-counter method (F. Mattern,
 * "Algorithms for distributed termination detection", Distributed
 * Computing 2(3), 1987). A rank joins a wave, an MPI_Iallreduce of its
 * (messages sent, messages received) totals, once it is locally done with
 * nothing held; it keeps serving messages meanwhile. When two consecutive
 * waves give the same totals and sent = received, no rank sent or received
 * anything between its two samples and nothing was in flight: every node
 * was done at once, and the run ends. A stop request or the timeout joins a
 * wave at once and ends the run at that wave on every rank. Returns 1 when
 * the run ends. */
static int wave_eligible(const struct runtime *rt) {
    return (rt->not_done == 0 && transport_next_due(rt) == INFINITY) || rt->interrupted ||
           rt->timed_out;
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

/* Nothing to do now: poll, or sleep until MARGIN before the next due time. */
static void idle(struct runtime *rt) {
    double next = fmin(timers_next(&rt->timers), transport_next_due(rt));
    next = fmin(next, rt_next_fault(&rt->local[0]));
    next = fmin(next, rt->duration > 0 ? rt->duration : rt->timeout);
    next = fmin(next, rt->ck.next);
    if (rt->waves.active || rt->ck.send_buf || rt->ck.nrx)
        next = fmin(next, rt->now + WAVE_NAP + MARGIN);
    if (rt->npending) next = fmin(next, rt->now + PENDING_NAP + MARGIN);
    if (rt->now - rt->last_activity < SPIN || next - rt->now <= MARGIN) {
        if (rt->wake.oversubscribed) sched_yield(); /* let the ranks sharing our core run */
        return;
    }
    double sleep = fmin(next - MARGIN - rt->now, fmin(wake_max_sleep(&rt->wake), SAFETY_SLEEP));
    uint32_t seen = wake_prepare(&rt->wake);
    int arrived = 0;
    MPI_Request_get_status(rt->recv_req[rt->recv_next], &arrived, MPI_STATUS_IGNORE);
    if (arrived) { /* handled in the next pass; get_status leaves the request alone */
        wake_cancel(&rt->wake);
        return;
    }
    if (runtime_stop_signal() || ckpt_arrived(rt)) {
        wake_cancel(&rt->wake);
        return;
    }
    wake_wait(&rt->wake, seen, sleep);
}

void rt_event_loop(struct runtime *rt) {
    struct node_state *ns = &rt->local[0];
    real_now(rt);
    rt_process_faults(ns);
    rt_start_node(ns);
    for (;;) {
        real_now(rt);
        if (runtime_stop_signal() && !rt->interrupted) {
            rt->interrupted = 1;
            for (int i = 0; i < rt->size; i++)
                if (i != rt->rank) transport_send_control(rt, i, CONTROL_STOP);
            wake_flush(&rt->wake);
        }
        if (rt->duration > 0 && (rt->interrupted || rt->now >= rt->duration)) break;
        if (rt->now >= rt->progress_next) rt_progress(rt, rt->now, rt->now);
        if (rt->now >= rt->ck.next) ckpt_take(rt);
        if (rt->ck.busy) ckpt_poll(rt);
        int busy = rt_process_faults(ns);
        busy += transport_receive(rt, BATCH);
        real_now(rt);
        busy += transport_deliver_due(rt, BATCH);
        real_now(rt);
        busy += fire_timers(rt, BATCH);
        transport_progress(rt);
        wake_flush(&rt->wake);
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

void real_send(struct runtime *rt, struct node_state *src, const struct wire_header *h,
               const void *payload, size_t len); /* transport.c */

const struct engine engine_real = {real_now, real_send, real_set_timer, real_cancel_timer};
