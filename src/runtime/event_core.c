/* The event core of both engines (event_core.h). */
#include "runtime/event_core.h"

#include "runtime/node_events.h"
#include "runtime/node_state.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static void push(struct runtime *rt, const struct vevent *e) {
    if (vqueue_push(&rt->core.q, e)) rt_out_of_memory();
    if (e->kind == VEV_MESSAGE) rt->core.messages++;
}

int core_init(struct runtime *rt) {
    /* One host-level event per crash time: every rank applies the schedule
     * to its nodes there, before any node's event at that time. */
    for (int i = 0; i < rt->crashes.n; i++) {
        struct vevent e = {.time = rt->crashes.ev[i].at,
                           .dst = -1,
                           .src = -1,
                           .seq = (uint64_t)i,
                           .kind = VEV_FAULTS};
        if (vqueue_push(&rt->core.q, &e)) return -1;
    }
    return 0;
}

void core_free(struct runtime *rt) {
    struct vevent e;
    while (vqueue_pop(&rt->core.q, &e) == 0)
        if (e.kind == VEV_MESSAGE) pool_put(&rt->pool, e.buf);
    vqueue_free(&rt->core.q);
    rt->core.messages = 0;
}

void core_push_message(struct runtime *rt, const struct wire_header *h, const void *payload,
                       size_t len) {
    char *buf = pool_get(&rt->pool, sizeof *h + len);
    if (!buf) rt_out_of_memory();
    memcpy(buf, h, sizeof *h);
    if (len) memcpy(buf + sizeof *h, payload, len);
    struct vevent e = {.time = h->due,
                       .dst = h->dst,
                       .src = h->src,
                       .seq = h->seq,
                       .kind = VEV_MESSAGE,
                       .buf = buf};
    push(rt, &e);
}

static struct vtimer *vtimer(struct node_state *ns, int layer, int id) {
    for (int i = 0; i < ns->nvt; i++)
        if (ns->vt[i].layer == layer && ns->vt[i].id == id) return &ns->vt[i];
    if (!ns->vt) {
        ns->vt = ns->vt_small;
        ns->cap_vt = VT_INLINE;
    }
    if (ns->nvt == ns->cap_vt) {
        int cap = 2 * ns->cap_vt;
        if (cap > (RUNTIME_MAX_LAYERS + 1) * NODE_MAX_TIMERS)
            cap = (RUNTIME_MAX_LAYERS + 1) * NODE_MAX_TIMERS;
        struct vtimer *p = malloc((size_t)cap * sizeof *p);
        if (!p) rt_out_of_memory();
        memcpy(p, ns->vt, ns->nvt * sizeof *p);
        if (ns->vt != ns->vt_small) free(ns->vt);
        ns->vt = p;
        ns->cap_vt = (uint8_t)cap;
    }
    struct vtimer *t = &ns->vt[ns->nvt++];
    *t = (struct vtimer){INFINITY, INFINITY, 0, 0, (uint8_t)layer, (uint8_t)id};
    return t;
}

static void queue_timer(struct runtime *rt, struct node_state *ns, struct vtimer *t) {
    t->queued = t->due;
    struct vevent e = {.time = t->due,
                       .dst = ns->id,
                       .src = ns->id,
                       .seq = t->seq,
                       .gen = ++t->gen,
                       .kind = VEV_TIMER,
                       .layer = t->layer,
                       .id = t->id};
    push(rt, &e);
}

void core_set_timer(struct runtime *rt, struct node_state *ns, int layer, int id, double due) {
    struct vtimer *t = vtimer(ns, layer, id);
    t->due = due;
    t->seq = ns->order_seq;
    if (t->queued > due) queue_timer(rt, ns, t); /* else the queued event comes first */
}

void core_cancel_timer(struct runtime *rt, struct node_state *ns, int layer, int id) {
    (void)rt;
    for (int i = 0; i < ns->nvt; i++)
        if (ns->vt[i].layer == layer && ns->vt[i].id == id) ns->vt[i].due = INFINITY;
}

