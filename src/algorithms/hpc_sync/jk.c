/* Jones & Koenig's clock synchronization (T. Jones, G. A. Koenig, "Clock
 * synchronization in high-end computing environments: a strategy for
 * minimizing clock variance at runtime", J. Supercomputing 2013; as the JK
 * module of Hunold & Carpen-Amarie's mpi-time-sync).
 *
 * Offsets are measured over a time window and a line is fitted to them. The
 * reference sweeps over the other nodes `fitpoints` times, one node at a
 * time; in its TURN a node takes `pingpongs` PING/PONG exchanges with the
 * reference and keeps the one with the smallest round-trip time (estimators.h:
 * struct pingpong), a fit point: its local time, its offset within RTT/2. Sweeps start `interval`
 * apart, so the window is about fitpoints x (interval + one sweep). After its last fit point a node
 * fits offset = intercept + slope x local time by least squares (estimators.h: linear_fit, GSL
 * gsl_fit_linear) and corrects its clock with that model, which also cancels its drift from the
 * reference. Then FINISH as in skampi.c. */
#include "api/algorithm.h"
#include "model/estimators.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

enum { TURN, PING, PONG, DONE, FINISH };
enum { T_SWEEP };

static const char *const types[] = {"TURN", "PING", "PONG", "DONE", "FINISH", NULL};

#define MAX_FITPOINTS 100000

static const struct param params[] = {
    {.key = "reference",
     .type = PARAM_INT,
     .default_value = "0",
     .help = "node index of the reference clock",
     .hi = 1 << 20},
    {.key = "fitpoints",
     .type = PARAM_INT,
     .default_value = "20",
     .help = "offset measurements per node that the line is fitted to",
     .lo = 2,
     .hi = MAX_FITPOINTS},
    {.key = "pingpongs",
     .type = PARAM_INT,
     .default_value = "10",
     .help = "ping-pongs per fit point; the min-RTT one gives its offset",
     .lo = 1,
     .hi = 100000},
    {.key = "interval",
     .type = PARAM_TIME,
     .default_value = "5ms",
     .help = "time from the end of one sweep over the nodes to the next (0 = at once)",
     .lo = CONFIG_MIN_PERIOD,
     .hi = 3600,
     .zero_ok = 1},
    {.key = NULL}};

struct ping {
    int32_t seq;
};

struct pong {
    int32_t seq;
    double time;
};

struct jk {
    int reference, fitpoints, pingpongs;
    double interval;
    int sweep, next;    /* reference: the sweep under way, the next node */
    int seq, points;    /* a node: the exchange under way, fit points so far */
    double t_send, rtt; /* a node: its clock when that PING left; the smallest RTT */
    struct pingpong m;
    double *x, *y, *e; /* a node: its fit points (local time, offset, error bound) */
};

static void destroy(void *state) {
    struct jk *s = state;
    free(s->x);
    free(s->y);
    free(s->e);
    free(s);
}

static int configure(struct node *n, const struct config *cfg, void **state, char *err,
                     size_t errlen) {
    struct jk *s = node_alloc(1, sizeof *s);
    *state = s;
    s->reference = (int)config_int(cfg, "jk", "reference");
    s->fitpoints = (int)config_int(cfg, "jk", "fitpoints");
    s->pingpongs = (int)config_int(cfg, "jk", "pingpongs");
    s->interval = config_time(cfg, "jk", "interval");
    s->rtt = INFINITY;
    if (config_check_node(cfg, "jk", "reference", node_count(n), err, errlen)) return -1;
    s->x = node_alloc((size_t)s->fitpoints, sizeof *s->x);
    s->y = node_alloc((size_t)s->fitpoints, sizeof *s->y);
    s->e = node_alloc((size_t)s->fitpoints, sizeof *s->e);
    return algorithm_needs_reliable_network(cfg, "jk", err, errlen);
}

/* The reference: give the next node its turn, start the next sweep, or end. */
static void next_turn(struct node *n, struct jk *s) {
    if (s->next == s->reference) s->next++;
    if (s->next < node_count(n)) {
        node_send(n, s->next++, TURN, NULL, 0);
        return;
    }
    s->next = 0;
    if (++s->sweep < s->fitpoints) {
        if (s->interval > 0)
            node_set_timer(n, s->interval, T_SWEEP);
        else
            next_turn(n, s);
        return;
    }
    node_broadcast(n, FINISH, NULL, 0);
    node_done(n);
}

static void send_ping(struct node *n, struct jk *s) {
    struct ping p = {s->seq};
    s->t_send = node_local_time(n);
    node_send(n, s->reference, PING, &p, sizeof p);
}

/* A node's fit point is complete: keep it, and after the last one fit and correct. */
static void fit_point(struct node *n, struct jk *s) {
    s->x[s->points] = s->m.time;
    s->y[s->points] = s->m.offset;  /* the min-RTT exchange's: the offset at time x */
    s->e[s->points] = s->m.rtt / 2; /* Cristian's bound */
    s->points++;
    if (s->m.rtt < s->rtt) s->rtt = s->m.rtt;
    if (s->points == s->fitpoints) {
        double intercept, slope;
        struct model_info info = {.reference = s->reference,
                                  .points = s->points,
                                  .rtt = s->rtt,
                                  .bound = NAN,
                                  .slope_bound = NAN};
        size_t k = (size_t)s->points;
        if (linear_fit(s->x, s->y, k, &intercept, &slope, NULL) == 0 &&
            linear_fit_bounds(s->x, s->e, k, node_local_time(n), &info.bound, &info.slope_bound) ==
                0)
            node_clock_model(n, intercept, slope, &info);
    }
    node_send(n, s->reference, DONE, NULL, 0);
}

static void start(struct node *n, void *state) {
    struct jk *s = state;
    if (node_id(n) != s->reference) return;
    struct model_info info = {
        .reference = s->reference, .points = 0, .rtt = NAN, .bound = 0.0, .slope_bound = 0.0};
    node_clock_model(n, 0.0, 0.0, &info);
    next_turn(n, s);
}

static void on_message(struct node *n, void *state, const struct message *m) {
    struct jk *s = state;
    switch (m->type) {
    case PING: {
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
        if (++s->seq < s->pingpongs)
            send_ping(n, s);
        else
            fit_point(n, s);
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

static void on_timer(struct node *n, void *state, int id) {
    if (id == T_SWEEP) next_turn(n, state);
}

static void estimate(const struct config *cfg, int nodes, double seconds, int crashes,
                     struct record_estimate *out) {
    (void)seconds, (void)crashes;
    double points = (double)config_int(cfg, "jk", "fitpoints");
    out->messages =
        (nodes - 1.0) * (points * (2.0 * (double)config_int(cfg, "jk", "pingpongs") + 2.0) + 1.0);
    out->timers = points;
    out->key = "fitpoints";
}

const struct algorithm algorithm_jk = {
    .name = "jk",
    .family = FAMILY_CLOCK_SYNC,
    .summary = "Jones & Koenig 2013: offsets over a window, offset and drift by linear regression",
    .message_types = types,
    .params = params,
    .min_nodes = 2,
    .configure = configure,
    .start = start,
    .on_message = on_message,
    .on_timer = on_timer,
    .destroy = destroy,
    .estimate = estimate,
};
