/* Berkeley algorithm (R. Gusella and S. Zatti, "The accuracy of the clock
 * synchronization achieved by TEMPO in Berkeley UNIX 4.3BSD", IEEE TSE 15(7),
 * 1989; Coulouris et al., Distributed Systems, section 14.3.3).
 *
 * Every `period` the master (node [berkeley] master, or the elected
 * coordinator when an election runs below) asks every node for its clock
 * (TIME_REQUEST/TIME_REPLY) and estimates each node's offset from its own,
 * Cristian-style, at the reply: diff_i = T_i + RTT_i/2 - t_recv. With all
 * replies in (or after `timeout`) it takes the fault-tolerant average of the
 * diffs (its own is 0): the mean of those within `outlier` of their median
 * (estimators.h: ft_average). It sends every node the relative adjustment
 * avg - diff_i (ADJUST), and adjusts itself by avg. Nodes slew the
 * adjustment over `slew_time`, or step it when adjust = step. */
#include "api/algorithm.h"
#include "model/estimators.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { TIME_REQUEST, TIME_REPLY, ADJUST };
enum { T_ROUND, T_COLLECT };

static const char *const types[] = {"TIME_REQUEST", "TIME_REPLY", "ADJUST", NULL};

static const struct param params[] = {
    {.key = "master",
     .type = PARAM_INT,
     .default_value = "0",
     .help = "node index of the master (without an election)",
     .hi = 1 << 20},
    {.key = "period",
     .type = PARAM_TIME,
     .default_value = "100ms",
     .help = "time between rounds",
     .lo = CONFIG_MIN_PERIOD,
     .hi = HUGE_VAL},
    {.key = "rounds",
     .type = PARAM_INT,
     .default_value = "0",
     .help = "rounds, 0 = until the run ends",
     .hi = 1 << 30,
     .needs_duration = NEEDS_DURATION_AT_ZERO},
    {.key = "timeout",
     .type = PARAM_TIME,
     .default_value = "40ms",
     .help = "the master waits this long for replies",
     .lo = CONFIG_MIN_PERIOD,
     .hi = HUGE_VAL},
    {.key = "outlier",
     .type = PARAM_TIME,
     .default_value = "50ms",
     .help = "readings further than this from the median are left out of the average"},
    {.key = "adjust",
     .type = PARAM_STRING,
     .default_value = "slew",
     .help = "slew or step the adjustments",
     .choices = "slew|step"},
    {.key = "slew_time",
     .type = PARAM_TIME,
     .default_value = "50ms",
     .help = "span over which an adjustment is slewed"},
    {.key = NULL}};

struct request {
    int32_t round;
};

struct reply {
    int32_t round;
    double clock;
};

struct adjust {
    int32_t round, excluded;
    double adjustment, rtt, estimated_offset;
};

struct berkeley {
    int master, step;
    long rounds;
    double period, timeout, outlier, slew_time;
    int round, collecting, nreplies;
    double *t_send, *rtt, *diff; /* [N], master only */
    int *replied;
};

static int configure(struct node *n, const struct config *cfg, void **state, char *err,
                     size_t errlen) {
    struct berkeley *s = node_alloc(1, sizeof *s);
    *state = s;
    size_t N = (size_t)node_count(n);
    s->master = (int)config_int(cfg, "berkeley", "master");
    s->period = config_time(cfg, "berkeley", "period");
    s->rounds = config_int(cfg, "berkeley", "rounds");
    s->timeout = config_time(cfg, "berkeley", "timeout");
    s->outlier = config_time(cfg, "berkeley", "outlier");
    s->step = strcmp(config_get(cfg, "berkeley", "adjust"), "step") == 0;
    s->slew_time = config_time(cfg, "berkeley", "slew_time");
    s->round = -1;
    s->t_send = node_alloc(N, sizeof(double));
    s->rtt = node_alloc(N, sizeof(double));
    s->diff = node_alloc(N, sizeof(double));
    s->replied = node_alloc(N, sizeof(int));
    if (config_check_node(cfg, "berkeley", "master", node_count(n), err, errlen)) return -1;
    if (s->timeout >= s->period) /* name the key that was given */
        return strcmp(config_origin(cfg, "berkeley", "timeout"), "default") == 0
                   ? config_fail(cfg, "berkeley", "period", err, errlen,
                                 "must be longer than [berkeley] timeout")
                   : config_fail(cfg, "berkeley", "timeout", err, errlen,
                                 "must be shorter than the period");
    return 0;
}

static int is_master(struct node *n, const struct berkeley *s) {
    return node_id(n) == node_coordinator(n, s->master);
}

static void apply(struct node *n, struct berkeley *s, double adj, const struct round_info *info) {
    if (s->step)
        node_clock_step(n, adj, info);
    else
        node_clock_slew(n, adj, s->slew_time, info);
}

