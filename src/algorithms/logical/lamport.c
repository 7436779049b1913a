/* Lamport logical clocks (L. Lamport, "Time, clocks, and the ordering of
 * events in a distributed system", CACM 21(7), 1978, rules IR1 and IR2), in
 * the "virtual machines with a clock rate" scenario of the classic demo.
 *
 * Each node is a machine that ticks `rate` times per `time_unit` (rate drawn
 * once per node from the [lamport] rate distribution with the node's
 * generator; values(...) gives each node a fixed rate). Messages that arrive
 * go into the node's queue at once (the demo's network thread); nothing else
 * happens until the next tick. On a tick the node
 *   - takes ONE message off its queue if there is one: L = max(L, T_m) + 1,
 *     a RECEIVE row (IR2);
 *   - otherwise draws k uniformly from 1..10: k = 1 sends to the next node in
 *     ring order (node+1 mod N), k = 2 to the one after it (node+2 mod N),
 *     k = 3 to every other node, anything else is an internal event. Every
 *     send is an event of its own: L = L + 1, then the message carries L (its
 *     Lamport timestamp T_m) and gets a SEND row; an internal event is
 *     L = L + 1 and an INTERNAL row (IR1).
 * With N = 2 "next" and "the one after" are both the only other node.
 *
 * What is recorded, and how the analysis gets the rest:
 *   - events/table: every send, receive and internal event with its Lamport
 *     timestamp; SEND and RECEIVE rows of a message share its msg id (the id
 *     node_send returns). The clock jump at a receive is derived from it:
 *     L(receive) - L(previous event of that node) - 1, i.e. how far the
 *     received timestamp pushed the clock beyond IR1's +1.
 *   - the queue length over time is derived from the table too: messages
 *     sent to node i (SEND rows with peer i) minus messages node i has taken
 *     off its queue (its RECEIVE rows) up to time t. This is the queue length
 *     plus the messages in flight, which is the queue length when [network]
 *     delay and loss are 0 (a lost message would count forever).
 *   - results/rate (ticks per time unit), results/ticks, results/max_queue
 *     (largest queue length left after a tick) and results/queue_left (still
 *     queued at the end) per node.
 * Units: rate in ticks per time_unit; time_unit and all times in seconds.
 * A crash pauses the machine: no ticks, messages arriving while down are
 * lost (runtime); its clock and queue are kept, so a node's timestamps still
 * grow along its events. */
#include "api/algorithm.h"

#include <math.h>

#include <gsl/gsl_rng.h>
#include <stdio.h>
#include <stdlib.h>

enum { MSG };
enum { T_TICK };

static const char *const types[] = {"MSG", NULL};

static const struct param params[] = {
    {.key = "rate",
     .type = PARAM_DIST,
     .default_value = "uniform(1, 6)",
     .help = "clock rate of each machine in ticks per time_unit (one draw per node)",
     .dist_unit = DIST_PLAIN_POS},
    {.key = "time_unit",
     .type = PARAM_TIME,
     .default_value = "1s",
     .help = "the unit of the rate",
     .lo = 1e-9,
     .hi = HUGE_VAL},
    {.key = "ticks",
     .type = PARAM_INT,
     .default_value = "0",
     .help = "ticks per node, 0 = until the run ends",
     .hi = 1 << 30,
     .needs_duration = NEEDS_DURATION_AT_ZERO},
    {.key = NULL}};

struct stamp { /* the payload of MSG */
    uint64_t lamport;
};

struct queued {
    uint64_t id, lamport;
    int32_t src;
};

struct lamport {
    struct dist rate_dist;
    double time_unit, rate, period;
    double next; /* local time of the next tick */
    long ticks_max, ticks;
    uint64_t clock;
    struct queued *queue; /* ring buffer */
    size_t head, len, cap, max_len;
};

static int configure(struct node *n, const struct config *cfg, void **state, char *err,
                     size_t errlen) {
    (void)n;
    struct lamport *s = node_alloc(1, sizeof *s);
    *state = s;
    config_dist(cfg, "lamport", "rate", &s->rate_dist);
    s->time_unit = config_time(cfg, "lamport", "time_unit");
    s->ticks_max = config_int(cfg, "lamport", "ticks");
    /* A tick is a timer: at most one per CONFIG_MIN_PERIOD, for every rate a node can draw. */
    double top = dist_max(&s->rate_dist) / s->time_unit;
    if (!(top <= (1.0 + 1e-9) / CONFIG_MIN_PERIOD)) {
        char why[256];
        if (isinf(top))
            snprintf(why, sizeof why,
                     "an unbounded distribution: a node could draw a rate above %g ticks per "
                     "second (a tick every %gus)",
                     1.0 / CONFIG_MIN_PERIOD, CONFIG_MIN_PERIOD * 1e6);
        else
            snprintf(why, sizeof why,
                     "up to %g ticks per %gs is %g per second, more than %g (a tick every %gus)",
                     dist_max(&s->rate_dist), s->time_unit, top, 1.0 / CONFIG_MIN_PERIOD,
                     CONFIG_MIN_PERIOD * 1e6);
        return config_fail(cfg, "lamport", "rate", err, errlen, "%s", why);
    }
    return 0;
}

