/* The virtual-time engine. Reference time is simulated: a discrete-event
 * loop delivers every message exactly at its due time and fires every timer
 * exactly at its time, in the total order of vqueue.h, whatever the load and
 * the placement of nodes on ranks.
 *
 * Across ranks it is conservative and synchronous (YAWNS: D. Nicol, "The
 * cost of conservative synchronization in parallel discrete event
 * simulations", JACM 40(2), 1993; R. Fujimoto, Parallel and Distributed
 * Simulation Systems, 2000, ch. 3): with L the smallest possible delay
 * ([network] min_delay plus the delay model's minimum), every message sent
 * at time t is due at t + L or later. Ranks agree on the earliest pending
 * event T, then each processes its events earlier than T + L: no message
 * sent in that window can be due inside it, so no rank can receive anything
 * that belongs in a window it has processed. Messages to nodes of other
 * ranks are exchanged between windows. One MPI_Allgather per window carries
 * each rank's earliest event, whether it still has work, a stop request, and
 * how many bytes it sends to every other rank; the bytes follow point to
 * point. A message between two nodes of one rank never touches MPI. */
#include "runtime/checkpoint.h"
#include "runtime/event_core.h"
#include "runtime/node_events.h"
#include "runtime/node_state.h"
#include "runtime/run_control.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define STOP_CHECK 4096 /* events between looks at the stop request */

struct outbox {
    char *data;
    size_t len, cap;
};

struct vstate {
    struct outbox *out;   /* [size]: messages for each rank, this window */
    double out_min;       /* earliest due time in the outboxes */
    size_t out_count;     /* messages in the outboxes */
    double lookahead;     /* L (s) */
    double last_event;    /* time of the last event processed */
    double *gathered;     /* [size * (4 + size)] */
    double *mine;         /* [4 + size]: this rank's part of it */
    MPI_Request *reqs;    /* [2 * size] */
    char **inbox;         /* [size] */
    uint64_t events;      /* processed */
    uint64_t node_events; /* processed events of nodes (host-level ones not counted) */
    uint64_t windows;     /* exchanges between windows */
    double window_time;   /* wall seconds spent in them */
    /* A cycle of events that takes no time (a period, delay, hold, idle,
     * think or service time of 0) would run forever at one instant: the
     * events processed at the current instant, and the most a run may have
     * there before it ends as failed (stall_limit; see vengine_init). */
    double instant;
    double at_instant, stall_limit;
    int stalled;
};

static double v_now(struct runtime *rt) {
    return rt->now;
}

static void v_send(struct runtime *rt, struct node_state *src, const struct wire_header *h,
                   const void *payload, size_t len) {
    (void)src;
    struct vstate *vs = rt->vs;
    size_t bytes = sizeof *h + len;
    if (rt_local(rt, h->dst)) {
        core_push_message(rt, h, payload, len);
        return;
    }
    if (h->due < rt->now + vs->lookahead * (1 - 1e-12)) {
        rt_fatal("internal error: a message from node %d is due at %.9g s, within the "
                 "lookahead of %.9g s",
                 h->src, h->due, vs->lookahead);
    }
    struct outbox *o = &vs->out[rt_rank_of(rt, h->dst)];
    if (o->len + bytes > o->cap) {
        size_t cap = o->cap ? 2 * o->cap : 4096;
        while (cap < o->len + bytes)
            cap *= 2;
        char *p = realloc(o->data, cap);
        if (!p) rt_out_of_memory();
        o->data = p;
        o->cap = cap;
    }
    memcpy(o->data + o->len, h, sizeof *h);
    if (len) memcpy(o->data + o->len + sizeof *h, payload, len);
    o->len += bytes;
    vs->out_count++;
    if (h->due < vs->out_min) vs->out_min = h->due;
}

static int vengine_init(struct runtime *rt) {
    struct vstate *vs = calloc(1, sizeof *vs);
    if (!vs) return -1;
    rt->vs = vs;
    size_t p = (size_t)rt->size;
    vs->out = calloc(p, sizeof *vs->out);
    vs->gathered = calloc(p * (4 + p), sizeof(double));
    vs->mine = calloc(4 + p, sizeof(double));
    vs->reqs = calloc(2 * p, sizeof *vs->reqs);
    vs->inbox = calloc(p, sizeof *vs->inbox);
    if (!vs->out || !vs->gathered || !vs->mine || !vs->reqs || !vs->inbox) return -1;
    vs->out_min = INFINITY;
    vs->lookahead = rt->min_delay + dist_min(&rt->delay);
    /* More events at one instant than any run of finite work has there: 10^6,
     * or 16 N^2 (every node messaging every other one at once, as Bully's
     * ELECTION rounds do with constant delays, 16 times over) */
    vs->instant = -INFINITY;
    vs->stall_limit = fmax(1e6, 16.0 * (double)rt->nodes * (double)rt->nodes);
    return core_init(rt);
}

