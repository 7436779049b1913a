/* Hierarchical clock synchronization, HCA3 (S. Hunold, A. Carpen-Amarie,
 * "Hierarchical clock synchronization in MPI", IEEE Cluster 2018; as the
 * HCA3 and HCA3O modules of their mpi-time-sync).
 *
 * With R = floor(log2 p) and M = 2^R, the nodes below M form a binomial tree
 * rooted at node 0: node c > 0 has parent c - lowbit(c), and a parent p
 * serves its children p + 2^(i-1) for every i = R..1 with 2^i dividing p,
 * largest first; a node c >= M has parent c - M, served last. In round i
 * of HCA3 the parents of stride 2^(i-1) learn their children's models; here
 * each parent gives its children their TURN one after another as soon as
 * its own clock is corrected, so the rounds overlap as far as the tree
 * allows and there are log2 p of them on the longest path (O(log p) time
 * when pairs run in parallel).
 *
 * In its TURN a child takes `fitpoints` rounds of `pingpongs` PING/PONG
 * ping-pongs with its parent, `interval` apart (estimators.h: struct
 * pingpong). With model = linear each round gives a fit point, the offset of
 * its min-RTT exchange at that exchange's local time (within RTT/2), and the
 * child fits offset = intercept + slope x local time (estimators.h:
 * linear_fit, GSL gsl_fit_linear); with model = offset (HCA3O) the slope is 0
 * and the intercept the offset that all its ping-pongs bracket (SKaMPI's
 * intersection). Since the parent's clock is
 * already corrected, the child's model is of its offset from the root: the
 * models of the path combine along the tree (the child's model composed
 * with its parent's, and so on up). Every node ends with its model in
 * clock/models (reference = its parent; the root's is (0, 0)).
 *
 * A node whose subtree has its models tells its parent (UP); when the root
 * hears from all its children it sends FINISH down the tree and every node
 * is done. Waiting nodes sleep (the runtime's idle ranks). */
#include "algorithms/hpc_sync/pingpong_session.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { TURN, PING, PONG, DONE, UP, FINISH };
enum { T_NEXT };

static const char *const types[] = {"TURN", "PING", "PONG", "DONE", "UP", "FINISH", NULL};

#define MAX_CHILDREN 32 /* log2 of the largest node count, plus one */

static const struct param params[] = {
    {.key = "model",
     .type = PARAM_STRING,
     .default_value = "linear",
     .help = "linear (HCA3: offset and drift) or offset (HCA3O: offset only)",
     .choices = "linear|offset"},
    PINGPONG_PARAM_FITPOINTS(1, "offset measurements per node (model = linear: at least 2)"),
    PINGPONG_PARAM_PINGPONGS("10", "ping-pongs per fit point; the min-RTT one gives its offset"),
    PINGPONG_PARAM_INTERVAL("time between a node's fit points (0 = at once)"),
    {.key = NULL}};

struct hca {
    int linear, fitpoints;
    double interval;
    int parent; /* -1 at the root */
    int children[MAX_CHILDREN], nchildren;
    int next_child, ups, synced, reported;
    struct pingpong_session pp; /* with the parent: exchanges and fit points */
};

static void destroy(void *state) {
    struct hca *s = state;
    pingpong_session_free(&s->pp);
    free(s);
}

/* The tree of HCA3 on p nodes (see the top of the file). */
static void tree(struct hca *s, int me, int p) {
    int rounds = 0;
    while ((2 << rounds) <= p)
        rounds++;
    int m = 1 << rounds;
    s->parent = me == 0 ? -1 : me >= m ? me - m : me & (me - 1);
    s->nchildren = 0;
    if (me >= m) return;
    for (int i = rounds; i >= 1; i--)
        if (me % (1 << i) == 0) s->children[s->nchildren++] = me + (1 << (i - 1));
    if (me + m < p) s->children[s->nchildren++] = me + m;
}

