/* The runtime's side of runtime/node.h: what an algorithm may call. */
#include "runtime_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

int node_id(const struct node *n) {
    return n->rt->rank;
}
int node_count(const struct node *n) {
    return n->rt->size;
}
gsl_rng *node_rng(struct node *n) {
    return n->rt->alg_rng;
}
int node_election_id(const struct node *n, int i) {
    return n->rt->ids[i];
}
int node_is_initiator(const struct node *n, int i) {
    return n->rt->initiator[i];
}
int node_leader(const struct node *n) {
    return n->rt->leader;
}
int node_leader_elected(const struct node *n) {
    return n->rt->leader_elected;
}

double node_local_time(struct node *n) {
    struct runtime *rt = n->rt;
    double t = rt_clock_now(rt);
    double v = clock_read(&rt->clock, t);
    if (!rt->zero_jitter) v += dist_sample(&rt->jitter, rt->jitter_rng, rt->rank);
    return v;
}

static void record_round(struct runtime *rt, double t, double delta,
                         const struct round_info *info) {
    if (!info) return;
    struct round_row row = {rt->rank,
                            info->round,
                            t,
                            info->rtt,
                            info->estimated_offset,
                            clock_offset(&rt->clock, t),
                            delta,
                            (int8_t)(info->excluded ? 1 : 0)};
    if (vec_push(&rt->rec.rounds, &row)) rt_out_of_memory();
}

void node_clock_step(struct node *n, double delta, const struct round_info *info) {
    node_clock_slew(n, delta, 0.0, info);
}

void node_clock_slew(struct node *n, double delta, double span, const struct round_info *info) {
    struct runtime *rt = n->rt;
    double t = rt_clock_now(rt);
    record_round(rt, t, delta, info);
    if (clock_slew(&rt->clock, t, delta, span)) rt_out_of_memory();
}

uint64_t node_send(struct node *n, int dst, int type, const void *payload, size_t len) {
    struct runtime *rt = n->rt;
    const struct layer *l = &rt->layers[n->layer];
    if (dst < 0 || dst >= rt->size || dst == rt->rank || type < 0 || type >= l->ntypes) {
        fprintf(stderr, "clocklab: %s on node %d sent type %d to node %d: not allowed\n",
                l->alg->name, rt->rank, type, dst);
        MPI_Abort(MPI_COMM_WORLD, 1);
    }
    if (sizeof(struct wire_header) + len > WIRE_MAX) {
        fprintf(stderr, "clocklab: %s on node %d sent a %zu-byte message; at most %zu bytes\n",
                l->alg->name, rt->rank, len, WIRE_MAX - sizeof(struct wire_header));
        MPI_Abort(MPI_COMM_WORLD, 1);
    }
    if (rt->crashed || rt->stopped) return 0;
    uint64_t id = 0;
    transport_send(rt, n->layer, dst, type, payload, len, &id);
    return id;
}

void node_broadcast(struct node *n, int type, const void *payload, size_t len) {
    for (int i = 0; i < n->rt->size; i++)
        if (i != n->rt->rank) node_send(n, i, type, payload, len);
}

void node_set_timer(struct node *n, double after, int timer_id) {
    struct runtime *rt = n->rt;
    if (timer_id < 0 || timer_id >= NODE_MAX_TIMERS) {
        fprintf(stderr, "clocklab: timer id %d out of range\n", timer_id);
        MPI_Abort(MPI_COMM_WORLD, 1);
    }
    if (rt->crashed) return;
    timers_set(&rt->timers, n->layer, timer_id, rt_clock_now(rt) + (after > 0 ? after : 0));
}

void node_cancel_timer(struct node *n, int timer_id) {
    if (timer_id >= 0 && timer_id < NODE_MAX_TIMERS)
        timers_cancel(&n->rt->timers, n->layer, timer_id);
}

void node_done(struct node *n) {
    n->rt->layers[n->layer].done = 1;
}

void node_set_leader(struct node *n, int leader) {
    struct runtime *rt = n->rt;
    if (leader == rt->leader) return;
    double t = rt_clock_now(rt);
    rt->leader = leader;
    rt->summary.leader = leader;
    rt->summary.decided_at = t;
    struct history_row row = {rt->rank, t, leader};
    if (vec_push(&rt->rec.history, &row)) rt_out_of_memory();
}

