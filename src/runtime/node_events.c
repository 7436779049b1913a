/* What happens to a node, whichever engine drives it: a delivery, a timer,
 * a crash, a recovery, the start of its layers. The engines decide when;
 * these functions do it. */
#include "runtime/node_events.h"

#include "runtime/node_state.h"
#include "runtime/reliable.h"
#include "runtime/trace.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

void rt_deliver(struct node_state *ns, const struct wire_header *h, const void *payload,
                size_t len) {
    struct runtime *rt = ns->rt;
    if (h->type == CONTROL_STOP) {
        rt->interrupted = 1;
        return;
    }
    if (rt->stopped || h->type < 0 || h->type >= rt->ntypes) return;
    if (ns->crashed) {
        ns->rec.dropped[h->type]++;
        return;
    }
    ns->rec.received[h->type]++;
    if (rt->reliable)
        reliable_receive(ns, h, payload, len);
    else
        rt_hand_over(ns, h, payload, len);
}

void rt_hand_over(struct node_state *ns, const struct wire_header *h, const void *payload,
                  size_t len) {
    struct runtime *rt = ns->rt;
    ns->lamport = (h->lamport > ns->lamport ? h->lamport : ns->lamport) + 1;
    int li = rt_layer_of_type(rt, h->type);
    const struct layer *l = &rt->layers[li];
    ns->delivering_id = h->id;
    ns->delivering_due = h->due;
    if (rt->trace && !l->alg->records_events)
        rt_trace(ns, EVENT_RECEIVE, h->src, h->type, h->id, ns->lamport, h->due);
    struct message m = {h->src, ns->id, h->type - l->type_offset, h->id, h->lamport, payload, len};
    struct node view = {ns, li};
    l->alg->on_message(&view, ns->state[li], &m);
    ns->delivering_id = 0;
}

void rt_fire_timer(struct node_state *ns, int layer, int id) {
    if (layer == RELIABLE_LAYER) {
        reliable_on_timer(ns);
        return;
    }
    const struct algorithm *a = ns->rt->layers[layer].alg;
    if (ns->crashed || !a->on_timer) return;
    struct node view = {ns, layer};
    a->on_timer(&view, ns->state[layer], id);
}

void rt_start_node(struct node_state *ns) {
    struct runtime *rt = ns->rt;
    if (ns->crashed) return;
    int first = !ns->started;
    ns->started = 1;
    for (int i = 0; i < rt->nlayers; i++) {
        const struct algorithm *a = rt->layers[i].alg;
        struct node view = {ns, i};
        if (first) {
            if (a->start) a->start(&view, ns->state[i]);
            continue;
        }
        ns->done[i] = 0; /* a recovered node has work again until it says otherwise */
        rt_update_done(ns);
        if (a->on_recover) a->on_recover(&view, ns->state[i]);
    }
}

void rt_crash(struct node_state *ns, double recover) {
    struct runtime *rt = ns->rt;
    ns->crashed = 1;
    if (isnan(ns->summary.crashed_at)) ns->summary.crashed_at = rt->now;
    ns->recover_at = recover;
    for (int i = 0; i < rt->nlayers; i++)
        for (int k = 0; k < NODE_MAX_TIMERS; k++)
            rt->engine->cancel_timer(rt, ns, i, k);
    reliable_on_crash(ns);
    rt_update_done(ns);
}

void rt_recover(struct node_state *ns) {
    ns->crashed = 0;
    ns->recover_at = INFINITY;
    ns->summary.recovered_at = ns->rt->now;
    rt_update_done(ns);
    reliable_on_recover(ns);
    rt_start_node(ns);
}

int rt_process_faults(struct node_state *ns) {
    struct runtime *rt = ns->rt;
    int any = 0;
    if (ns->crashed && rt->now >= ns->recover_at) {
        rt_recover(ns);
        any = 1;
    }
    for (int i = 0; i < rt->crashes.n; i++) {
        const struct crash_event *ev = &rt->crashes.ev[i];
        if ((ns->crash_seen >> i & 1) || ev->at > rt->now) continue;
        ns->crash_seen |= (uint64_t)1 << i;
        int me = ev->node == ns->id ||
                 (ev->node == CRASH_COORDINATOR && ns->leader == ns->id && ns->leader >= 0) ||
                 (ev->node == CRASH_HIGHEST && rt->ids[ns->id] == rt->nodes - 1);
        if (me && !ns->crashed) {
            rt_crash(ns, ev->recover);
            any = 1;
        }
    }
    return any;
}

double rt_next_fault(const struct node_state *ns) {
    const struct runtime *rt = ns->rt;
    double t = ns->crashed ? ns->recover_at : INFINITY;
    for (int i = 0; i < rt->crashes.n; i++)
        if (!(ns->crash_seen >> i & 1) && rt->crashes.ev[i].at < t) t = rt->crashes.ev[i].at;
    return t;
}
