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
#include "algorithms/hpc_sync/pingpong_session.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

enum { TURN, PING, PONG, DONE, FINISH };
enum { T_SWEEP };

static const char *const types[] = {"TURN", "PING", "PONG", "DONE", "FINISH", NULL};

static const struct param params[] = {
    PINGPONG_PARAM_REFERENCE,
    PINGPONG_PARAM_FITPOINTS(2, "offset measurements per node that the line is fitted to"),
    PINGPONG_PARAM_PINGPONGS("10", "ping-pongs per fit point; the min-RTT one gives its offset"),
    PINGPONG_PARAM_INTERVAL("time from the end of one sweep over the nodes to the next (0 = at "
                            "once)"),
    {.key = NULL}};

struct jk {
    int reference, fitpoints;
    double interval;
    int sweep, next;            /* reference: the sweep under way, the next node */
    struct pingpong_session pp; /* a node: its exchanges with the reference, its fit points */
};

static void destroy(void *state) {
    struct jk *s = state;
    pingpong_session_free(&s->pp);
    free(s);
}

static int configure(struct node *n, const struct config *cfg, void **state, char *err,
                     size_t errlen) {
    struct jk *s = node_alloc(1, sizeof *s);
    *state = s;
    s->reference = (int)config_int(cfg, "jk", "reference");
    s->fitpoints = (int)config_int(cfg, "jk", "fitpoints");
    s->interval = config_time(cfg, "jk", "interval");
    if (config_check_node(cfg, "jk", "reference", node_count(n), err, errlen)) return -1;
    pingpong_session_init(&s->pp, PING, PONG, (int)config_int(cfg, "jk", "pingpongs"),
                          s->fitpoints);
    pingpong_session_begin(&s->pp, s->reference);
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

/* A node's fit point is complete: keep it, and after the last one fit and correct. */
static void fit_point(struct node *n, struct jk *s) {
    pingpong_session_keep_point(&s->pp);
    if (s->pp.points == s->fitpoints) {
        double intercept, slope;
        struct model_info info = {.reference = s->reference,
                                  .points = s->pp.points,
                                  .rtt = s->pp.all.rtt,
                                  .bound = NAN,
                                  .slope_bound = NAN};
        if (pingpong_session_fit(n, &s->pp, &intercept, &slope, &info) == 0)
            node_clock_model(n, intercept, slope, &info);
    }
    node_send(n, s->reference, DONE, NULL, 0);
}

static void start(struct node *n, void *state) {
    struct jk *s = state;
    if (node_id(n) != s->reference) return;
    pingpong_reference_model(n, s->reference);
    next_turn(n, s);
}

static void on_message(struct node *n, void *state, const struct message *m) {
    struct jk *s = state;
    switch (m->type) {
    case PING:
    case PONG:
        if (pingpong_session_on_message(n, &s->pp, m)) fit_point(n, s);
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