static void record_row(struct runtime *rt, enum event_kind kind, int peer, int global_type,
                       uint64_t msg, uint64_t lamport, double due, const uint32_t *vector) {
    double t = rt_clock_now(rt);
    struct event_row row = {rt->rank,
                            rt->event_seq++,
                            (int32_t)kind,
                            peer,
                            global_type,
                            msg,
                            lamport,
                            clock_read(&rt->clock, t),
                            t,
                            due};
    if (rec_event(&rt->rec, &row, vector)) rt_out_of_memory();
}

void rt_trace(struct runtime *rt, enum event_kind kind, int peer, int type, uint64_t msg,
              uint64_t lamport, double due) {
    record_row(rt, kind, peer, type, msg, lamport, due, NULL);
}

void node_record_event(struct node *n, enum event_kind kind, int peer, int type, uint64_t msg,
                       uint64_t lamport, const uint32_t *vector) {
    struct runtime *rt = n->rt;
    int gt = type >= 0 ? rt->layers[n->layer].type_offset + type : -1;
    /* The due time is known for the message being delivered and the one
     * just sent; an algorithm that records a receive later (a queue) gets NaN. */
    double due = NAN;
    if (msg && kind == EVENT_RECEIVE && msg == rt->delivering_id) due = rt->delivering_due;
    if (msg && kind == EVENT_SEND && msg == rt->last_sent_id) due = rt->last_sent_due;
    record_row(rt, kind, peer, gt, msg, lamport, due, vector);
}

void node_record_result(struct node *n, const char *name, double value) {
    if (rec_result(&n->rt->rec, name, value))
        fprintf(stderr, "clocklab: too many results, '%s' not recorded\n", name);
}

/* ---- requests/ and mutex/ records (see node.h) ---- */

void node_use_tables(struct node *n, int tables) {
    n->rt->rec.tables |= tables;
}

static void push_stage(struct runtime *rt, uint64_t id, int stage, int peer, int status,
                       int attempts) {
    if (rt->crashed) return;
    double t = rt_clock_now(rt);
    struct request_stage_row row = {id,     rt->rank, stage, peer,
                                    status, attempts, t,     clock_read(&rt->clock, t)};
    if (vec_push(&rt->rec.stages, &row)) rt_out_of_memory();
}

void node_record_request(struct node *n, uint64_t id, enum request_stage stage, int peer) {
    push_stage(n->rt, id, (int)stage, peer, -1, 0);
}

void node_record_request_outcome(struct node *n, uint64_t id, enum request_status status,
                                 int attempts) {
    push_stage(n->rt, id, REC_STAGE_OUTCOME, -1, (int)status, attempts);
}

void node_record_queue(struct node *n, int waiting, int in_service) {
    struct runtime *rt = n->rt;
    if (rt->crashed) return;
    struct queue_row row = {rt->rank, rt_clock_now(rt), waiting, in_service};
    if (vec_push(&rt->rec.queue, &row)) rt_out_of_memory();
}

void node_record_section(struct node *n, enum mutex_stage stage, uint64_t stamp) {
    struct runtime *rt = n->rt;
    if (rt->crashed) return;
    double t = rt_clock_now(rt), local = clock_read(&rt->clock, t);
    struct vec *v = &rt->rec.sections;
    if (stage == MUTEX_REQUEST) {
        struct section_row row = {
            rt->rank, v->n, stamp == MUTEX_STAMP_KEEP ? 0 : stamp, t, NAN, NAN, local, NAN, NAN};
        if (vec_push(v, &row)) rt_out_of_memory();
        return;
    }
    if (v->n == 0) return; /* no open request: nothing to fill */
    struct section_row *row = (struct section_row *)v->data + (v->n - 1);
    if (stamp != MUTEX_STAMP_KEEP) row->stamp = stamp;
    if (stage == MUTEX_ENTER) {
        row->entered = t;
        row->entered_local = local;
    } else {
        row->exited = t;
        row->exited_local = local;
    }
}

void node_set_timer_at(struct node *n, double local_time, int timer_id) {
    struct runtime *rt = n->rt;
    double now = rt_clock_now(rt);
    double ahead = local_time - (now + clock_offset(&rt->clock, now));
    double lo = now, hi = now + 2 * ahead / (1 - CLOCK_MAX_SLEW); /* the clock runs >= 1/2 */
    if (ahead <= 0) {
        node_set_timer(n, 0, timer_id);
        return;
    }
    for (int i = 0; i < 64; i++) { /* C(t) = t + offset(t) is increasing: bisect */
        double mid = 0.5 * (lo + hi);
        if (mid + clock_offset(&rt->clock, mid) < local_time)
            lo = mid;
        else
            hi = mid;
    }
    node_set_timer(n, hi - now, timer_id);
}