/* A timer event's time has come: fire it, drop it, or queue it again for
 * the later time it was moved to. */
static void timer_event(struct runtime *rt, struct node_state *ns, const struct vevent *e) {
    struct vtimer *t = NULL;
    for (int i = 0; i < ns->nvt && !t; i++)
        if (ns->vt[i].layer == e->layer && ns->vt[i].id == e->id) t = &ns->vt[i];
    if (!t || t->gen != e->gen) return; /* superseded by an earlier one */
    t->queued = INFINITY;
    if (t->due > e->time) {
        if (isfinite(t->due)) queue_timer(rt, ns, t);
        return;
    }
    t->due = INFINITY;
    if (rt->core.lateness && !ns->crashed &&
        fidelity_timer(&rt->core.lateness[ns - rt->local], rt->now - e->time))
        rt_out_of_memory();
    rt_fire_timer(ns, e->layer, e->id);
}

/* After faults were applied to ns: queue its recovery. */
static void schedule_recovery(struct runtime *rt, struct node_state *ns) {
    if (!ns->crashed || !isfinite(ns->recover_at)) return;
    struct vevent e = {.time = ns->recover_at, .dst = ns->id, .src = -1, .kind = VEV_RECOVER};
    push(rt, &e);
}

void core_apply_faults(struct runtime *rt, struct node_state *ns) {
    if (rt_process_faults(ns)) schedule_recovery(rt, ns);
}

double core_next_time(const struct runtime *rt) {
    return vqueue_next_time(&rt->core.q);
}

int core_pop(struct runtime *rt, struct vevent *e) {
    int rc = vqueue_pop(&rt->core.q, e);
    /* The next event is known now: start loading its message and its node
     * while this one is handled. Nodes and messages are touched in an order
     * no cache predicts, and these two loads were the event loop's largest
     * stalls (perf annotate of rt_deliver and core_dispatch). */
    if (rc == 0 && rt->core.q.n) {
        const struct vevent *next = &rt->core.q.ev[0];
        if (next->buf) __builtin_prefetch(next->buf);
        int i = next->dst - rt->first;
        if (i >= 0 && i < rt->count) {
            const struct node_state *ns = &rt->local[i];
            __builtin_prefetch(ns);
            __builtin_prefetch((const char *)ns + 64);
            __builtin_prefetch(&ns->rec.sent);
        }
    }
    return rc;
}

void core_push_back(struct runtime *rt, const struct vevent *e) {
    /* core_pop left it counted in core.messages */
    if (vqueue_push(&rt->core.q, e)) rt_out_of_memory();
}

int core_event_acts(struct runtime *rt, const struct vevent *e) {
    if (e->kind != VEV_TIMER) return 1;
    struct node_state *ns = rt_local(rt, e->dst);
    for (int i = 0; i < ns->nvt; i++)
        if (ns->vt[i].layer == e->layer && ns->vt[i].id == e->id)
            return ns->vt[i].gen == e->gen && ns->vt[i].due <= e->time;
    return 0;
}

size_t core_messages(const struct runtime *rt) {
    return rt->core.messages;
}

void core_dispatch(struct runtime *rt, const struct vevent *e) {
    if (e->kind == VEV_FAULTS) {
        for (int k = 0; k < rt->count; k++)
            core_apply_faults(rt, &rt->local[k]);
        return;
    }
    struct node_state *ns = rt_local(rt, e->dst);
    switch (e->kind) {
    case VEV_RECOVER:
        core_apply_faults(rt, ns);
        break;
    case VEV_TIMER:
        timer_event(rt, ns, e);
        break;
    case VEV_MESSAGE: {
        const struct wire_header *h = e->buf;
        if (rt->core.lateness && !ns->crashed && !rt->stopped &&
            fidelity_delivery(&rt->core.lateness[ns - rt->local], rt->now - h->due))
            rt_out_of_memory();
        rt_deliver(ns, h, (const char *)e->buf + sizeof *h, h->len);
        pool_put(&rt->pool, e->buf);
        rt->core.messages--;
        break;
    }
    }
}
