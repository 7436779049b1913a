/* Vector clocks (C. J. Fidge, "Timestamps in message-passing systems that
 * preserve the partial ordering", 11th Australian Computer Science Conf.,
 * 1988; F. Mattern, "Virtual time and global states of distributed systems",
 * Parallel and Distributed Algorithms, 1988), in the scenario of the classic
 * demo: clients that, every 2-10 time units, send their vector clock to one
 * other client chosen at random.
 *
 * Node i keeps a vector V (node_count entries) and, separately, a Lamport
 * scalar L (Lamport 1978; not derived from V). Every event first ticks the
 * own entry: V[i] += 1 and L += 1 for a send or an internal event; a receive
 * of (W, T) first merges, V = max(V, W) component-wise and L = max(L, T),
 * then ticks. So V[i] after an event is the number of events of node i so
 * far, and V(a) < V(b) exactly when a happens before b.
 *
 * Every client waits a time drawn from `interval`, then with probability
 * `internal` has an internal event, else sends (V, L) to one other client
 * drawn uniformly at random; then it waits again. Clients are all nodes but
 * the relay. With `relay` = -1 (the default) messages go straight to their
 * destination. With `relay` = r, node r is the demo's message server: clients
 * send to r, which receives (merging, as any process: the server is a
 * process of its own in the vector clock) and forwards (V, L) to the
 * destination client (a send event of the server). The relay never starts a
 * message itself.
 *
 * Every send, receive and internal event is a row of events/table with its
 * Lamport scalar and, in events/vector, V after the event. Times in seconds.
 * A crash pauses a node (no events; messages arriving while down are lost),
 * its V and L are kept. */
#include "api/algorithm.h"

#include <math.h>

#include <gsl/gsl_rng.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { VECTOR };
enum { T_NEXT };

static const char *const types[] = {"VECTOR", NULL};

static const struct param params[] = {
    {.key = "interval",
     .type = PARAM_DIST,
     .default_value = "uniform(2s, 10s)",
     .help = "wait of a client before each of its events",
     .lo = CONFIG_MIN_PERIOD,
     .hi = HUGE_VAL,
     .dist_unit = DIST_INTERVAL},
    {.key = "internal",
     .type = PARAM_REAL,
     .default_value = "0",
     .help = "probability that a client's event is internal, not a send",
     .hi = 1},
    {.key = "relay",
     .type = PARAM_INT,
     .default_value = "-1",
     .help = "node index of a server that relays every message, -1 = clients send directly",
     .lo = -1,
     .hi = 1 << 20},
    {.key = "rounds",
     .type = PARAM_INT,
     .default_value = "0",
     .help = "events per client (sends and internal), 0 = until the run ends",
     .hi = 1 << 30,
     .needs_duration = NEEDS_DURATION_AT_ZERO},
    {.key = NULL}};

struct header {   /* the payload: header, then node_count uint32 entries of V */
    int32_t dest; /* the client the message is for */
    int32_t unused;
    uint64_t lamport;
};

struct vector {
    struct dist interval;
    double internal;
    int relay;
    long rounds, done_rounds;
    int N;
    uint64_t lamport;
    uint32_t *v;
    unsigned char *buf; /* header + vector, for sending */
};

static int configure(struct node *n, const struct config *cfg, void **state, char *err,
                     size_t errlen) {
    struct vector *s = node_alloc(1, sizeof *s);
    *state = s;
    s->N = node_count(n);
    config_dist(cfg, "vector", "interval", &s->interval);
    s->internal = config_real(cfg, "vector", "internal");
    s->relay = (int)config_int(cfg, "vector", "relay");
    s->rounds = config_int(cfg, "vector", "rounds");
    s->v = node_alloc((size_t)s->N, sizeof *s->v);
    s->buf = node_alloc(sizeof(struct header) + (size_t)s->N * sizeof *s->v, 1);
    if (config_check_node(cfg, "vector", "relay", s->N, err, errlen)) return -1;
    if (s->relay >= 0 && s->N < 3)
        return config_fail(cfg, "vector", "relay", err, errlen,
                           "a relay needs at least 3 nodes (2 clients)");
    return 0;
}

static int is_client(struct node *n, const struct vector *s) {
    return node_id(n) != s->relay;
}