static void push(struct lamport *s, const struct queued *q) {
    if (s->len == s->cap) {
        size_t cap = s->cap ? 2 * s->cap : 16;
        struct queued *grown = node_alloc(cap, sizeof *grown);
        for (size_t k = 0; k < s->len; k++)
            grown[k] = s->queue[(s->head + k) % s->cap];
        free(s->queue);
        s->queue = grown;
        s->cap = cap;
        s->head = 0;
    }
    s->queue[(s->head + s->len++) % s->cap] = *q;
}

static struct queued pop(struct lamport *s) {
    struct queued q = s->queue[s->head];
    s->head = (s->head + 1) % s->cap;
    s->len--;
    return q;
}

/* IR1 before a send: tick, stamp the message, record it. */
static void send_to(struct node *n, struct lamport *s, int dst) {
    struct stamp m = {++s->clock};
    uint64_t id = node_send(n, dst, MSG, &m, sizeof m);
    node_record_event(n, EVENT_SEND, dst, MSG, id, s->clock, NULL);
}

/* The k-th other node in ring order (k = 0: the next one). */
static int other(struct node *n, int k) {
    int N = node_count(n);
    return (node_id(n) + 1 + k % (N - 1)) % N;
}

static void tick(struct node *n, struct lamport *s) {
    if (s->len > 0) {
        struct queued q = pop(s);
        s->clock = (q.lamport > s->clock ? q.lamport : s->clock) + 1; /* IR2 */
        node_record_event(n, EVENT_RECEIVE, q.src, MSG, q.id, s->clock, NULL);
        return;
    }
    int k = 1 + (int)gsl_rng_uniform_int(node_rng(n), 10);
    if (k == 1 || k == 2) {
        send_to(n, s, other(n, k - 1));
    } else if (k == 3) {
        for (int j = 0; j < node_count(n) - 1; j++)
            send_to(n, s, other(n, j));
    } else {
        node_record_event(n, EVENT_INTERNAL, -1, -1, 0, ++s->clock, NULL);
    }
}

/* Ticks are paced by the node's own clock (its oscillator), at fixed
 * instants next, next + period, ...: a late timer does not slow the rate
 * (the next tick comes sooner). A clock more than MAX_BEHIND periods behind
 * (a step of the clock, a long stall) skips the missed ticks. */
#define MAX_BEHIND 10
static void schedule(struct node *n, struct lamport *s) {
    double now = node_local_time(n);
    s->next += s->period;
    if (s->next < now - MAX_BEHIND * s->period) s->next = now;
    node_set_timer(n, s->next - now, T_TICK);
}

static void start(struct node *n, void *state) {
    struct lamport *s = state;
    s->rate = dist_sample(&s->rate_dist, node_rng(n), node_id(n));
    s->period = s->time_unit / s->rate;
    s->next = node_local_time(n);
    schedule(n, s);
}

static void on_message(struct node *n, void *state, const struct message *m) {
    struct lamport *s = state;
    struct stamp st;
    node_payload(n, m, 0, &st, sizeof st);
    struct queued q = {m->id, st.lamport, m->src};
    push(s, &q);
}

static void on_timer(struct node *n, void *state, int id) {
    struct lamport *s = state;
    (void)id;
    tick(n, s);
    s->ticks++;
    if (s->len > s->max_len) s->max_len = s->len;
    if (s->ticks_max > 0 && s->ticks >= s->ticks_max)
        node_done(n);
    else
        schedule(n, s);
}

static void on_recover(struct node *n, void *state) {
    struct lamport *s = state;
    s->next = node_local_time(n);
    if (s->ticks_max == 0 || s->ticks < s->ticks_max) schedule(n, s);
}

static void finish(struct node *n, void *state) {
    struct lamport *s = state;
    node_record_result(n, "rate", s->rate);
    node_record_result(n, "ticks", (double)s->ticks);
    node_record_result(n, "max_queue", (double)s->max_len);
    node_record_result(n, "queue_left", (double)s->len);
}

static void destroy(void *state) {
    struct lamport *s = state;
    free(s->queue);
    free(s);
}

/* Each node ticks at its rate; a tick records one event, and sends to one
 * node (probability 2/10) or to all others (1/10). */
static void estimate(const struct config *cfg, int nodes, double seconds, int crashes,
                     struct record_estimate *out) {
    (void)crashes;
    struct dist rate;
    config_dist(cfg, "lamport", "rate", &rate);
    double lo, hi;
    dist_mean_range(&rate, &lo, &hi);
    double top = isinf(dist_max(&rate)) ? hi : dist_max(&rate);
    double per_tick = config_time(cfg, "lamport", "time_unit") / top;
    double ticks = algorithm_repeats(seconds, per_tick, config_int(cfg, "lamport", "ticks"));
    double n = nodes;
    out->messages = n * ticks * (0.2 + 0.1 * (n - 1));
    out->events = n * ticks * (1.0 + 0.1 * (n - 1));
    out->timers = n * ticks;
    out->key = "rate";
}

const struct algorithm algorithm_lamport = {
    .name = "lamport",
    .family = FAMILY_LOGICAL_CLOCK,
    .summary = "Lamport 1978: machines ticking at their own rates, one queued message per tick",
    .message_types = types,
    .params = params,
    .min_nodes = 2,
    .records_events = 1,
    .configure = configure,
    .start = start,
    .on_message = on_message,
    .on_timer = on_timer,
    .on_recover = on_recover,
    .finish = finish,
    .destroy = destroy,
    .estimate = estimate,
};
