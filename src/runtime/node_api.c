/* The runtime's side of api/node.h: what an algorithm may call. Both
 * engines share it; the reference time, transport and timers come from the
 * run's engine (node_state.h). */
#include "runtime/node_state.h"
#include "runtime/reliable.h"
#include "runtime/rt_clock.h"
#include "runtime/trace.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int node_id(const struct node *n) {
    return n->ns->id;
}
int node_count(const struct node *n) {
    return n->ns->rt->nodes;
}
gsl_rng *node_rng(struct node *n) {
    return rt_stream(n->ns, STREAM_ALGORITHM);
}
int node_election_id(const struct node *n, int i) {
    return n->ns->rt->ids[i];
}
int node_is_initiator(const struct node *n, int i) {
    return n->ns->rt->initiator[i];
}
int node_leader(const struct node *n) {
    return n->ns->leader;
}
int node_leader_elected(const struct node *n) {
    return n->ns->rt->leader_elected;
}
int node_coordinator(const struct node *n, int configured) {
    return node_leader_elected(n) ? node_leader(n) : configured;
}
void node_name_coordinator(struct node *n, int configured) {
    if (!node_leader_elected(n)) node_set_leader(n, configured);
}

void node_payload(const struct node *n, const struct message *m, size_t offset, void *out,
                  size_t len) {
    if (offset <= m->len && len <= m->len - offset) {
        memcpy(out, (const char *)m->payload + offset, len);
        return;
    }
    const struct algorithm *a = n->ns->rt->layers[n->layer].alg;
    rt_fatal("internal error: %s message %s from node %d has %zu bytes, expected at least %zu",
             a->name, a->message_types[m->type], m->src, m->len, offset + len);
}

void node_out_of_memory(void) {
    rt_out_of_memory();
}

void *node_alloc(size_t count, size_t size) {
    void *p = calloc(count ? count : 1, size ? size : 1);
    if (!p) rt_out_of_memory();
    return p;
}

void *node_grow(void *p, size_t count, size_t size) {
    if (size && count > SIZE_MAX / size) rt_out_of_memory();
    size_t bytes = count * size;
    void *q = realloc(p, bytes ? bytes : 1);
    if (!q) rt_out_of_memory();
    return q;
}

double node_local_time(struct node *n) {
    return rt_clock_read(n->ns, NULL);
}

static void record_round(struct node_state *ns, double t, double delta,
                         const struct round_info *info) {
    if (!info) return;
    struct round_row row = {ns->id,
                            info->round,
                            t,
                            info->rtt,
                            info->estimated_offset,
                            rt_clock_true_offset(ns, t),
                            delta,
                            (int8_t)(info->excluded ? 1 : 0)};
    if (vec_push(&ns->rec.rounds, &row)) rt_out_of_memory();
}

void node_clock_step(struct node *n, double delta, const struct round_info *info) {
    node_clock_slew(n, delta, 0.0, info);
}

void node_clock_slew(struct node *n, double delta, double span, const struct round_info *info) {
    struct node_state *ns = n->ns;
    double t = rt_now(ns->rt);
    record_round(ns, t, delta, info);
    rt_clock_adjust(ns, t, delta, span);
}

void node_clock_model(struct node *n, double intercept, double slope,
                      const struct model_info *info) {
    struct node_state *ns = n->ns;
    double t = rt_now(ns->rt);
    struct model_row row = {ns->id,
                            info ? info->reference : -1,
                            info ? info->points : 0,
                            t,
                            intercept,
                            slope,
                            info ? info->rtt : NAN,
                            info ? info->bound : NAN,
                            info ? info->slope_bound : NAN,
                            rt_clock_true_offset(ns, t)};
    if (vec_push(&ns->rec.models, &row)) rt_out_of_memory();
    rt_clock_set_model(ns, t, intercept, slope);
}

/* The due time of a message sent now to dst: now + [network] min_delay + a
 * drawn delay, never before the previous one on the channel (FIFO). */
