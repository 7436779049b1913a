/* SKaMPI's clock offsets (R. Reussner, P. Sanders, L. Prechelt, M. Mueller,
 * "SKaMPI: a detailed, accurate MPI benchmark", EuroPVM/MPI 1998; as the
 * SKaMPI module of Hunold & Carpen-Amarie's mpi-time-sync).
 *
 * The reference node measures every other node's clock against its own, one
 * node at a time: it gives node i the TURN, node i takes `pingpongs`
 * PING/PONG exchanges with the reference back to back, takes the offset
 * they bracket (the intersection of their intervals, at worst the min-RTT
 * exchange's; estimators.h: struct pingpong) and corrects its clock by it (a
 * linear model with slope 0), then answers
 * DONE and the reference gives the next node its turn. Every node ends with
 * its model in clock/models; the reference's own is (0, 0). When the last
 * node is done the reference sends FINISH to all and every node is done.
 * The nodes that wait sleep (the runtime's idle ranks), so the measured
 * pair has the CPUs. Error of node i: at most half the bracket, <= min RTT / 2. */
#include "algorithms/hpc_sync/pingpong_session.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

enum { TURN, PING, PONG, DONE, FINISH };

static const char *const types[] = {"TURN", "PING", "PONG", "DONE", "FINISH", NULL};

static const struct param params[] = {
    PINGPONG_PARAM_REFERENCE,
    PINGPONG_PARAM_PINGPONGS("20", "ping-pongs per node; the min-RTT one gives its offset"),
    {.key = NULL}};

struct skampi {
    int reference;
    int next; /* reference: the node whose turn comes next */
    struct pingpong_session pp;
};

static void destroy(void *state) {
    struct skampi *s = state;
    pingpong_session_free(&s->pp);
    free(s);
}

static int configure(struct node *n, const struct config *cfg, void **state, char *err,
                     size_t errlen) {
    struct skampi *s = node_alloc(1, sizeof *s);
    *state = s;
    s->reference = (int)config_int(cfg, "skampi", "reference");
    pingpong_session_init(&s->pp, PING, PONG, (int)config_int(cfg, "skampi", "pingpongs"), 0);
    pingpong_session_begin(&s->pp, s->reference);
    if (config_check_node(cfg, "skampi", "reference", node_count(n), err, errlen)) return -1;
    return algorithm_needs_reliable_network(cfg, "skampi", err, errlen);
}

/* The reference: give the next node its turn, or end. */
static void next_turn(struct node *n, struct skampi *s) {
    if (s->next == s->reference) s->next++;
    if (s->next < node_count(n)) {
        node_send(n, s->next++, TURN, NULL, 0);
        return;
    }
    node_broadcast(n, FINISH, NULL, 0);
    node_done(n);
}

static void start(struct node *n, void *state) {
    struct skampi *s = state;
    if (node_id(n) != s->reference) return;
    pingpong_reference_model(n, s->reference);
    next_turn(n, s);
}

/* A node's ping-pongs are in: the offset they all bracket, slope 0. */
static void correct(struct node *n, struct skampi *s) {
    struct model_info info = {.reference = s->reference,
                              .points = 1,
                              .rtt = s->pp.point.rtt,
                              .bound = NAN,
                              .slope_bound = 0.0};
    double offset = pingpong_offset(&s->pp.point, &info.bound);
    node_clock_model(n, offset, 0.0, &info);
    node_send(n, s->reference, DONE, NULL, 0);
}

static void on_message(struct node *n, void *state, const struct message *m) {
    struct skampi *s = state;
    switch (m->type) {
    case PING: /* the reference answers with its clock */
    case PONG:
        if (pingpong_session_on_message(n, &s->pp, m)) correct(n, s);
        break;
    case TURN:
        pingpong_session_start_point(n, &s->pp);
        break;
    case DONE:
        next_turn(n, s);
        break;
    case FINISH:
        node_done(n);
        break;
    }
}

static void estimate(const struct config *cfg, int nodes, double seconds, int crashes,
                     struct record_estimate *out) {
    (void)seconds, (void)crashes;
    out->messages = (nodes - 1.0) * (2.0 * (double)config_int(cfg, "skampi", "pingpongs") + 3.0);
    out->key = "pingpongs";
}

const struct algorithm algorithm_skampi = {
    .name = "skampi",
    .family = FAMILY_CLOCK_SYNC,
    .summary = "SKaMPI: the reference measures each node in turn, min-RTT ping-pong offset",
    .message_types = types,
    .params = params,
    .min_nodes = 2,
    .configure = configure,
    .start = start,
    .on_message = on_message,
    .destroy = destroy,
    .estimate = estimate,
};
