/* The coordinator of dispatch.c: the choice of a server by `policy`, the
 * ids it assigned, and taking over after a crash (SYNC, held requests). */
#include "algorithms/service/dispatch_state.h"

#include <gsl/gsl_randist.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static int eligible(struct node *n, const struct dispatch *s, int server) {
    return server != node_id(n) && s->synced[server];
}

/* The server for a new request by the policy, or -1 when none is eligible. */
static int choose(struct node *n, struct dispatch *s) {
    int cand[2], k = 0, nel = 0;
    gsl_rng *r = node_rng(n);
    for (int i = 0; i < s->nservers; i++)
        nel += eligible(n, s, s->servers[i]);
    if (nel == 0) return -1;
    switch (s->policy) {
    case ROUND_ROBIN:
        for (;;) {
            int srv = s->servers[s->rr];
            s->rr = (s->rr + 1) % s->nservers;
            if (eligible(n, s, srv)) return srv;
        }
    case RANDOM:
    case TWO_CHOICES: {
        int want = s->policy == RANDOM || nel == 1 ? 1 : 2;
        /* draw `want` distinct eligible servers (the j-th of the eligible ones) */
        int first = (int)gsl_rng_uniform_int(r, (unsigned long)nel), second = -1;
        if (want == 2) {
            second = (int)gsl_rng_uniform_int(r, (unsigned long)(nel - 1));
            if (second >= first) second++;
        }
        for (int i = 0, j = 0; i < s->nservers; i++) {
            if (!eligible(n, s, s->servers[i])) continue;
            if (j == first || j == second) cand[k++] = s->servers[i];
            j++;
        }
        if (k == 1 || s->load[cand[0]] < s->load[cand[1]]) return cand[0];
        if (s->load[cand[1]] < s->load[cand[0]]) return cand[1];
        return cand[gsl_rng_uniform_int(r, 2)];
    }
    default: { /* LEAST_LOADED, ties uniformly at random */
        int best = -1, ties = 0;
        for (int i = 0; i < s->nservers; i++) {
            int srv = s->servers[i];
            if (!eligible(n, s, srv)) continue;
            if (best < 0 || s->load[srv] < s->load[best]) {
                best = srv;
                ties = 1;
            } else if (s->load[srv] == s->load[best] &&
                       gsl_rng_uniform_int(r, (unsigned long)++ties) == 0) {
                best = srv;
            }
        }
        return best;
    }
    }
}

static void hold(struct dispatch *s, const struct req_msg *r) {
    if (s->nheld == s->capheld) {
        size_t cap = s->capheld ? 2 * s->capheld : 32;
        s->held = node_grow(s->held, cap, sizeof *s->held);
        s->capheld = cap;
    }
    s->held[s->nheld++] = *r;
}

void dispatch_coordinator_request(struct node *n, struct dispatch *s, const struct req_msg *r) {
    if (!s->coordinating) return; /* the client will time out and ask the next one */
    int srv;
    if (idmap_get(&s->assigned, r->id, &srv)) { /* a repeat: to the server that has it */
        dispatch_post(n, s, srv, DISPATCH, r, sizeof *r);
        return;
    }
    if (r->attempt > 0 && !s->settled) { /* it may be at a server not heard from yet */
        hold(s, r);
        return;
    }
    srv = choose(n, s);
    if (srv < 0) {
        int any = 0;
        for (int i = 0; i < s->nservers; i++)
            any |= s->servers[i] != node_id(n);
        if (!any || s->settled) {
            struct req_msg f = {r->id, r->client, REQUEST_NO_SERVER};
            dispatch_post(n, s, r->client, FAIL, &f, sizeof f);
        } else {
            hold(s, r);
        }
        return;
    }
    if (idmap_put(&s->assigned, r->id, srv)) node_out_of_memory();
    s->load[srv]++;
    node_record_request(n, r->id, REQUEST_DISPATCHED, srv);
    dispatch_post(n, s, srv, DISPATCH, r, sizeof *r);
}

void dispatch_coordinator_release_held(struct node *n, struct dispatch *s) {
    size_t k = s->nheld;
    struct req_msg *h = s->held;
    s->held = NULL;
    s->nheld = s->capheld = 0;
    for (size_t i = 0; i < k; i++)
        dispatch_coordinator_request(n, s, &h[i]);
    free(h);
}

void dispatch_coordinator_send_syncs(struct node *n, struct dispatch *s) {
    int missing = 0;
    for (int i = 0; i < s->nservers; i++) {
        int srv = s->servers[i];
        if (s->synced[srv]) continue;
        missing = 1;
        dispatch_post(n, s, srv, SYNC, NULL, 0);
    }
    if (missing) node_set_timer(n, s->timeout, T_SYNC);
}

static void check_synced(struct node *n, struct dispatch *s) {
    for (int i = 0; i < s->nservers; i++)
        if (!s->synced[s->servers[i]]) return;
    s->settled = 1;
    node_cancel_timer(n, T_SYNC);
    dispatch_coordinator_release_held(n, s);
}

/* Start coordinating: learn what the servers hold (unless nothing can exist
 * yet), then tell the clients. */
void dispatch_coordinator_become(struct node *n, struct dispatch *s, int fresh) {
    int N = node_count(n), me = node_id(n);
    s->coordinating = 1;
    s->settled = 0;
    idmap_clear(&s->assigned);
    s->nheld = 0;
    for (int i = 0; i < N; i++) {
        s->load[i] = 0;
        s->synced[i] = fresh;
    }
    if (!fresh) {
        if (s->is_server[me]) dispatch_server_sync(n, s, me); /* answers itself: fence = me */
        dispatch_coordinator_send_syncs(n, s);
        for (int i = 0; i < N; i++)
            if (s->is_client[i] && i != me) node_send(n, i, ANNOUNCE, NULL, 0);
        if (s->is_client[me]) {
            struct message m = {me, me, ANNOUNCE, 0, 0, NULL, 0};
            s->deliver(n, s, &m);
        }
    }
    check_synced(n, s);
}

void dispatch_coordinator_sync_reply(struct node *n, struct dispatch *s, int src,
                                     const struct message *m) {
    if (!s->coordinating || s->synced[src] || m->len < sizeof(struct sync_hdr)) return;
    struct sync_hdr h;
    node_payload(n, m, 0, &h, sizeof h);
    for (int32_t i = 0; i < h.count; i++) {
        uint64_t id;
        node_payload(n, m, sizeof h + (size_t)i * sizeof id, &id, sizeof id);
        int other;
        if (!idmap_get(&s->assigned, id, &other) && idmap_put(&s->assigned, id, src))
            node_out_of_memory();
    }
    s->load[src] = h.in_system;
    s->synced[src] = 1;
    check_synced(n, s);
}

/* With an election: follow the coordinator it names. */
void dispatch_coordinator_check_leader(struct node *n, struct dispatch *s) {
    if (!s->elected) return;
    int me = node_id(n), leader = node_leader(n);
    if (leader == me && !s->coordinating)
        dispatch_coordinator_become(n, s, 0);
    else if (leader != me && s->coordinating) {
        s->coordinating = 0;
        s->nheld = 0;
        node_cancel_timer(n, T_SYNC);
    }
}
