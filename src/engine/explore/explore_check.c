/* The safety properties the exploring engine checks after every event
 * (explore.h), read from what the runtime keeps of each node: its open
 * critical section (mutex/sections rows), its coordinator. */
#include "engine/explore/explore.h"

#include "runtime/node_state.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

int explore_check_init(struct runtime *rt, struct explore_check *c) {
    for (int i = 0; i < rt->nlayers; i++) {
        c->mutex |= rt->layers[i].alg->family == FAMILY_MUTEX;
        c->election |= rt->layers[i].alg->family == FAMILY_ELECTION;
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
