/* The safety properties the exploring engine checks after every event
 * (explore.h), read from what the runtime keeps of each node: its open
 * critical section (mutex/sections rows), its coordinator. */
#include "engine/explore/explore.h"

#include "runtime/node_state.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int explore_check_init(struct runtime *rt, struct explore_check *c) {
    for (int i = 0; i < rt->nlayers; i++) {
        c->mutex |= rt->layers[i].alg->family == FAMILY_MUTEX;
        c->election |= rt->layers[i].alg->family == FAMILY_ELECTION;
        c->service |= rt->layers[i].alg->family == FAMILY_SERVICE;
    }
    c->delivered = calloc((size_t)rt->count + 1, sizeof *c->delivered);
    c->stages_seen = calloc((size_t)rt->count + 1, sizeof *c->stages_seen);
    return c->delivered && c->stages_seen ? 0 : -1;
}

void explore_check_reset(struct runtime *rt, struct explore_check *c) {
    c->events_seen = 0;
    c->norder = 0;
    memset(c->delivered, 0, ((size_t)rt->count + 1) * sizeof *c->delivered);
    memset(c->stages_seen, 0, ((size_t)rt->count + 1) * sizeof *c->stages_seen);
    if (c->sent.slot) memset(c->sent.slot, 0, c->sent.cap * sizeof *c->sent.slot);
    if (c->served.slot) memset(c->served.slot, 0, c->served.cap * sizeof *c->served.slot);
    c->sent.n = c->served.n = 0;
}

void explore_check_free(struct explore_check *c) {
    free(c->order);
    free(c->delivered);
    free(c->stages_seen);
    free(c->sent.slot);
    free(c->served.slot);
    memset(c, 0, sizeof *c);
}

/* Add id to the set: 1 if it was there already, else 0. */
static int set_add(struct id_set *s, uint64_t id) {
    if (2 * (s->n + 1) > s->cap) {
        struct id_set g = {NULL, 0, s->cap ? 2 * s->cap : 64};
        g.slot = calloc(g.cap, sizeof *g.slot);
        if (!g.slot) rt_out_of_memory();
        for (size_t i = 0; i < s->cap; i++)
            if (s->slot[i]) set_add(&g, s->slot[i]);
        free(s->slot);
        *s = g;
    }
    size_t i = (size_t)(id * 0x9E3779B97F4A7C15ull) & (s->cap - 1);
    for (; s->slot[i]; i = (i + 1) & (s->cap - 1))
        if (s->slot[i] == id) return 1;
    s->slot[i] = id;
    s->n++;
    return 0;
}

static int set_has(const struct id_set *s, uint64_t id) {
    if (!s->cap) return 0;
    size_t i = (size_t)(id * 0x9E3779B97F4A7C15ull) & (s->cap - 1);
    for (; s->slot[i]; i = (i + 1) & (s->cap - 1))
        if (s->slot[i] == id) return 1;
    return 0;
}

/* DELIVER rows since the last look: the k-th delivery of every node is the
 * k-th of the one order. */
static int check_order(struct runtime *rt, struct explore_check *c, char *what, size_t n) {
    const struct vec *v = &rt->events.events;
    for (; c->events_seen < v->n; c->events_seen++) {
        const struct event_row *e = (const struct event_row *)v->data + c->events_seen;
        if (e->kind != EVENT_DELIVER) continue;
        struct node_state *ns = rt_local(rt, e->node);
        size_t k = c->delivered[ns - rt->local]++;
        if (k == c->norder) {
            if (c->norder == c->cap_order) {
                c->cap_order = c->cap_order ? 2 * c->cap_order : 64;
                uint64_t *p = realloc(c->order, c->cap_order * sizeof *p);
                if (!p) rt_out_of_memory();
                c->order = p;
            }
            c->order[c->norder++] = e->msg;
        } else if (c->order[k] != e->msg) {
            snprintf(what, n,
                     "total order: node %d delivered message %llu as its delivery %zu, where "
                     "another node delivered message %llu, at %.9g s",
                     e->node, (unsigned long long)e->msg, k + 1, (unsigned long long)c->order[k],
                     rt->now);
            return 1;
        }
    }
    return 0;
}

/* Request stage rows since the last look: each request finished (served)
 * once at most, and received by a client only after it was sent. */
static int check_requests(struct runtime *rt, struct explore_check *c, char *what, size_t n) {
    for (int k = 0; k < rt->count; k++) {
        const struct vec *v = &rt->local[k].rec.stages;
        for (; c->stages_seen[k] < v->n; c->stages_seen[k]++) {
            const struct request_stage_row *r =
                (const struct request_stage_row *)v->data + c->stages_seen[k];
            if (r->stage == REQUEST_SENT) set_add(&c->sent, r->id);
            if (r->stage == REQUEST_FINISHED && set_add(&c->served, r->id)) {
                snprintf(what, n,
                         "requests: request %llu served twice (again by node %d) at %.9g s",
                         (unsigned long long)r->id, r->node, rt->now);
                return 1;
            }
            if (r->stage == REQUEST_RECEIVED && !set_has(&c->sent, r->id)) {
                snprintf(what, n,
                         "requests: node %d received a reply to request %llu, never sent, "
                         "at %.9g s",
                         r->node, (unsigned long long)r->id, rt->now);
                return 1;
            }
        }
    }
    return 0;
}

/* The node's last section row: 1 inside (entered, not left), 2 waiting
 * (asked, not entered), 0 neither. */
static int section_state(const struct node_state *ns) {
    const struct vec *v = &ns->rec.sections;
    if (v->n == 0) return 0;
    const struct section_row *row = (const struct section_row *)v->data + (v->n - 1);
    if (!isnan(row->entered)) return isnan(row->exited) ? 1 : 0;
    return 2;
}

int explore_check_event(struct runtime *rt, struct explore_check *c, char *what, size_t n) {
    if (check_order(rt, c, what, n)) return 1;
    if (c->service && check_requests(rt, c, what, n)) return 1;
    if (c->mutex) {
        int first = -1;
        for (int k = 0; k < rt->count; k++) {
            const struct node_state *ns = &rt->local[k];
            if (ns->crashed || section_state(ns) != 1) continue;
            if (first >= 0) {
                snprintf(what, n,
                         "mutual exclusion: nodes %d and %d in the critical section at %.9g s",
                         first, ns->id, rt->now);
                return 1;
            }
            first = ns->id;
        }
    }
    if (c->election) {
        int who = -1, leader = -1;
        for (int k = 0; k < rt->count; k++) {
            const struct node_state *ns = &rt->local[k];
            if (ns->crashed || ns->leader < 0) continue;
            const struct node_state *l = rt_local(rt, ns->leader);
            if (!l || l->crashed) continue; /* a belief in a crashed node is only stale */
            if (leader >= 0 && ns->leader != leader) {
                snprintf(what, n,
                         "election: node %d follows node %d and node %d follows node %d, both "
                         "alive, at %.9g s",
                         who, leader, ns->id, ns->leader, rt->now);
                return 1;
            }
            who = ns->id;
            leader = ns->leader;
        }
    }
    return 0;
}

int explore_check_end(struct runtime *rt, struct explore_check *c) {
    for (int k = 0; k < rt->count; k++) {
        const struct node_state *ns = &rt->local[k];
        if (ns->crashed) continue;
        if (c->mutex && section_state(ns) == 2) return 1;
        if (c->election) {
            const struct node_state *l = ns->leader >= 0 ? rt_local(rt, ns->leader) : NULL;
            if (!l || l->crashed) return 1;
        }
    }
    return 0;
}