static void vengine_free(struct runtime *rt) {
    struct vstate *vs = rt->vs;
    if (!vs) return;
    core_free(rt);
    for (int i = 0; vs->out && i < rt->size; i++)
        free(vs->out[i].data);
    for (int i = 0; vs->inbox && i < rt->size; i++)
        free(vs->inbox[i]);
    free(vs->out);
    free(vs->gathered);
    free(vs->mine);
    free(vs->reqs);
    free(vs->inbox);
    free(vs);
    rt->vs = NULL;
}

/* Nodes with work left, or messages on their way: the run goes on. */
static int active(const struct runtime *rt) {
    return rt->not_done > 0 || core_messages(rt) > 0 || rt->vs->out_count > 0;
}

/* Process the local events earlier than end (duration-0 runs without a
 * lookahead, on one rank, also stop as soon as nothing is left to do). */
static void process_window(struct runtime *rt, double end) {
    struct vstate *vs = rt->vs;
    struct vevent e;
    double t;
    while ((t = core_next_time(rt)) < end) {
        if (rt->duration <= 0 && !(vs->lookahead > 0) && !active(rt)) return;
        if (++vs->events % STOP_CHECK == 0) {
            if (runtime_stop_signal()) {
                rt->interrupted = 1;
                return;
            }
            ckpt_within(rt, vs->last_event);
        }
        if (t >= rt->ck.next) ckpt_window(rt, t); /* one rank: everything before t is done */
        core_pop(rt, &e);
        rt->now = e.time;
        core_dispatch(rt, &e);
        vs->last_event = e.time;
        if (e.kind != VEV_FAULTS) vs->node_events++;
        if (e.time > vs->instant) {
            vs->instant = e.time;
            vs->at_instant = 0;
        } else if (++vs->at_instant > vs->stall_limit) {
            fprintf(stderr,
                    "clocklab: %s: virtual time stood still at %.9g s for %.0f events on rank %d: "
                    "a cycle of events that takes no time (a period, delay, interval, hold, idle, "
                    "think or service time of 0?); the run ends here as failed\n",
                    rt->progress_label, e.time, vs->at_instant, rt->rank);
            vs->stalled = 1;
            return;
        }
    }
    if (end >= rt->ck.next) ckpt_window(rt, end);
}

/* Between windows: every rank learns every rank's earliest event, activity,
 * stop request and the bytes it sends to each rank, and rank 0's vote on a
 * checkpoint at this boundary; then the bytes move. Fills the global
 * earliest event time, activity and stop (0: none, 1: a stop request, 2:
 * virtual time stood still on some rank), and rt->ck.allowed. */
static void exchange(struct runtime *rt, double *earliest, int *any_active, int *stop) {
    struct vstate *vs = rt->vs;
    if (rt->size == 1) { /* the same answers without MPI: nothing goes out */
        *earliest = core_next_time(rt);
        *any_active = active(rt);
        *stop = vs->stalled ? 2 : rt->interrupted || runtime_stop_signal();
        rt->ck.allowed = ckpt_vote(rt);
        return;
    }
    size_t p = (size_t)rt->size, w = 4 + p;
    double *mine = vs->mine;
    mine[0] = fmin(core_next_time(rt), vs->out_min);
    mine[1] = active(rt);
    mine[2] = vs->stalled ? 2 : rt->interrupted || runtime_stop_signal();
    mine[3] = ckpt_vote(rt);
    for (size_t r = 0; r < p; r++)
        mine[4 + r] = (double)vs->out[r].len;
    MPI_Allgather(mine, (int)w, MPI_DOUBLE, vs->gathered, (int)w, MPI_DOUBLE, rt->comm);
    rt->ck.allowed = vs->gathered[3] != 0;
    *earliest = INFINITY;
    *any_active = *stop = 0;
    int nreq = 0;
    for (size_t r = 0; r < p; r++) {
        const double *g = vs->gathered + r * w;
        *earliest = fmin(*earliest, g[0]);
        *any_active |= g[1] != 0;
        *stop = *stop > (int)g[2] ? *stop : (int)g[2];
        size_t from = (size_t)g[4 + (size_t)rt->rank];
        if (from && (int)r != rt->rank) {
            vs->inbox[r] = malloc(from);
            if (!vs->inbox[r]) rt_out_of_memory();
            MPI_Irecv(vs->inbox[r], (int)from, MPI_BYTE, (int)r, TAG_WINDOW, rt->comm,
                      &vs->reqs[nreq++]);
        }
    }
    for (size_t r = 0; r < p; r++)
        if (vs->out[r].len)
            MPI_Isend(vs->out[r].data, (int)vs->out[r].len, MPI_BYTE, (int)r, TAG_WINDOW, rt->comm,
                      &vs->reqs[nreq++]);
    MPI_Waitall(nreq, vs->reqs, MPI_STATUSES_IGNORE);
    for (size_t r = 0; r < p; r++) {
        size_t from = (size_t)vs->gathered[r * w + 4 + (size_t)rt->rank];
        for (size_t at = 0; vs->inbox[r] && at < from;) {
            struct wire_header h;
            memcpy(&h, vs->inbox[r] + at, sizeof h);
            core_push_message(rt, &h, vs->inbox[r] + at + sizeof h, h.len);
            at += sizeof h + h.len;
        }
        free(vs->inbox[r]);
        vs->inbox[r] = NULL;
        vs->out[r].len = 0;
    }
    vs->out_min = INFINITY;
    vs->out_count = 0;
}

