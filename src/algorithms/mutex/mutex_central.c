/* Centralized mutual exclusion (Coulouris et al., Distributed Systems, 5th
 * ed., 15.2 "the central server algorithm"; van Steen & Tanenbaum,
 * Distributed Systems, 3rd ed., 6.3, "a centralized algorithm").
 *
 * A coordinator (node [mutex_central] coordinator) grants the critical
 * section: a node sends REQUEST; the coordinator answers GRANT at once when
 * the section is free and otherwise queues the request (FIFO); the holder
 * sends RELEASE on exit, and the coordinator grants the head of the queue.
 * The coordinator itself never asks. Messages per entry: exactly 3.
 * Synchronization delay (exit to the next entry): 2 one-way delays.
 *
 * mutex/sections stamp: the grant number (1, 2, ... in grant order), so
 * entries happen in stamp order. Not fault-tolerant: a crash of the
 * coordinator or of the holder blocks the others. */
#include "algorithms/mutex/cs_workload.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

enum { REQUEST, GRANT, RELEASE };
enum { T_REQUEST, T_EXIT };

static const char *const types[] = {"REQUEST", "GRANT", "RELEASE", NULL};

static const struct param params[] = {
    {.key = "coordinator",
     .type = PARAM_INT,
     .default_value = "0",
     .help = "node index of the coordinator (it never asks itself)",
     .hi = 1 << 20},
    CS_WORKLOAD_PARAMS,
    {.key = NULL}};

struct grant_msg {
    uint64_t number;
};

struct central {
    struct cs_workload w;
    int coordinator;
    /* coordinator */
    int holder; /* -1 free */
    int *queue; /* FIFO ring of waiting nodes, [N] */
    int qhead, qlen;
    uint64_t grants;
};

static int configure(struct node *n, const struct config *cfg, void **state, char *err,
                     size_t errlen) {
    struct central *s = node_alloc(1, sizeof *s);
    *state = s;
    s->queue = node_alloc((size_t)node_count(n), sizeof(int));
    s->holder = -1;
    s->coordinator = (int)config_int(cfg, "mutex_central", "coordinator");
    cs_configure(n, &s->w, cfg, "mutex_central", T_REQUEST, T_EXIT);
    return config_check_node(cfg, "mutex_central", "coordinator", node_count(n), err, errlen);
}

static void grant(struct node *n, struct central *s, int to) {
    s->holder = to;
    struct grant_msg g = {++s->grants};
    node_send(n, to, GRANT, &g, sizeof g);
}

static void start(struct node *n, void *state) {
    struct central *s = state;
    node_name_coordinator(n, s->coordinator); /* coordinator@ crashes */
    if (node_id(n) == s->coordinator)
        node_done(n); /* it only answers */
    else
        cs_next(n, &s->w);
}

static void on_message(struct node *n, void *state, const struct message *m) {
    struct central *s = state;
    int N = node_count(n);
    switch (m->type) {
    case REQUEST:
        if (s->holder < 0)
            grant(n, s, m->src);
        else
            s->queue[(s->qhead + s->qlen++) % N] = m->src;
        break;
    case GRANT: {
        struct grant_msg g;
        node_payload(n, m, 0, &g, sizeof g);
        cs_enter(n, &s->w, g.number);
        break;
    }
    case RELEASE:
        s->holder = -1;
        if (s->qlen > 0) {
            int next = s->queue[s->qhead];
            s->qhead = (s->qhead + 1) % N;
            s->qlen--;
            grant(n, s, next);
        }
        break;
    }
}

static void on_timer(struct node *n, void *state, int id) {
    struct central *s = state;
    if (id == T_REQUEST) {
        cs_request(n, &s->w, 0);
        node_send(n, s->coordinator, REQUEST, NULL, 0);
    } else {
        cs_exit(n, &s->w);
        node_send(n, s->coordinator, RELEASE, NULL, 0);
        cs_next(n, &s->w);
    }
}

static void on_recover(struct node *n, void *state) {
    struct central *s = state;
    if (node_id(n) == s->coordinator) { /* its queue is gone */
        s->holder = -1;
        s->qlen = 0;
        node_done(n);
    } else {
        cs_recover(n, &s->w);
    }
}

static void destroy(void *state) {
    struct central *s = state;
    free(s->queue);
    free(s);
}

/* Every node but the coordinator makes its entries, 3 messages each. */
static void estimate(const struct config *cfg, int nodes, double seconds, int crashes,
                     struct record_estimate *out) {
    (void)crashes;
    out->messages = 3.0 * cs_estimate(cfg, "mutex_central", seconds, nodes - 1, out);
}

const struct algorithm algorithm_mutex_central = {
    .name = "mutex_central",
    .family = FAMILY_MUTEX,
    .summary = "central server mutual exclusion: REQUEST, GRANT, RELEASE (3 messages per entry)",
    .message_types = types,
    .params = params,
    .min_nodes = 2,
    .has_coordinator = 1,
    .configure = configure,
    .start = start,
    .on_message = on_message,
    .on_timer = on_timer,
    .on_recover = on_recover,
    .destroy = destroy,
    .estimate = estimate,
};
