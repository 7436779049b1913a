/* Ricart-Agrawala mutual exclusion (G. Ricart and A. K. Agrawala, "An
 * optimal algorithm for mutual exclusion in computer networks", CACM 24(1),
 * 1981; Coulouris et al., 15.2).
 *
 * Every node keeps a Lamport clock L (L = L + 1 before a send or a request,
 * L = max(L, received timestamp) + 1 at a receive). To enter, a node stamps
 * its request with T = L and sends REQUEST(T) to every other node, then
 * waits for a REPLY from each. A node receiving REQUEST(T_j) from j replies
 * at once unless it is inside the section, or it is asking itself with a
 * request (T, i) ordered before (T_j, j); then it defers the reply to its
 * exit. Messages per entry: exactly 2(n-1). Synchronization delay: one
 * one-way delay. Entries happen in (timestamp, node) order.
 *
 * mutex/sections stamp: the request's Lamport timestamp T. Not
 * fault-tolerant: a crashed node never replies. */
#include "algorithms/mutex/cs_workload.h"

#include <math.h>
#include <stdlib.h>

enum { REQUEST, REPLY };
enum { T_REQUEST, T_EXIT };

static const char *const types[] = {"REQUEST", "REPLY", NULL};

static const struct param params[] = {CS_WORKLOAD_PARAMS, {.key = NULL}};

struct stamp_msg {
    uint64_t ts;
};

struct ra {
    struct cs_workload w;
    uint64_t clock, my_ts;
    int replies;
    int *deferred; /* [N] */
};

static int configure(struct node *n, const struct config *cfg, void **state, char *err,
                     size_t errlen) {
    (void)err, (void)errlen;
    struct ra *s = node_alloc(1, sizeof *s);
    *state = s;
    s->deferred = node_alloc((size_t)node_count(n), sizeof(int));
    cs_configure(n, &s->w, cfg, "ricart_agrawala", T_REQUEST, T_EXIT);
    return 0;
}

static void send_stamped(struct node *n, struct ra *s, int dst, int type) {
    struct stamp_msg m = {++s->clock};
    node_send(n, dst, type, &m, sizeof m);
}

static void start(struct node *n, void *state) {
    struct ra *s = state;
    cs_next(n, &s->w);
}

static void on_message(struct node *n, void *state, const struct message *m) {
    struct ra *s = state;
    struct stamp_msg sm;
    node_payload(n, m, 0, &sm, sizeof sm);
    uint64_t ts = sm.ts;
    s->clock = (ts > s->clock ? ts : s->clock) + 1;
    if (m->type == REQUEST) {
        int mine_first = s->w.wanting && (s->my_ts < ts || (s->my_ts == ts && node_id(n) < m->src));
        if (s->w.inside || mine_first)
            s->deferred[m->src] = 1;
        else
            send_stamped(n, s, m->src, REPLY);
    } else if (s->w.wanting && ++s->replies == node_count(n) - 1) {
        cs_enter(n, &s->w, s->my_ts);
    }
}

static void on_timer(struct node *n, void *state, int id) {
    struct ra *s = state;
    int N = node_count(n), me = node_id(n);
    if (id == T_REQUEST) {
        s->my_ts = ++s->clock;
        s->replies = 0;
        cs_request(n, &s->w, s->my_ts);
        for (int j = 0; j < N; j++)
            if (j != me) {
                struct stamp_msg r = {s->my_ts}; /* the request's own timestamp */
                node_send(n, j, REQUEST, &r, sizeof r);
            }
        if (N == 1) cs_enter(n, &s->w, s->my_ts);
    } else {
        cs_exit(n, &s->w);
        for (int j = 0; j < N; j++)
            if (s->deferred[j]) {
                s->deferred[j] = 0;
                send_stamped(n, s, j, REPLY);
            }
        cs_next(n, &s->w);
    }
}

static void on_recover(struct node *n, void *state) {
    struct ra *s = state;
    for (int j = 0; j < node_count(n); j++)
        s->deferred[j] = 0;
    cs_recover(n, &s->w);
}

static void destroy(void *state) {
    struct ra *s = state;
    free(s->deferred);
    free(s);
}

/* 2(n-1) messages per entry. */
static void estimate(const struct config *cfg, int nodes, double seconds, int crashes,
                     struct record_estimate *out) {
    (void)crashes;
    out->messages = 2.0 * (nodes - 1) * cs_estimate(cfg, "ricart_agrawala", seconds, nodes, out);
}

const struct algorithm algorithm_ricart_agrawala = {
    .name = "ricart_agrawala",
    .family = FAMILY_MUTEX,
    .summary = "Ricart & Agrawala 1981: timestamped REQUEST to all, deferred REPLY (2(n-1) per "
               "entry)",
    .message_types = types,
    .params = params,
    .min_nodes = 2,
    .configure = configure,
    .start = start,
    .on_message = on_message,
    .on_timer = on_timer,
    .on_recover = on_recover,
    .destroy = destroy,
    .estimate = estimate,
};
