/* NTP-style synchronization (RFC 5905, "Network Time Protocol Version 4",
 * sections 8 and 10; D. Mills, "Computer Network Time Synchronization",
 * 2nd ed., CRC Press 2011, chapter 3): on-wire offset and delay from four
 * timestamps, and the minimum-delay clock filter. Times in seconds.
 *
 * The server is node [ntp] server, or the elected coordinator when an
 * election runs below. Every other node polls it every [ntp] poll with a
 * REQUEST carrying t1, its clock at send (the origin timestamp); the server
 * stamps t2 (its clock at receive) and t3 (its clock at send) and replies;
 * the client reads t4 at receive. A reply that does not answer the latest
 * poll (or comes from another node) is dropped, as RFC 5905 drops a reply
 * whose origin timestamp does not match (and so is one from a node that is
 * no longer the coordinator). Then
 *     offset theta = ((t2 - t1) + (t3 - t4)) / 2   (server - client)
 *     delay  delta = (t4 - t1) - (t3 - t2)
 * and, whatever the split of the delay between the two directions,
 * |theta - true offset| <= delta/2, or delta/2 - d_min when every one-way
 * delay is at least d_min.
 *
 * Clock filter (RFC 5905, section 10; clock_filter.h): the last 8 samples
 * are kept and the one with the smallest delay is chosen. Following the
 * RFC, it is used only when it is newer than the last sample used; then the
 * client corrects its clock by the chosen offset, stepping (adjust = step,
 * the default) or slewing over slew_time (adjust = slew; offsets of half
 * the slew_time or more are stepped, so the slewing clock runs at 0.5 to
 * 1.5 times its rate and never backwards — ntpd likewise steps offsets
 * beyond its step threshold). The RFC ranks samples by delay plus a
 * dispersion that ages at 15 ppm; over 8 polls of 50 ms that term is 6 us,
 * and it is left out here.
 *
 * Adjustments and old samples: because the client adjusts its own clock,
 * a sample taken before an adjustment describes the clock as it was. The
 * filter may still choose it later (the minimum-delay sample ages out of
 * the window and the next-best one is older than the last adjustment), and
 * using its raw offset would repeat a correction already made: step again
 * by the last step, or, with slews, slew again by what a running slew has
 * applied since the sample (tens of ms after a large initial offset). So the
 * client keeps its cumulative adjustment A (adjust_log, reckoned in its own
 * clock, slews included) and uses offset_now = theta - (A_now - A_sample).
 * A slew running during an exchange is handled the same way, by computing
 * the sample on the unadjusted readings t - A(t). (RFC 5905's reference code
 * instead resets its associations after a step, and does not correct stored
 * samples for its own slewing; the correction keeps all 8 samples valid.)
 * A new server (a new coordinator) empties the filter.
 *
 * Each adjustment is a clock/rounds row: round = poll number of the sample
 * used, rtt = its delay, estimated_offset = -offset_now (this clock minus
 * the server's), adjustment = offset_now, as in cristian.c. */
#include "algorithms/clock_sync/clock_filter.h"
#include "api/algorithm.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { REQUEST, REPLY };
enum { T_POLL };

static const char *const types[] = {"REQUEST", "REPLY", NULL};

static const struct param params[] = {
    {.key = "server",
     .type = PARAM_INT,
     .default_value = "0",
     .help = "node index of the time server (without an election)",
     .hi = 1 << 20},
    {.key = "poll",
     .type = PARAM_TIME,
     .default_value = "50ms",
     .help = "time between polls of the server",
     .lo = CONFIG_MIN_PERIOD,
     .hi = HUGE_VAL},
    {.key = "polls",
     .type = PARAM_INT,
     .default_value = "0",
     .help = "polls per client, 0 = until the run ends",
     .hi = 1 << 30,
     .needs_duration = NEEDS_DURATION_AT_ZERO},
    {.key = "adjust",
     .type = PARAM_STRING,
     .default_value = "step",
     .help = "step or slew the corrections",
     .choices = "step|slew"},
    {.key = "slew_time",
     .type = PARAM_TIME,
     .default_value = "50ms",
     .help = "span over which a correction is slewed (offsets >= slew_time/2 are stepped)"},
    {.key = NULL}};

struct request {
    int32_t poll;
    double t1; /* client's clock at send (origin timestamp) */
};

struct reply {
    int32_t poll;
    double t1, t2, t3; /* origin, receive and transmit timestamps */
};

struct ntp {
    int server, step;
    long polls;
    double poll, slew_time;
    int peer;        /* the server the filter's samples came from, -1 none */
    int32_t npolls;  /* polls sent */
    int outstanding; /* the latest poll awaits its reply */
    double t1, a1;   /* its t1 and the cumulative adjustment at t1 */
    struct clock_filter filter;
    struct adjust_log adj;
};