static double due_time(struct node_state *ns, int dst) {
    struct runtime *rt = ns->rt;
    double due = rt->now + rt->min_delay;
    if (rt->engine->due) { /* a choice, FIFO kept */
        due = rt->engine->due(rt, ns, dst, due, due_map_get(&ns->last_due, dst));
        if (due_map_set(&ns->last_due, dst, due, rt->now)) rt_out_of_memory();
        return due;
    }
    if (rt->constant_delay) /* no draw; send times only grow: FIFO already */
        return due + dist_sample(&rt->delay, NULL, ns->id);
    due += dist_sample(&rt->delay, rt_stream(ns, STREAM_NETWORK), ns->id);
    double last = due_map_get(&ns->last_due, dst);
    if (due < last) due = last;
    if (due_map_set(&ns->last_due, dst, due, rt->now)) rt_out_of_memory();
    return due;
}

uint64_t node_send(struct node *n, int dst, int type, const void *payload, size_t len) {
    struct node_state *ns = n->ns;
    struct runtime *rt = ns->rt;
    const struct layer *l = &rt->layers[n->layer];
    if (dst < 0 || dst >= rt->nodes || dst == ns->id || type < 0 || type >= l->ntypes) {
        rt_fatal("internal error: %s on node %d sent type %d to node %d: not allowed", l->alg->name,
                 ns->id, type, dst);
    }
    size_t room = WIRE_MAX - sizeof(struct wire_header) - (rt->reliable ? RELIABLE_PREFIX : 0);
    if (len > room) {
        rt_fatal("internal error: %s on node %d sent a %zu-byte message; at most %zu bytes",
                 l->alg->name, ns->id, len, room);
    }
    if (ns->crashed || rt->stopped) return 0;
    int gt = l->type_offset + type;
    struct wire_header h = {gt,
                            ns->id,
                            dst,
                            (uint32_t)len,
                            ((uint64_t)(ns->id + 1) << 40) | ++ns->msg_seq,
                            ++ns->lamport,
                            ++ns->order_seq,
                            NAN};
    if (rt->reliable)
        reliable_send(ns, &h, payload, len);
    else
        rt_transmit(ns, &h, payload, len);
    ns->last_sent_id = h.id;
    ns->last_sent_due = h.due;
    if (rt->trace && !l->alg->records_events)
        rt_trace(ns, EVENT_SEND, dst, gt, h.id, h.lamport, h.due);
    return h.id;
}

void rt_transmit(struct node_state *ns, struct wire_header *h, const void *payload, size_t len) {
    struct runtime *rt = ns->rt;
    ns->rec.sent[h->type]++;
    ns->rec.bytes_sent[h->type] += sizeof *h + len;
    rt_now(rt);
    int lost = rt->engine->lost
                   ? rt->engine->lost(rt, ns, h->dst)
                   : rt->loss > 0 && gsl_rng_uniform(rt_stream(ns, STREAM_NETWORK)) < rt->loss;
    if (lost) {
        h->due = NAN;
        ns->rec.dropped[h->type]++;
        return;
    }
    h->due = due_time(ns, h->dst);
    rt->engine->send(rt, ns, h, payload, len);
}

void node_broadcast(struct node *n, int type, const void *payload, size_t len) {
    for (int i = 0; i < n->ns->rt->nodes; i++)
        if (i != n->ns->id) node_send(n, i, type, payload, len);
}

static void check_timer(const struct node *n, int timer_id) {
    if (timer_id < 0 || timer_id >= NODE_MAX_TIMERS) {
        rt_fatal("internal error: %s: timer id %d out of range",
                 n->ns->rt->layers[n->layer].alg->name, timer_id);
    }
}

void node_set_timer(struct node *n, double after, int timer_id) {
    check_timer(n, timer_id);
    struct node_state *ns = n->ns;
    struct runtime *rt = ns->rt;
    if (ns->crashed) return;
    ns->order_seq++;
    rt->engine->set_timer(rt, ns, n->layer, timer_id, rt_now(rt) + (after > 0 ? after : 0));
}

void node_cancel_timer(struct node *n, int timer_id) {
    check_timer(n, timer_id);
    n->ns->rt->engine->cancel_timer(n->ns->rt, n->ns, n->layer, timer_id);
}

void node_done(struct node *n) {
    n->ns->done[n->layer] = 1;
    rt_update_done(n->ns);
}

