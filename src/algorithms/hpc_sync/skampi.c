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
#include "api/algorithm.h"
#include "model/estimators.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

enum { TURN, PING, PONG, DONE, FINISH };

static const char *const types[] = {"TURN", "PING", "PONG", "DONE", "FINISH", NULL};

static const struct param params[] = {
    {.key = "reference",
     .type = PARAM_INT,
     .default_value = "0",
     .help = "node index of the reference clock",
     .hi = 1 << 20},
    {.key = "pingpongs",
     .type = PARAM_INT,
     .default_value = "20",
     .help = "ping-pongs per node; the min-RTT one gives its offset",
     .lo = 1,
     .hi = 100000},
    {.key = NULL}};

struct ping {
    int32_t seq;
};

struct pong {
    int32_t seq;
    double time;
};

struct skampi {
    int reference, pingpongs;
    int next;      /* reference: the node whose turn comes next */
    int seq;       /* a node: the exchange under way */
    double t_send; /* a node: its clock when that PING left */
    struct pingpong m;
};

static int configure(struct node *n, const struct config *cfg, void **state, char *err,
                     size_t errlen) {
    struct skampi *s = node_alloc(1, sizeof *s);
    *state = s;
    s->reference = (int)config_int(cfg, "skampi", "reference");
    s->pingpongs = (int)config_int(cfg, "skampi", "pingpongs");
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

static void send_ping(struct node *n, struct skampi *s) {
    struct ping p = {s->seq};
    s->t_send = node_local_time(n);
    node_send(n, s->reference, PING, &p, sizeof p);
}

static void start(struct node *n, void *state) {
    struct skampi *s = state;
    if (node_id(n) != s->reference) return;
    struct model_info info = {
        .reference = s->reference, .points = 0, .rtt = NAN, .bound = 0.0, .slope_bound = 0.0};
    node_clock_model(n, 0.0, 0.0, &info);
    next_turn(n, s);
}

static void on_message(struct node *n, void *state, const struct message *m) {
    struct skampi *s = state;
    switch (m->type) {
    case PING: { /* the reference answers with its clock */
        struct ping p;
        node_payload(n, m, 0, &p, sizeof p);
        struct pong r = {p.seq, 0.0};
        r.time = node_local_time(n);
        node_send(n, m->src, PONG, &r, sizeof r);
        break;
    }
    case PONG: {
        double t_recv = node_local_time(n);
        struct pong r;
        node_payload(n, m, 0, &r, sizeof r);
        if (r.seq != s->seq) break;
        pingpong_add(&s->m, s->t_send, r.time, t_recv);
        if (++s->seq < s->pingpongs) {
            send_ping(n, s);
            break;
        }
        struct model_info info = {.reference = s->reference,
                                  .points = 1,
                                  .rtt = s->m.rtt,
                                  .bound = NAN,
                                  .slope_bound = 0.0};
        double offset = pingpong_offset(&s->m, &info.bound);
        node_clock_model(n, offset, 0.0, &info);
        node_send(n, s->reference, DONE, NULL, 0);
        break;
    }
    case TURN:
        pingpong_reset(&s->m);
        s->seq = 0;
        send_ping(n, s);
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
    .estimate = estimate,
};
