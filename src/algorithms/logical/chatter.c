/* Chatter: Lamport clocks over random unicast, the traffic of the vector
 * clock scenario without the vectors (a vector clock costs O(N) per event
 * and message, which a 10,000-node run cannot carry).
 *
 * Every node waits `interval` (a distribution, drawn per wait with the
 * node's generator), then sends one message to another node drawn uniformly
 * at random, `rounds` times or until the run ends. Clocks follow Lamport's
 * rules (L. Lamport, "Time, clocks, and the ordering of events in a
 * distributed system", CACM 21(7), 1978): a send is an event, L = L + 1 and
 * the message carries L (IR1); a receive sets L = max(L, T_m) + 1 (IR2).
 * Every send and receive is a row of events/table with its Lamport
 * timestamp, so that a -> b implies L(a) < L(b) can be checked on the trace. */
#include "api/algorithm.h"

#include <gsl/gsl_rng.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { MSG };
enum { T_NEXT };

static const char *const types[] = {"MSG", NULL};

static const struct param params[] = {{.key = "interval",
                                       .type = PARAM_DIST,
                                       .default_value = "uniform(2ms, 10ms)",
                                       .help = "wait of a node before each of its sends",
                                       .dist_unit = DIST_INTERVAL,
                                       .lo = CONFIG_MIN_PERIOD,
                                       .hi = 1e9},
                                      {.key = "rounds",
                                       .type = PARAM_INT,
                                       .default_value = "0",
                                       .help = "sends per node, 0 = until the run ends",
                                       .hi = 1 << 30,
                                       .needs_duration = NEEDS_DURATION_AT_ZERO},
                                      {.key = NULL}};

struct chatter {
    struct dist interval;
    long rounds, sent;
    uint64_t lamport;
};

static int configure(struct node *n, const struct config *cfg, void **state, char *err,
                     size_t errlen) {
    (void)n, (void)err, (void)errlen;
    struct chatter *s = node_alloc(1, sizeof *s);
    *state = s;
    config_dist(cfg, "chatter", "interval", &s->interval);
    s->rounds = config_int(cfg, "chatter", "rounds");
    return 0;
}

static void wait_next(struct node *n, struct chatter *s) {
    node_set_timer(n, dist_sample(&s->interval, node_rng(n), node_id(n)), T_NEXT);
}

static void start(struct node *n, void *state) {
    wait_next(n, state);
}

static void on_timer(struct node *n, void *state, int id) {
    struct chatter *s = state;
    (void)id;
    int me = node_id(n);
    int dst = (int)gsl_rng_uniform_int(node_rng(n), (unsigned long)node_count(n) - 1);
    if (dst >= me) dst++; /* uniform over the others */
    uint64_t stamp = ++s->lamport;
    uint64_t msg = node_send(n, dst, MSG, &stamp, sizeof stamp);
    node_record_event(n, EVENT_SEND, dst, MSG, msg, stamp, NULL);
    if (s->rounds > 0 && ++s->sent >= s->rounds)
        node_done(n);
    else
        wait_next(n, s);
}

static void on_message(struct node *n, void *state, const struct message *m) {
    struct chatter *s = state;
    uint64_t stamp;
    node_payload(n, m, 0, &stamp, sizeof stamp);
    s->lamport = (stamp > s->lamport ? stamp : s->lamport) + 1;
    node_record_event(n, EVENT_RECEIVE, m->src, MSG, m->id, s->lamport, NULL);
}

static void on_recover(struct node *n, void *state) {
    struct chatter *s = state;
    if (s->rounds == 0 || s->sent < s->rounds) wait_next(n, s);
}

/* A send every interval per node, each a SEND and a RECEIVE row. */
static void estimate(const struct config *cfg, int nodes, double seconds, int crashes,
                     struct record_estimate *out) {
    (void)crashes;
    struct dist interval;
    config_dist(cfg, "chatter", "interval", &interval);
    double lo, hi;
    dist_mean_range(&interval, &lo, &hi);
    double sends = nodes * algorithm_repeats(seconds, lo, config_int(cfg, "chatter", "rounds"));
    out->messages = sends;
    out->events = 2.0 * sends;
    out->timers = sends;
    out->key = "interval";
}

const struct algorithm algorithm_chatter = {
    .name = "chatter",
    .family = FAMILY_LOGICAL_CLOCK,
    .summary = "Lamport clocks over random unicast every interval (vector-clock traffic, no "
               "vectors)",
    .message_types = types,
    .params = params,
    .min_nodes = 2,
    .records_events = 1,
    .configure = configure,
    .start = start,
    .on_message = on_message,
    .on_timer = on_timer,
    .on_recover = on_recover,
    .estimate = estimate,
};
