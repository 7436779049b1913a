/* PHOLD, the synthetic workload of parallel discrete-event simulation
 * (R. M. Fujimoto, "Performance of Time Warp under synthetic workloads",
 * Proc. SCS Multiconference on Distributed Simulation, 1990): a fixed
 * population of events hops between the nodes, each hop a message to a
 * node drawn at random, forever.
 *
 * Every node starts `population` events: at the start it sends `population`
 * messages, each to a node drawn uniformly at random. Every message it
 * receives it passes on at once to a node drawn uniformly at random, so the
 * number of events in flight stays N * population (N nodes; [network] loss
 * and crashed nodes lower it). Destinations are drawn with the node's own
 * generator (node_rng) uniformly over the N - 1 other nodes: a node does
 * not send to itself in clocklab, so this is PHOLD with every event remote
 * (Fujimoto's classic form draws over all N nodes, itself included).
 *
 * The time an event takes from one node to the next is the network's delay
 * of the message: [network] min_delay + a draw of [network] delay (s).
 * PHOLD's lookahead L plus an exponential increment of mean m is
 * min_delay = L and delay = exponential(m); each event then hops at rate
 * 1 / (L + m) and the N * population events make N * population / (L + m)
 * messages per second. The delay must not be 0 everywhere (min_delay = 0
 * and delay = 0 would keep virtual time from advancing). One difference from
 * Fujimoto's model: clocklab's channels are FIFO (a message is never due
 * before the previous one from the same sender to the same node), so a hop
 * that follows another event onto the same channel may take longer than its
 * draw; with destinations spread over N - 1 nodes that concerns at most about
 * population / N of the hops.
 *
 * The message carries its hop count (u32, 1 for the first hop). With
 * [phold] hops = 0 (the default) events hop until the run ends, so the run
 * needs [experiment] duration > 0; a node sends nothing after the duration.
 * With hops = k > 0 an event ends when its k-th message arrives: N *
 * population * k messages in all, and a run with duration 0 ends when the
 * last one has arrived. A node records nothing that grows with the events:
 * the runtime counts its messages (messages/sent, messages/received), and
 * its FIFO bookkeeping keeps only the channels with a message on its way
 * (due_map.h). */
#include "api/algorithm.h"

#include <gsl/gsl_rng.h>
#include <math.h>
#include <stdint.h>

enum { EVENT };

static const char *const types[] = {"EVENT", NULL};

static const struct param params[] = {
    {.key = "population",
     .type = PARAM_INT,
     .default_value = "1",
     .help = "events each node starts (messages in flight per node)",
     .lo = 1,
     .hi = 1 << 20},
    {.key = "hops",
     .type = PARAM_INT,
     .default_value = "0",
     .help = "messages of each event before it ends, 0 = until the run ends (PHOLD: "
             "[network] min_delay = lookahead, delay = exponential(mean))",
     .hi = 1 << 30,
     .needs_duration = NEEDS_DURATION_AT_ZERO},
    {.key = NULL}};

struct phold {
    long population;
    uint32_t hops;
};

static int configure(struct node *n, const struct config *cfg, void **state, char *err,
                     size_t errlen) {
    (void)n;
    struct dist delay;
    config_dist(cfg, "network", "delay", &delay);
    if (dist_is_zero(&delay) && !(config_time(cfg, "network", "min_delay") > 0))
        return config_fail(cfg, "network", "delay", err, errlen,
                           "phold needs a delay > 0: set [network] min_delay (the lookahead) "
                           "and/or delay, e.g. exponential(1ms)");
    struct phold *s = node_alloc(1, sizeof *s);
    *state = s;
    s->population = config_int(cfg, "phold", "population");
    s->hops = (uint32_t)config_int(cfg, "phold", "hops");
    return 0;
}

/* Send hop `hop` of an event to a node drawn uniformly over the others. */
static void hop_on(struct node *n, uint32_t hop) {
    int me = node_id(n);
    int dst = (int)gsl_rng_uniform_int(node_rng(n), (unsigned long)node_count(n) - 1);
    if (dst >= me) dst++;
    node_send(n, dst, EVENT, &hop, sizeof hop);
}

static void start(struct node *n, void *state) {
    struct phold *s = state;
    for (long i = 0; i < s->population; i++)
        hop_on(n, 1);
    node_done(n); /* the events, not the node, keep the run going */
}

static void on_message(struct node *n, void *state, const struct message *m) {
    struct phold *s = state;
    uint32_t hop;
    node_payload(n, m, 0, &hop, sizeof hop);
    if (s->hops == 0 || hop < s->hops) hop_on(n, hop + 1);
}

/* N * population messages at the start and one per message received: an
 * event hops every min_delay + mean delay seconds, at most `hops` times. */
static void estimate(const struct config *cfg, int nodes, double seconds, int crashes,
                     struct record_estimate *out) {
    (void)crashes;
    struct dist delay;
    config_dist(cfg, "network", "delay", &delay);
    double step = config_time(cfg, "network", "min_delay") + dist_smallest_mean(&delay);
    double events = (double)nodes * (double)config_int(cfg, "phold", "population");
    long hops = config_int(cfg, "phold", "hops");
    double per_event = step > 0 ? 1.0 + floor(seconds / step) : 1.0;
    if (hops > 0 && per_event > (double)hops) per_event = (double)hops;
    out->messages = events * per_event;
}

const struct algorithm algorithm_phold = {
    .name = "phold",
    .family = FAMILY_LOGICAL_CLOCK,
    .summary = "Fujimoto 1990 PHOLD: a constant population of events hopping to random nodes "
               "(lookahead = [network] min_delay, increment = [network] delay)",
    .message_types = types,
    .params = params,
    .min_nodes = 2,
    .configure = configure,
    .start = start,
    .on_message = on_message,
    .estimate = estimate,
};