static int configure(struct node *n, const struct config *cfg, void **state, char *err,
                     size_t errlen) {
    struct ntp *s = node_alloc(1, sizeof *s);
    *state = s;
    s->server = (int)config_int(cfg, "ntp", "server");
    s->poll = config_time(cfg, "ntp", "poll");
    s->polls = config_int(cfg, "ntp", "polls");
    s->step = strcmp(config_get(cfg, "ntp", "adjust"), "step") == 0;
    s->slew_time = config_time(cfg, "ntp", "slew_time");
    s->peer = -1;
    clock_filter_reset(&s->filter);
    adjust_log_init(&s->adj);
    if (config_check_node(cfg, "ntp", "server", node_count(n), err, errlen)) return -1;
    if (!s->step && s->slew_time <= 0)
        return config_fail(cfg, "ntp", "slew_time", err, errlen, "must be > 0 with adjust = slew");
    return 0;
}

static int server_of(struct node *n, const struct ntp *s) {
    return node_coordinator(n, s->server);
}

/* Correct the clock by offset (server - client), now; record the row. */
static void correct(struct node *n, struct ntp *s, const struct ntp_sample *used) {
    double now = node_local_time(n);
    double offset = ntp_sample_offset_now(used, adjust_log_at(&s->adj, now));
    struct round_info info = {
        .round = (int)used->seq, .rtt = used->delay, .estimated_offset = -offset};
    if (s->step || fabs(offset) >= 0.5 * s->slew_time) {
        node_clock_step(n, offset, &info);
        adjust_log_step(&s->adj, now, offset);
    } else {
        node_clock_slew(n, offset, s->slew_time, &info);
        adjust_log_slew(&s->adj, now, offset, s->slew_time);
    }
}

static void poll_server(struct node *n, struct ntp *s) {
    if (s->polls > 0 && s->npolls >= s->polls) { /* the last poll had its time to answer */
        node_done(n);
        return;
    }
    node_set_timer(n, s->poll, T_POLL);
    int server = server_of(n, s);
    if (server < 0 || server == node_id(n)) return; /* no server known, or I am it */
    if (server != s->peer) {                        /* a new association */
        clock_filter_reset(&s->filter);
        s->peer = server;
    }
    struct request rq = {s->npolls++, node_local_time(n)};
    s->t1 = rq.t1;
    s->a1 = adjust_log_at(&s->adj, rq.t1);
    s->outstanding = 1;
    node_send(n, server, REQUEST, &rq, sizeof rq);
}

static void start(struct node *n, void *state) {
    struct ntp *s = state;
    node_name_coordinator(n, s->server);
    if (node_id(n) == server_of(n, s) && !node_leader_elected(n)) {
        node_done(n); /* the server only answers */
        return;
    }
    poll_server(n, s);
}

static void on_reply(struct node *n, struct ntp *s, const struct message *m) {
    struct reply rp;
    node_payload(n, m, 0, &rp, sizeof rp);
    double t4 = node_local_time(n);
    if (!s->outstanding || m->src != s->peer || rp.poll != s->npolls - 1 || rp.t1 != s->t1)
        return;                            /* not the answer to the latest poll */
    if (m->src != server_of(n, s)) return; /* a new coordinator since the poll */
    s->outstanding = 0;
    struct ntp_sample sample =
        ntp_sample_make(s->t1, s->a1, rp.t2, rp.t3, t4, adjust_log_at(&s->adj, t4));
    sample.seq = rp.poll;
    struct ntp_sample used;
    if (clock_filter_add(&s->filter, &sample, &used)) correct(n, s, &used);
}

static void on_message(struct node *n, void *state, const struct message *m) {
    struct ntp *s = state;
    if (m->type == REPLY) {
        on_reply(n, s, m);
        return;
    }
    struct request rq;
    node_payload(n, m, 0, &rq, sizeof rq);
    struct reply rp = {rq.poll, rq.t1, node_local_time(n), 0.0};
    rp.t3 = node_local_time(n);
    node_send(n, m->src, REPLY, &rp, sizeof rp);
}

static void on_timer(struct node *n, void *state, int id) {
    (void)id;
    poll_server(n, state);
}

static void on_recover(struct node *n, void *state) {
    struct ntp *s = state;
    s->outstanding = 0;
    poll_server(n, s);
}

/* Every poll each client exchanges two messages and records at most one round. */
static void estimate(const struct config *cfg, int nodes, double seconds, int crashes,
                     struct record_estimate *out) {
    (void)crashes;
    double r = algorithm_repeats(seconds, config_time(cfg, "ntp", "poll"),
                                 config_int(cfg, "ntp", "polls"));
    out->messages = 2.0 * (nodes - 1) * r;
    out->rounds = (double)(nodes - 1) * r;
    out->timers = (double)nodes * r;
    out->key = "poll";
}

const struct algorithm algorithm_ntp = {
    .name = "ntp",
    .family = FAMILY_CLOCK_SYNC,
    .summary = "RFC 5905: four-timestamp offset/delay, min-delay clock filter of 8 samples",
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
