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
    return rt_clock_read(n->rt, NULL);
}

static void record_round(struct runtime *rt, double t, double delta,
                         const struct round_info *info) {
    if (!info) return;
    struct round_row row = {rt->rank,
                            info->round,
                            t,
                            info->rtt,
                            info->estimated_offset,
                            rt_true_offset(rt, t),
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
    rt_clock_adjust(rt, t, delta, span);
}

void node_clock_model(struct node *n, double intercept, double slope,
                      const struct model_info *info) {
    struct runtime *rt = n->rt;
    double t = rt_clock_now(rt);
    struct model_row row = {rt->rank,
                            info ? info->reference : -1,
                            info ? info->points : 0,
                            t,
                            intercept,
                            slope,
                            info ? info->rtt : NAN,
                            info ? info->bound : NAN,
                            info ? info->slope_bound : NAN,
                            rt_true_offset(rt, t)};
    if (vec_push(&rt->rec.models, &row)) rt_out_of_memory();
    rt_clock_set_model(rt, t, intercept, slope);
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
    struct event_row row = {rt->rank, rt->event_seq++, (int32_t)kind,         peer, global_type,
                            msg,      lamport,         rt_clock_exact(rt, t), t,    due};
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
