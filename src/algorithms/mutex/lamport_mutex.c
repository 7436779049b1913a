/* Lamport's mutual exclusion (L. Lamport, "Time, clocks, and the ordering
 * of events in a distributed system", CACM 21(7), 1978, section 3; Raynal,
 * Distributed Algorithms for Message-Passing Systems, 2013, 10.2).
 *
 * Every node keeps a Lamport clock L and a request queue ordered by
 * (timestamp, node). To enter, a node stamps its request with T = L + 1,
 * puts (T, i) into its own queue and sends REQUEST(T) to every other node.
 * A receiver puts (T, j) into its queue and answers REPLY, stamped with its
 * clock. The node enters when its own request heads its queue and it has
 * received from every other node a message ordered after (T, i) (with FIFO
 * channels no earlier request can arrive later). On exit it removes its
 * request and sends RELEASE to every other node, which removes it too.
 * Messages per entry: exactly 3(n-1). Synchronization delay: one one-way
 * delay (the RELEASE). Entries happen in (timestamp, node) order.
 *
 * mutex/sections stamp: the request's timestamp T. Needs FIFO reliable
 * channels (the runtime's, with [network] loss = 0); not fault-tolerant. */
#include "algorithms/mutex/cs_workload.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

enum { REQUEST, REPLY, RELEASE };
enum { T_REQUEST, T_EXIT };

static const char *const types[] = {"REQUEST", "REPLY", "RELEASE", NULL};

static const struct param params[] = {CS_WORKLOAD_PARAMS, {.key = NULL}};

struct stamp_msg {
    uint64_t ts;
};

struct lamport_mutex {
    struct cs_workload w;
    uint64_t clock, my_ts;
    uint64_t *queued; /* [N]: timestamp of node j's request in the queue, 0 = none */
    uint64_t *latest; /* [N]: largest timestamp received from node j */
};

static int configure(struct node *n, const struct config *cfg, void **state, char *err,
                     size_t errlen) {
    struct lamport_mutex *s = node_alloc(1, sizeof *s);
    *state = s;
    s->queued = node_alloc((size_t)node_count(n), sizeof(uint64_t));
    s->latest = node_alloc((size_t)node_count(n), sizeof(uint64_t));
    cs_configure(n, &s->w, cfg, "lamport_mutex", T_REQUEST, T_EXIT);
    return algorithm_needs_reliable_channels(
        cfg, "lamport_mutex",
        "assumes reliable FIFO channels: a lost REQUEST, REPLY or RELEASE "
        "blocks every node",
        err, errlen);
}

/* (a, i) before (b, j) in the total order of requests. */
static int before(uint64_t a, int i, uint64_t b, int j) {
    return a < b || (a == b && i < j);
}

static void broadcast(struct node *n, int type, uint64_t ts) {
    struct stamp_msg m = {ts};
    node_broadcast(n, type, &m, sizeof m);
}

static void try_enter(struct node *n, struct lamport_mutex *s) {
    int N = node_count(n), me = node_id(n);
    if (!s->w.wanting) return;
    for (int j = 0; j < N; j++) {
        if (j == me) continue;
        if (s->queued[j] && before(s->queued[j], j, s->my_ts, me)) return; /* not the head */
        if (!before(s->my_ts, me, s->latest[j], j)) return; /* nothing later from j yet */
    }
    cs_enter(n, &s->w, s->my_ts);
}

static void start(struct node *n, void *state) {
    struct lamport_mutex *s = state;
    cs_next(n, &s->w);
}

static void on_message(struct node *n, void *state, const struct message *m) {
    struct lamport_mutex *s = state;
    struct stamp_msg sm;
    node_payload(n, m, 0, &sm, sizeof sm);
    uint64_t ts = sm.ts;
    s->clock = (ts > s->clock ? ts : s->clock) + 1;
    if (ts > s->latest[m->src]) s->latest[m->src] = ts;
    if (m->type == REQUEST) {
        s->queued[m->src] = ts;
        struct stamp_msg r = {++s->clock};
        node_send(n, m->src, REPLY, &r, sizeof r);
    } else if (m->type == RELEASE) {
        s->queued[m->src] = 0;
    }
    try_enter(n, s);
}

static void on_timer(struct node *n, void *state, int id) {
    struct lamport_mutex *s = state;
    if (id == T_REQUEST) {
        s->my_ts = ++s->clock;
        cs_request(n, &s->w, s->my_ts);
        broadcast(n, REQUEST, s->my_ts);
        try_enter(n, s);
    } else {
        cs_exit(n, &s->w);
        broadcast(n, RELEASE, ++s->clock);
        cs_next(n, &s->w);
    }
}

static void on_recover(struct node *n, void *state) {
    struct lamport_mutex *s = state;
    cs_recover(n, &s->w);
}

static void destroy(void *state) {
    struct lamport_mutex *s = state;
    free(s->queued);
    free(s->latest);
    free(s);
}

/* 3(n-1) messages per entry. */
static void estimate(const struct config *cfg, int nodes, double seconds, int crashes,
                     struct record_estimate *out) {
    (void)crashes;
    out->messages = 3.0 * (nodes - 1) * cs_estimate(cfg, "lamport_mutex", seconds, nodes, out);
}

const struct algorithm algorithm_lamport_mutex = {
    .name = "lamport_mutex",
    .family = FAMILY_MUTEX,
    .summary = "Lamport 1978: timestamped request queues, REQUEST/REPLY/RELEASE (3(n-1) per "
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