static int configure(struct node *n, const struct config *cfg, void **state, char *err,
                     size_t errlen) {
    struct hca *s = node_alloc(1, sizeof *s);
    *state = s;
    s->linear = strcmp(config_get(cfg, "hca", "model"), "linear") == 0;
    s->fitpoints = (int)config_int(cfg, "hca", "fitpoints");
    s->interval = config_time(cfg, "hca", "interval");
    if (s->linear && s->fitpoints < 2)
        return config_fail(cfg, "hca", "fitpoints", err, errlen,
                           "model = linear fits a line to at least 2");
    tree(s, node_id(n), node_count(n));
    pingpong_session_init(&s->pp, PING, PONG, (int)config_int(cfg, "hca", "pingpongs"),
                          s->fitpoints);
    return algorithm_needs_reliable_network(cfg, "hca", err, errlen);
}

/* When this node and every node below it have their models: tell the
 * parent, or at the root start FINISH down the tree. */
static void report(struct node *n, struct hca *s) {
    if (s->reported || !s->synced || s->next_child < s->nchildren || s->ups < s->nchildren) return;
    s->reported = 1;
    if (s->parent >= 0) {
        node_send(n, s->parent, UP, NULL, 0);
        return;
    }
    for (int i = 0; i < s->nchildren; i++)
        node_send(n, s->children[i], FINISH, NULL, 0);
    node_done(n);
}

/* A corrected clock serves its children, one at a time. */
static void serve_next_child(struct node *n, struct hca *s) {
    if (s->next_child < s->nchildren)
        node_send(n, s->children[s->next_child++], TURN, NULL, 0);
    else
        report(n, s);
}

/* The last fit point is in: the model, then the children's turns. */
static void correct(struct node *n, struct hca *s) {
    struct model_info info = {.reference = s->parent,
                              .points = s->pp.points,
                              .rtt = s->pp.all.rtt,
                              .bound = NAN,
                              .slope_bound = 0.0};
    double offset = pingpong_offset(&s->pp.all, &info.bound), intercept = offset, slope = 0.0;
    if (s->linear && pingpong_session_fit(n, &s->pp, &intercept, &slope, &info) != 0) {
        intercept = pingpong_offset(&s->pp.all, &info.bound); /* no slope to fit */
        slope = 0.0;
        info.slope_bound = 0.0;
    }
    node_clock_model(n, intercept, slope, &info);
    s->synced = 1;
    node_send(n, s->parent, DONE, NULL, 0);
    serve_next_child(n, s);
}

static void fit_point(struct node *n, struct hca *s) {
    pingpong_session_keep_point(&s->pp);
    if (s->pp.points == s->fitpoints)
        correct(n, s);
    else if (s->interval > 0)
        node_set_timer(n, s->interval, T_NEXT);
    else
        pingpong_session_start_point(n, &s->pp);
}

static void start(struct node *n, void *state) {
    struct hca *s = state;
    if (s->parent >= 0) return; /* wait for the parent's TURN */
    pingpong_reference_model(n, 0);
    s->synced = 1;
    serve_next_child(n, s);
}

static void on_message(struct node *n, void *state, const struct message *m) {
    struct hca *s = state;
    switch (m->type) {
    case PING:
    case PONG:
        if (pingpong_session_on_message(n, &s->pp, m)) fit_point(n, s);
        break;
    case TURN:
        pingpong_session_begin(&s->pp, s->parent);
        pingpong_session_start_point(n, &s->pp);
        break;
    case DONE:
        serve_next_child(n, s);
        break;
    case UP:
        s->ups++;
        report(n, s);
        break;
    case FINISH:
        for (int i = 0; i < s->nchildren; i++)
            node_send(n, s->children[i], FINISH, NULL, 0);
        node_done(n);
        break;
    }
}

static void on_timer(struct node *n, void *state, int id) {
    struct hca *s = state;
    if (id == T_NEXT) pingpong_session_start_point(n, &s->pp);
}

static void estimate(const struct config *cfg, int nodes, double seconds, int crashes,
                     struct record_estimate *out) {
    (void)seconds, (void)crashes;
    double points = (double)config_int(cfg, "hca", "fitpoints");
    out->messages =
        (nodes - 1.0) * (points * 2.0 * (double)config_int(cfg, "hca", "pingpongs") + 4.0);
    out->timers = (nodes - 1.0) * points;
    out->key = "fitpoints";
}

const struct algorithm algorithm_hca = {
    .name = "hca",
    .family = FAMILY_CLOCK_SYNC,
    .summary = "Hunold & Carpen-Amarie 2018, HCA3: pairwise linear models along a binomial tree, "
               "log2 p rounds",
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