void node_set_leader(struct node *n, int leader) {
    struct node_state *ns = n->ns;
    if (leader == ns->leader) return;
    double t = rt_now(ns->rt);
    ns->leader = leader;
    ns->summary.leader = leader;
    ns->summary.decided_at = t;
    struct history_row row = {ns->id, t, leader};
    if (vec_push(&ns->rec.history, &row)) rt_out_of_memory();
}

void node_record_event(struct node *n, enum event_kind kind, int peer, int type, uint64_t msg,
                       uint64_t lamport, const uint32_t *vector) {
    struct node_state *ns = n->ns;
    int gt = type >= 0 ? ns->rt->layers[n->layer].type_offset + type : -1;
    /* The due time is known for the message being delivered and the one
     * just sent; an algorithm that records a receive later (a queue) gets NaN. */
    double due = NAN;
    if (msg && kind == EVENT_RECEIVE && msg == ns->delivering_id) due = ns->delivering_due;
    if (msg && kind == EVENT_SEND && msg == ns->last_sent_id) due = ns->last_sent_due;
    rt_record_event(ns, kind, peer, gt, msg, lamport, due, vector);
}

void node_record_result(struct node *n, const char *name, double value) {
    if (rec_result(&n->ns->rec, name, value))
        fprintf(stderr, "clocklab: too many results, '%s' not recorded\n", name);
}

/* ---- requests/ and mutex/ records (see node.h) ---- */

void node_use_tables(struct node *n, int tables) {
    n->ns->rec.tables |= tables;
}

static void push_stage(struct node_state *ns, uint64_t id, int stage, int peer, int status,
                       int attempts) {
    if (ns->crashed) return;
    double t = rt_now(ns->rt);
    struct request_stage_row row = {id,     ns->id,   stage, peer,
                                    status, attempts, t,     clock_read(&ns->clock, t)};
    if (vec_push(&ns->rec.stages, &row)) rt_out_of_memory();
}

void node_record_request(struct node *n, uint64_t id, enum request_stage stage, int peer) {
    push_stage(n->ns, id, (int)stage, peer, -1, 0);
}

void node_record_request_outcome(struct node *n, uint64_t id, enum request_status status,
                                 int attempts) {
    push_stage(n->ns, id, REC_STAGE_OUTCOME, -1, (int)status, attempts);
}

void node_record_queue(struct node *n, int waiting, int in_service) {
    struct node_state *ns = n->ns;
    if (ns->crashed) return;
    struct queue_row row = {ns->id, rt_now(ns->rt), waiting, in_service};
    if (vec_push(&ns->rec.queue, &row)) rt_out_of_memory();
}

void node_record_section(struct node *n, enum mutex_stage stage, uint64_t stamp) {
    struct node_state *ns = n->ns;
    if (ns->crashed) return;
    double t = rt_now(ns->rt), local = clock_read(&ns->clock, t);
    struct vec *v = &ns->rec.sections;
    if (stage == MUTEX_REQUEST) {
        struct section_row row = {
            ns->id, v->n, stamp == MUTEX_STAMP_KEEP ? 0 : stamp, t, NAN, NAN, local, NAN, NAN};
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
    struct node_state *ns = n->ns;
    double now = rt_now(ns->rt);
    double ahead = local_time - (now + clock_offset(&ns->clock, now));
    if (ahead <= 0) {
        node_set_timer(n, 0, timer_id);
        return;
    }
    /* C(t) = t + offset(t) is increasing, at least 1 - CLOCK_MAX_SLEW as
     * fast as t: the time lies in [now, now + ahead / (1 - CLOCK_MAX_SLEW)];
     * bisect (with a margin for drift). */
    double lo = now, hi = now + 2 * ahead / (1 - CLOCK_MAX_SLEW);
    for (int i = 0; i < 64; i++) {
        double mid = 0.5 * (lo + hi);
        /* lo and hi are adjacent doubles: no later step changes them */
        if (mid <= lo || mid >= hi) break;
        if (mid + clock_offset(&ns->clock, mid) < local_time)
            lo = mid;
        else
            hi = mid;
    }
    node_set_timer(n, hi - now, timer_id);
}