/* The master has the readings it will get: average and send adjustments. */
static void finish_round(struct node *n, struct berkeley *s) {
    int N = node_count(n), me = node_id(n), k = 0;
    s->collecting = 0;
    node_cancel_timer(n, T_COLLECT);
    double *values = node_alloc((size_t)N, sizeof *values);
    int *who = node_alloc((size_t)N, sizeof *who),
        *excluded = node_alloc((size_t)N, sizeof *excluded);
    values[k] = 0.0; /* the master's own clock */
    who[k++] = me;
    for (int i = 0; i < N; i++)
        if (i != me && s->replied[i]) {
            values[k] = s->diff[i];
            who[k++] = i;
        }
    double avg = ft_average(values, (size_t)k, s->outlier, excluded);
    for (int j = 1; j < k; j++) {
        int i = who[j];
        struct adjust a = {s->round, excluded[j], avg - s->diff[i], s->rtt[i], s->diff[i] - avg};
        node_send(n, i, ADJUST, &a, sizeof a);
    }
    struct round_info info = {
        .round = s->round, .rtt = 0.0, .estimated_offset = -avg, .excluded = excluded[0]};
    apply(n, s, avg, &info);
    free(values);
    free(who);
    free(excluded);
    if (s->rounds > 0 && s->round + 1 >= s->rounds) node_done(n);
}

static void start_round(struct node *n, struct berkeley *s) {
    if (s->rounds > 0 && s->round + 1 >= s->rounds) return; /* every round is done */
    if (!is_master(n, s)) { /* look again next period: the master may change */
        node_set_timer(n, s->period, T_ROUND);
        return;
    }
    if (s->collecting) finish_round(n, s);
    int N = node_count(n), me = node_id(n);
    s->round++;
    if (s->rounds == 0 || s->round + 1 < s->rounds) node_set_timer(n, s->period, T_ROUND);
    s->collecting = 1;
    s->nreplies = 0;
    struct request rq = {s->round};
    for (int i = 0; i < N; i++) {
        s->replied[i] = 0;
        if (i == me) continue;
        s->t_send[i] = node_local_time(n);
        node_send(n, i, TIME_REQUEST, &rq, sizeof rq);
    }
    node_set_timer(n, s->timeout, T_COLLECT);
}

static void start(struct node *n, void *state) {
    struct berkeley *s = state;
    node_name_coordinator(n, s->master);
    if (s->rounds > 0 && !is_master(n, s) && !node_leader_elected(n)) node_done(n);
    start_round(n, s);
}

static void on_message(struct node *n, void *state, const struct message *m) {
    struct berkeley *s = state;
    if (m->type == TIME_REQUEST) {
        struct request rq;
        node_payload(n, m, 0, &rq, sizeof rq);
        struct reply rp = {rq.round, node_local_time(n)};
        node_send(n, m->src, TIME_REPLY, &rp, sizeof rp);
    } else if (m->type == TIME_REPLY) {
        struct reply rp;
        node_payload(n, m, 0, &rp, sizeof rp);
        if (!s->collecting || rp.round != s->round || s->replied[m->src]) return;
        double t_recv = node_local_time(n);
        s->rtt[m->src] = t_recv - s->t_send[m->src];
        s->diff[m->src] = rp.clock + 0.5 * s->rtt[m->src] - t_recv;
        s->replied[m->src] = 1;
        if (++s->nreplies == node_count(n) - 1) finish_round(n, s);
    } else {
        struct adjust a;
        node_payload(n, m, 0, &a, sizeof a);
        struct round_info info = {.round = a.round,
                                  .rtt = a.rtt,
                                  .estimated_offset = a.estimated_offset,
                                  .excluded = a.excluded};
        s->round = a.round > s->round ? a.round : s->round;
        apply(n, s, a.adjustment, &info);
    }
}

static void on_timer(struct node *n, void *state, int id) {
    struct berkeley *s = state;
    if (id == T_ROUND)
        start_round(n, s);
    else if (s->collecting)
        finish_round(n, s); /* some nodes did not answer in time */
}

static void on_recover(struct node *n, void *state) {
    struct berkeley *s = state;
    s->collecting = 0;
    start_round(n, s);
}

static void destroy(void *state) {
    struct berkeley *s = state;
    free(s->t_send);
    free(s->rtt);
    free(s->diff);
    free(s->replied);
    free(s);
}

/* Every period the master polls the N-1 others (request, reply, adjust)
 * and every node records one clock/rounds row. */
static void estimate(const struct config *cfg, int nodes, double seconds, int crashes,
                     struct record_estimate *out) {
    (void)crashes;
    double r = algorithm_repeats(seconds, config_time(cfg, "berkeley", "period"),
                                 config_int(cfg, "berkeley", "rounds"));
    out->messages = 3.0 * (nodes - 1) * r;
    out->rounds = (double)nodes * r;
    out->timers = 2.0 * nodes * r; /* the period, and the master's collection timeout */
    out->key = "period";
}

const struct algorithm algorithm_berkeley = {
    .name = "berkeley",
    .family = FAMILY_CLOCK_SYNC,
    .summary = "Gusella & Zatti 1989: master polls, fault-tolerant average, relative adjustments",
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