static void send_vector(struct node *n, struct vector *s, int dst, int dest) {
    s->v[node_id(n)]++;
    s->lamport++;
    struct header h = {dest, 0, s->lamport};
    size_t vbytes = (size_t)s->N * sizeof *s->v;
    memcpy(s->buf, &h, sizeof h);
    memcpy(s->buf + sizeof h, s->v, vbytes);
    uint64_t id = node_send(n, dst, VECTOR, s->buf, sizeof h + vbytes);
    node_record_event(n, EVENT_SEND, dst, VECTOR, id, s->lamport, s->v);
}

/* A client other than this node (and than the relay), uniformly. */
static int random_client(struct node *n, const struct vector *s) {
    int me = node_id(n), choices = s->N - 1 - (s->relay >= 0);
    int k = (int)gsl_rng_uniform_int(node_rng(n), (unsigned long)choices);
    for (int i = 0; i < s->N; i++) {
        if (i == me || i == s->relay) continue;
        if (k-- == 0) return i;
    }
    return -1; /* not reached */
}

static void client_event(struct node *n, struct vector *s) {
    if (s->internal > 0 && gsl_rng_uniform(node_rng(n)) < s->internal) {
        s->v[node_id(n)]++;
        s->lamport++;
        node_record_event(n, EVENT_INTERNAL, -1, -1, 0, s->lamport, s->v);
        return;
    }
    int dest = random_client(n, s);
    send_vector(n, s, s->relay >= 0 ? s->relay : dest, dest);
}

static void wait_next(struct node *n, struct vector *s) {
    node_set_timer(n, dist_sample(&s->interval, node_rng(n), node_id(n)), T_NEXT);
}

static void start(struct node *n, void *state) {
    struct vector *s = state;
    if (!is_client(n, s)) {
        node_done(n); /* the relay only answers; it keeps serving until all are done */
        return;
    }
    wait_next(n, s);
}

static void on_message(struct node *n, void *state, const struct message *m) {
    struct vector *s = state;
    struct header h;
    node_payload(n, m, 0, &h, sizeof h);
    for (int i = 0; i < s->N; i++) {
        uint32_t x;
        node_payload(n, m, sizeof h + (size_t)i * sizeof x, &x, sizeof x);
        if (x > s->v[i]) s->v[i] = x;
    }
    s->v[node_id(n)]++;
    s->lamport = (h.lamport > s->lamport ? h.lamport : s->lamport) + 1;
    node_record_event(n, EVENT_RECEIVE, m->src, VECTOR, m->id, s->lamport, s->v);
    if (h.dest != node_id(n) && h.dest >= 0 && h.dest < s->N)
        send_vector(n, s, h.dest, h.dest); /* the relay forwards */
}

static void on_timer(struct node *n, void *state, int id) {
    struct vector *s = state;
    (void)id;
    client_event(n, s);
    s->done_rounds++;
    if (s->rounds > 0 && s->done_rounds >= s->rounds)
        node_done(n);
    else
        wait_next(n, s);
}

static void on_recover(struct node *n, void *state) {
    struct vector *s = state;
    if (is_client(n, s) && (s->rounds == 0 || s->done_rounds < s->rounds)) wait_next(n, s);
}

static void destroy(void *state) {
    struct vector *s = state;
    free(s->v);
    free(s->buf);
    free(s);
}

/* Each client has an event every interval: a send (recorded by sender and
 * receiver, and the relay when there is one) or an internal event. */
static void estimate(const struct config *cfg, int nodes, double seconds, int crashes,
                     struct record_estimate *out) {
    (void)crashes;
    struct dist interval;
    config_dist(cfg, "vector", "interval", &interval);
    double lo, hi;
    dist_mean_range(&interval, &lo, &hi);
    double per_client = algorithm_repeats(seconds, lo, config_int(cfg, "vector", "rounds"));
    double hops = config_int(cfg, "vector", "relay") >= 0 ? 2.0 : 1.0;
    out->messages = nodes * per_client * hops;
    out->events = nodes * per_client * (1.0 + 2.0 * hops);
    out->timers = nodes * per_client;
    out->vectors = 1;
    out->key = "interval";
}

const struct algorithm algorithm_vector = {
    .name = "vector",
    .family = FAMILY_LOGICAL_CLOCK,
    .summary = "Fidge/Mattern 1988: vector clocks, random unicast to a client every interval",
    .message_types = types,
    .params = params,
    .min_nodes = 2,
    .records_events = 1,
    .configure = configure,
    .start = start,
    .on_message = on_message,
    .on_timer = on_timer,
    .on_recover = on_recover,
    .destroy = destroy,
    .estimate = estimate,
};