static void vengine_run(struct runtime *rt, double *cpu) {
    *cpu = 0;
    struct vstate *vs = rt->vs;
    double wall0 = MPI_Wtime();
    double end = rt->duration > 0 ? rt->duration : rt->timeout;
    rt->now = 0;
    for (int k = 0; k < rt->count; k++)
        core_apply_faults(rt, &rt->local[k]);
    for (int k = 0; k < rt->count; k++)
        rt_start_node(&rt->local[k]);
    for (;;) {
        double earliest;
        int any_active, stop;
        double w0 = MPI_Wtime();
        exchange(rt, &earliest, &any_active, &stop);
        vs->window_time += MPI_Wtime() - w0;
        vs->windows++;
        if (stop == 2) { /* virtual time stood still on some rank: failed */
            rt->timed_out = 1;
            vs->stalled = 1;
            break;
        }
        if (stop) {
            rt->interrupted = 1;
            break;
        }
        if (rt->duration <= 0 && !any_active) break;
        if (earliest >= end) {
            if (rt->duration <= 0) rt->timed_out = 1;
            vs->last_event = end;
            break;
        }
        /* a checkpoint every [experiment] checkpoint of wall time, at the
         * first window boundary after it: the run up to earliest */
        if (rt->ck.allowed) ckpt_window(rt, earliest);
        /* Windows also on one rank when there is a lookahead, so that the
         * same events are processed whatever the rank count (the run's end
         * is found at the same window boundary). */
        double window = vs->lookahead > 0 ? fmin(earliest + vs->lookahead, end) : end;
        process_window(rt, window);
        if (rt->progress_next < INFINITY && MPI_Wtime() - wall0 >= rt->progress_next)
            rt_progress(rt, MPI_Wtime() - wall0, window);
    }
    rt->now = rt->duration > 0 && !rt->interrupted && !vs->stalled ? rt->duration : vs->last_event;
    rt->stopped = 1;
    rt->events_processed = vs->node_events;
    rt->windows = vs->windows;
    rt->window_time = vs->window_time;
    rt->event_time = MPI_Wtime() - wall0;
}

/* A run on several ranks needs a lookahead: the smallest one-way delay > 0. */
static int vengine_check(const struct run_plan *plan, int ranks, char *err, size_t n) {
    const struct config *cfg = plan->cfg;
    struct dist delay;
    config_dist(cfg, "network", "delay", &delay);
    if (ranks > 1 && !(config_time(cfg, "network", "min_delay") + dist_min(&delay) > 0))
        return config_fail(cfg, "network", "min_delay", err, n,
                           "a virtual-time run on %d ranks needs the smallest one-way delay to "
                           "be > 0 (it is the ranks' lookahead), and [network] delay can be 0: "
                           "set min_delay, e.g. 10us, or run on one rank",
                           ranks);
    return 0;
}

const struct engine engine_virtual = {
    .name = "virtual",
    .paced = 0,
    .check = vengine_check,
    .init = vengine_init,
    .run = vengine_run,
    .free = vengine_free,
    .now = v_now,
    .send = v_send,
    .set_timer = core_set_timer,
    .cancel_timer = core_cancel_timer,
};
