/* Cristian's algorithm (F. Cristian, "Probabilistic clock synchronization",
 * Distributed Computing 3, 1989), with minimum-RTT sample selection.
 *
 * The time server (node [cristian] server, or the elected coordinator when
 * an election runs below) answers REQUEST with its clock reading. Every
 * other node, each round, takes `samples` request/reply pairs one after the
 * other, keeps the one with the smallest round-trip time and steps its clock
 * to server time + RTT/2 (estimators.h: cristian_offset). Error bound per
 * round: RTT/2 - minimum one-way delay. */
#include "api/algorithm.h"
#include "model/estimators.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

enum { REQUEST, REPLY };
enum { T_ROUND, T_TIMEOUT };

static const char *const types[] = {"REQUEST", "REPLY", NULL};

static const struct param params[] = {
    {.key = "server",
     .type = PARAM_INT,
     .default_value = "0",
     .help = "node index of the time server (without an election)",
     .hi = 1 << 20},
    {.key = "samples",
     .type = PARAM_INT,
     .default_value = "8",
     .help = "request/reply pairs per round; the min-RTT one is used",
     .lo = 1,
     .hi = 100000},
    {.key = "period",
     .type = PARAM_TIME,
     .default_value = "100ms",
     .help = "time between rounds",
     .lo = CONFIG_MIN_PERIOD,
     .hi = HUGE_VAL},
    {.key = "rounds",
     .type = PARAM_INT,
     .default_value = "0",
     .help = "rounds per client, 0 = until the run ends",
     .hi = 1 << 30,
     .needs_duration = NEEDS_DURATION_AT_ZERO},
    {.key = "timeout",
     .type = PARAM_TIME,
     .default_value = "50ms",
     .help = "a sample without reply after this is given up",
     .lo = CONFIG_MIN_PERIOD,
     .hi = HUGE_VAL},
    {.key = NULL}};

struct request {
    int32_t round, sample;
};

struct reply {
    int32_t round, sample;
    double server_time;
};

struct cristian {
    int server, samples;
    long rounds;
    double period, timeout;
    int round, sample;
    int in_round; /* a round's samples are still being taken */
    double t_send, best_rtt, best_offset;
};

static int configure(struct node *n, const struct config *cfg, void **state, char *err,
                     size_t errlen) {
    struct cristian *s = node_alloc(1, sizeof *s);
    s->server = (int)config_int(cfg, "cristian", "server");
    s->samples = (int)config_int(cfg, "cristian", "samples");
    s->rounds = config_int(cfg, "cristian", "rounds");
    s->period = config_time(cfg, "cristian", "period");
    s->timeout = config_time(cfg, "cristian", "timeout");
    s->round = -1;
    *state = s;
    return config_check_node(cfg, "cristian", "server", node_count(n), err, errlen);
}

static int server_of(struct node *n, const struct cristian *s) {
    return node_coordinator(n, s->server);
}

static void send_request(struct node *n, struct cristian *s) {
    struct request rq = {s->round, s->sample};
    s->t_send = node_local_time(n);
    node_send(n, server_of(n, s), REQUEST, &rq, sizeof rq);
    node_set_timer(n, s->timeout, T_TIMEOUT);
}

static void end_round(struct node *n, struct cristian *s) {
    s->in_round = 0;
    node_cancel_timer(n, T_TIMEOUT);
    if (isfinite(s->best_rtt)) {
        struct round_info info = {
            .round = s->round, .rtt = s->best_rtt, .estimated_offset = s->best_offset};
        node_clock_step(n, -s->best_offset, &info);
    }
    if (s->rounds > 0 && s->round + 1 >= s->rounds) node_done(n);
}

static void start_round(struct node *n, struct cristian *s) {
    if (s->rounds > 0 && s->round + 1 >= s->rounds) return; /* every round is done */
    int server = server_of(n, s);
    if (server < 0 || server == node_id(n)) { /* no server known, or I am it: look again later */
        node_set_timer(n, s->period, T_ROUND);
        return;
    }
    /* Lost requests or replies cost a timeout each: a round can outlast the
     * period. It ends with the samples it has, rather than being dropped
     * (under loss 0.2 some clients never finished a round before). */
    if (s->in_round) end_round(n, s);
    s->round++;
    if (s->rounds == 0 || s->round + 1 < s->rounds) node_set_timer(n, s->period, T_ROUND);
    s->sample = 0;
    s->best_rtt = INFINITY;
    s->in_round = 1;
    send_request(n, s);
}

static void next_sample(struct node *n, struct cristian *s) {
    if (++s->sample < s->samples)
        send_request(n, s);
    else
        end_round(n, s);
}

static void start(struct node *n, void *state) {
    struct cristian *s = state;
    node_name_coordinator(n, s->server);
    if (node_id(n) == server_of(n, s) && !node_leader_elected(n)) {
        node_done(n); /* the server only answers */
        return;
    }
    start_round(n, s);
}

static void on_message(struct node *n, void *state, const struct message *m) {
    struct cristian *s = state;
    if (m->type == REQUEST) {
        struct request rq;
        node_payload(n, m, 0, &rq, sizeof rq);
        struct reply rp = {rq.round, rq.sample, node_local_time(n)};
        node_send(n, m->src, REPLY, &rp, sizeof rp);
        return;
    }
    struct reply rp;
    node_payload(n, m, 0, &rp, sizeof rp);
    if (rp.round != s->round || rp.sample != s->sample) return; /* late reply */
    double t_recv = node_local_time(n), rtt = t_recv - s->t_send;
    node_cancel_timer(n, T_TIMEOUT);
    if (rtt < s->best_rtt) {
        s->best_rtt = rtt;
        s->best_offset = cristian_offset(s->t_send, rp.server_time, t_recv);
    }
    next_sample(n, s);
}

static void on_timer(struct node *n, void *state, int id) {
    struct cristian *s = state;
    if (id == T_ROUND)
        start_round(n, s);
    else
        next_sample(n, s); /* the reply did not come in time */
}

static void on_recover(struct node *n, void *state) {
    struct cristian *s = state;
    s->in_round = 0; /* the round the crash cut off: its samples are stale */
    start_round(n, s);
}

/* Every period each client sends `samples` requests and records a round. */
static void estimate(const struct config *cfg, int nodes, double seconds, int crashes,
                     struct record_estimate *out) {
    (void)crashes;
    double r = algorithm_repeats(seconds, config_time(cfg, "cristian", "period"),
                                 config_int(cfg, "cristian", "rounds"));
    out->messages = 2.0 * (double)config_int(cfg, "cristian", "samples") * (nodes - 1) * r;
    out->rounds = (double)(nodes - 1) * r;
    out->timers = ((double)config_int(cfg, "cristian", "samples") + 1.0) * (nodes - 1) * r;
    out->key = "period";
}

const struct algorithm algorithm_cristian = {
    .name = "cristian",
    .family = FAMILY_CLOCK_SYNC,
    .summary = "Cristian 1989: clients poll a time server, min-RTT sample, step to T+RTT/2",
    .message_types = types,
    .params = params,
    .min_nodes = 2,
    .has_coordinator = 1,
    .configure = configure,
    .start = start,
    .on_message = on_message,
    .on_timer = on_timer,
    .on_recover = on_recover,
    .estimate = estimate,
};
