/* Request routing and load balancing: clients send requests to a
 * coordinator, which forwards each one to a server chosen by `policy`; the
 * server queues it (FIFO), serves it with one of its `workers` and replies
 * to the client directly (the dispatcher and front-end servers of the seed
 * set-ups; Coulouris et al., Distributed Systems, 5th ed., 2.3.2 on
 * proxies/load balancing; van Steen & Tanenbaum, Distributed Systems, 3rd
 * ed., 3.4 on request dispatching in server clusters).
 *
 * Policies: round_robin (servers in list order), random (uniform), least_loaded
 * (fewest requests the coordinator has outstanding there: dispatched and no
 * DONE yet), two_choices (the less loaded of two distinct servers drawn
 * uniformly, ties broken at random: M. Mitzenmacher, "The power of two
 * choices in randomized load balancing", IEEE TPDS 12(10), 2001).
 *
 * Messages of one served request: REQUEST (client -> coordinator), DISPATCH
 * (coordinator -> server), REPLY (server -> client), DONE (server ->
 * coordinator): 4.
 *
 * Clients are open-loop (Poisson arrivals at `rate` per client: exponential
 * inter-arrival times of mean 1/rate) or closed-loop (one request at a time,
 * `think` between a reply and the next request). Service times are drawn
 * from `service` per request and elapse in reference time (node timers).
 * With an election below (bully+dispatch) the coordinator is the elected
 * node; otherwise node `coordinator`.
 *
 * Failures, and why nothing is served twice. A request id is assigned to
 * at most one server over the whole run:
 *  - a client that gets no reply within `timeout` (its own clock) sends the
 *    request again, to the coordinator it knows then, up to `retries` times;
 *    then it fails with TIMEOUT. A client also resends every unanswered
 *    request at once when a coordinator announces itself (ANNOUNCE);
 *  - the coordinator remembers which server each id went to and forwards a
 *    repeated request to that server; a server serves an id at most once
 *    (a repeat of an id in its queue is ignored, of a served id answered
 *    with the REPLY again);
 *  - a node that becomes coordinator (elected, or recovered) first asks
 *    every server for the ids it holds (SYNC / SYNC_REPLY). A server answers
 *    only the coordinator its election layer names and from then on accepts
 *    DISPATCH only from that coordinator (a fence: a late DISPATCH of a
 *    crashed coordinator is dropped). Until every server has answered, or
 *    `timeout` has passed, the new coordinator dispatches only first
 *    attempts, which cannot have been anywhere before, and holds repeated
 *    ones. A server still silent then is taken as crashed (the synchrony
 *    Bully assumes too: no message takes longer than a timeout) and asked
 *    again every timeout; it gets new requests once it answers;
 *  - a crashed server loses its queue: the requests it held are never
 *    served there (a repeat may be accepted again). Its record of the ids
 *    it accepted and served survives the crash (stable storage).
 * So with messages faster than `timeout`, no request is served twice.
 * A coordinator with no server at all answers FAIL (NO_SERVER).
 *
 * Records: requests/table through node_record_request (SENT, DISPATCHED,
 * ARRIVED, STARTED, FINISHED, RECEIVED) and the outcome; requests/queue
 * after every change of a server's queue. */
#include "algorithms/service/dispatch_state.h"
#include "algorithms/service/nodelist.h"

#include <gsl/gsl_randist.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const types[] = {"REQUEST", "DISPATCH",   "REPLY",    "DONE", "FAIL",
                                    "SYNC",    "SYNC_REPLY", "ANNOUNCE", NULL};

static const struct param params[] = {
    {.key = "coordinator",
     .type = PARAM_INT,
     .default_value = "0",
     .help = "node index of the coordinator (without an election)",
     .hi = 1 << 20},
    {.key = "servers",
     .type = PARAM_STRING,
     .default_value = "",
     .help = "server nodes, e.g. \"1, 2, 5-7\"; empty: half of the other nodes (see "
             "docs/algorithms.md)",
     .validate = nodelist_validate},
    {.key = "clients",
     .type = PARAM_STRING,
     .default_value = "",
     .help = "client nodes; empty: the nodes that are neither",
     .validate = nodelist_validate},
    {.key = "policy",
     .type = PARAM_STRING,
     .default_value = "round_robin",
     .help = "how the coordinator picks a server",
     .choices = "round_robin|random|least_loaded|two_choices"},
    {.key = "workers",
     .type = PARAM_INT,
     .default_value = "1",
     .help = "requests a server serves at once (1 = single-threaded)",
     .lo = 1,
     .hi = MAX_WORKERS},
    {.key = "service",
     .type = PARAM_DIST,
     .default_value = "exponential(2ms)",
     .help = "service time per request (reference time)",
     .lo = CONFIG_MIN_PERIOD,
     .hi = HUGE_VAL,
     .zero_ok = 1,
     .dist_unit = DIST_INTERVAL},
    {.key = "loop",
     .type = PARAM_STRING,
     .default_value = "open",
     .help = "open: Poisson arrivals at rate; closed: think after a reply",
     .choices = "open|closed"},
    {.key = "rate",
     .type = PARAM_REAL,
     .default_value = "100",
     .help = "open loop: requests per second per client (Poisson)",
     .lo = 1e-6,
     .hi = 1 / CONFIG_MIN_PERIOD},
    {.key = "think",
     .type = PARAM_DIST,
     .default_value = "exponential(10ms)",
     .help = "closed loop: time between a reply and the next request",
     .lo = CONFIG_MIN_PERIOD,
     .hi = HUGE_VAL,
     .zero_ok = 1,
     .dist_unit = DIST_INTERVAL},
    {.key = "requests",
     .type = PARAM_INT,
     .default_value = "0",
     .help = "requests per client; 0 = until the run ends",
     .hi = 1 << 30,
     .needs_duration = NEEDS_DURATION_AT_ZERO},
    {.key = "timeout",
     .type = PARAM_TIME,
     .default_value = "200ms",
     .help = "a client sends again after this long without a reply",
     .lo = CONFIG_MIN_PERIOD,
     .hi = HUGE_VAL},
    {.key = "retries",
     .type = PARAM_INT,
     .default_value = "3",
     .help = "sends after the first before a request fails (TIMEOUT)",
     .hi = 1000},
    {.key = "poll",
     .type = PARAM_TIME,
     .default_value = "2ms",
     .help = "with an election: how often a node checks who coordinates",
     .lo = CONFIG_MIN_PERIOD,
     .hi = HUGE_VAL},
    {.key = NULL}};

/* Roles: listed nodes, or the defaults (docs/algorithms.md, "Request routing"). */
static int roles(struct node *n, struct dispatch *s, const struct config *cfg, char *err,
                 size_t errlen) {
    int N = node_count(n);
    char why[256];
    int ns =
        nodelist_parse(config_get(cfg, "dispatch", "servers"), N, s->is_server, why, sizeof why);
    if (ns < 0) return config_fail(cfg, "dispatch", "servers", err, errlen, "%s", why);
    int nc =
        nodelist_parse(config_get(cfg, "dispatch", "clients"), N, s->is_client, why, sizeof why);
    if (nc < 0) return config_fail(cfg, "dispatch", "clients", err, errlen, "%s", why);
    int c = s->elected ? -1 : s->coordinator;
    if (c >= 0 && (s->is_server[c] || s->is_client[c]))
        return config_fail(cfg, "dispatch", s->is_server[c] ? "servers" : "clients", err, errlen,
                           "lists node %d, the coordinator ([dispatch] coordinator)", c);
    for (int i = 0; i < N; i++)
        if (s->is_server[i] && s->is_client[i])
            return config_fail(cfg, "dispatch", "clients", err, errlen, "node %d is also a server",
                               i);
    if (ns == 0) { /* half of the nodes that are neither coordinator nor client */
        int others = 0;
        for (int i = 0; i < N; i++)
            others += i != c && !s->is_client[i];
        int want = nc ? others : (s->elected ? N - N / 2 : (others + 1) / 2);
        /* without an election the lowest ones serve; with one the highest
         * (bully elects a server then, which leaves serving to the others) */
        for (int k = 0; k < N && ns < want; k++) {
            int i = s->elected ? N - 1 - k : k;
            if (i != c && !s->is_client[i]) {
                s->is_server[i] = 1;
                ns++;
            }
        }
    }
    if (nc == 0)
        for (int i = 0; i < N; i++)
            if (i != c && !s->is_server[i]) {
                s->is_client[i] = 1;
                nc++;
            }
    if (ns == 0) return config_fail(cfg, "dispatch", "servers", err, errlen, "no server node");
    if (nc == 0) return config_fail(cfg, "dispatch", "clients", err, errlen, "no client node");
    for (int i = 0; i < N; i++)
        if (s->is_server[i]) s->servers[s->nservers++] = i;
    return 0;
}

static void on_message(struct node *n, void *state, const struct message *m);

static int configure(struct node *n, const struct config *cfg, void **state, char *err,
                     size_t errlen) {
    struct dispatch *s = node_alloc(1, sizeof *s);
    *state = s;
    size_t N = (size_t)node_count(n);
    s->is_server = node_alloc(N, sizeof(int));
    s->is_client = node_alloc(N, sizeof(int));
    s->servers = node_alloc(N, sizeof(int));
    s->load = node_alloc(N, sizeof(int));
    s->synced = node_alloc(N, sizeof(int));
    s->coordinator = (int)config_int(cfg, "dispatch", "coordinator");
    s->elected = node_leader_elected(n);
    const char *policy = config_get(cfg, "dispatch", "policy");
    s->policy = !strcmp(policy, "random")         ? RANDOM
                : !strcmp(policy, "least_loaded") ? LEAST_LOADED
                : !strcmp(policy, "two_choices")  ? TWO_CHOICES
                                                  : ROUND_ROBIN;
    s->workers = (int)config_int(cfg, "dispatch", "workers");
    config_dist(cfg, "dispatch", "service", &s->service);
    s->closed = !strcmp(config_get(cfg, "dispatch", "loop"), "closed");
    s->rate = config_real(cfg, "dispatch", "rate");
    config_dist(cfg, "dispatch", "think", &s->think);
    s->requests = config_int(cfg, "dispatch", "requests");
    s->timeout = config_time(cfg, "dispatch", "timeout");
    s->retries = (int)config_int(cfg, "dispatch", "retries");
    s->poll = config_time(cfg, "dispatch", "poll");
    s->coord_view = s->fence = -1;
    s->deliver = on_message;
    node_use_tables(n, NODE_TABLE_REQUESTS);
    if (!s->elected &&
        config_check_node(cfg, "dispatch", "coordinator", node_count(n), err, errlen))
        return -1;
    return roles(n, s, cfg, err, errlen);
}

/* ------------------------------------------------------------------ driver */

static void start(struct node *n, void *state) {
    struct dispatch *s = state;
    int me = node_id(n);
    if (!s->elected) {
        node_set_leader(n, s->coordinator); /* [faults] crash = coordinator@... */
        s->fence = s->coordinator;
        if (me == s->coordinator) dispatch_coordinator_become(n, s, 1);
    } else {
        node_set_timer(n, s->poll, T_POLL);
        dispatch_coordinator_check_leader(n, s);
    }
    if (s->is_server[me]) dispatch_server_record_queue(n, s);
    s->next_arrival = node_local_time(n);
    if (s->is_client[me])
        dispatch_client_next_request_later(n, s);
    else if (s->requests > 0)
        node_done(n); /* servers and coordinators serve until every client is done */
}

static void on_message(struct node *n, void *state, const struct message *m) {
    struct dispatch *s = state;
    dispatch_coordinator_check_leader(n, s);
    struct req_msg r = {0, -1, 0};
    if (m->len >= sizeof r && m->type != SYNC_REPLY) memcpy(&r, m->payload, sizeof r);
    size_t i;
    switch (m->type) {
    case REQUEST:
        dispatch_coordinator_request(n, s, &r);
        break;
    case DISPATCH:
        dispatch_server_dispatch(n, s, m->src, &r);
        break;
    case REPLY:
        if ((i = dispatch_client_find_pending(s, r.id)) == s->nout) break; /* answered already */
        node_record_request(n, r.id, REQUEST_RECEIVED, m->src);
        dispatch_client_resolve(n, s, i, REQUEST_SERVED);
        break;
    case DONE:
        if (s->coordinating && s->load[m->src] > 0) s->load[m->src]--;
        break;
    case FAIL:
        if ((i = dispatch_client_find_pending(s, r.id)) < s->nout)
            dispatch_client_resolve(n, s, i, REQUEST_NO_SERVER);
        break;
    case SYNC:
        dispatch_server_sync(n, s, m->src);
        break;
    case SYNC_REPLY:
        dispatch_coordinator_sync_reply(n, s, m->src, m);
        break;
    case ANNOUNCE: /* a coordinator took over: everything unanswered goes to it */
        if (!s->is_client[node_id(n)]) break;
        s->coord_view = m->src;
        for (i = 0; i < s->nout; i++)
            dispatch_client_send_request(n, s, &s->out[i]);
        dispatch_client_arm_deadline(n, s);
        break;
    }
}

static void on_timer(struct node *n, void *state, int id) {
    struct dispatch *s = state;
    dispatch_coordinator_check_leader(n, s);
    if (id < MAX_WORKERS) {
        dispatch_server_service_done(n, s, id);
    } else if (id == T_NEXT) {
        dispatch_client_issue(n, s);
        if (!s->closed) dispatch_client_next_request_later(n, s);
    } else if (id == T_DEADLINE) {
        dispatch_client_deadlines(n, s);
    } else if (id == T_POLL) {
        node_set_timer(n, s->poll, T_POLL);
    } else if (id == T_SYNC && s->coordinating) {
        if (!s->settled) { /* the silent servers are taken as crashed */
            s->settled = 1;
            dispatch_coordinator_release_held(n, s);
        }
        dispatch_coordinator_send_syncs(n, s); /* and asked again: one may recover */
    }
}

/* A crash loses everything but the ids a server accepted (stable storage)
 * and the client's request counter (ids stay unique). */
static void on_recover(struct node *n, void *state) {
    struct dispatch *s = state;
    int me = node_id(n);
    s->nout = 0; /* their outcomes were never seen: LOST */
    s->coordinating = 0;
    s->nheld = 0;
    s->qlen = 0;
    s->nbusy = 0;
    memset(s->busy, 0, sizeof s->busy);
    for (size_t i = 0; i < s->accepted.cap; i++)
        if (s->accepted.keys[i] && s->accepted.values[i] == HELD) s->accepted.values[i] = LOST;
    if (s->is_server[me]) dispatch_server_record_queue(n, s);
    if (!s->elected) {
        if (me == s->coordinator) dispatch_coordinator_become(n, s, 0);
    } else {
        s->coord_view = -1;
        node_set_timer(n, s->poll, T_POLL);
        dispatch_coordinator_check_leader(n, s);
    }
    s->finished = 0;
    s->next_arrival = node_local_time(n);
    if (s->is_client[me]) {
        dispatch_client_next_request_later(n, s);
        dispatch_client_maybe_done(n, s);
    } else if (s->requests > 0) {
        node_done(n);
    }
}

static void finish(struct node *n, void *state) {
    struct dispatch *s = state;
    for (size_t i = 0; i < s->nout; i++)
        node_record_request_outcome(n, s->out[i].id, REQUEST_PENDING, s->out[i].attempts);
    s->nout = 0;
}

static void destroy(void *state) {
    struct dispatch *s = state;
    free(s->is_server);
    free(s->is_client);
    free(s->servers);
    free(s->load);
    free(s->synced);
    free(s->out);
    free(s->held);
    free(s->queue);
    idmap_free(&s->assigned);
    idmap_free(&s->accepted);
    free(s);
}

/* Requests: `rate` per client (open loop) or one per think + service time
 * (closed loop), at most `requests` per client; 4 messages and about 3
 * timers (arrival, service, deadline) each, and the coordinator checks of
 * an election. The clients are the listed ones, or at most half the nodes. */
static void estimate(const struct config *cfg, int nodes, double seconds, int crashes,
                     struct record_estimate *out) {
    (void)crashes;
    int *member = calloc((size_t)nodes, sizeof *member);
    char why[256];
    int clients = member ? nodelist_parse(config_get(cfg, "dispatch", "clients"), nodes, member,
                                          why, sizeof why)
                         : -1; /* out of memory: the estimate below */
    free(member);
    if (clients <= 0) clients = (nodes + 1) / 2;
    double per;
    if (!strcmp(config_get(cfg, "dispatch", "loop"), "open")) {
        per = config_real(cfg, "dispatch", "rate") * seconds;
        out->key = "rate";
    } else {
        struct dist think, service;
        config_dist(cfg, "dispatch", "think", &think);
        config_dist(cfg, "dispatch", "service", &service);
        double cycle = dist_smallest_mean(&think) + dist_smallest_mean(&service);
        per = seconds / fmax(cycle, CONFIG_MIN_PERIOD);
        out->key = "think";
    }
    long limit = config_int(cfg, "dispatch", "requests");
    if (limit > 0 && per > (double)limit) {
        per = (double)limit;
        out->key = "requests";
    }
    out->requests = per * clients;
    out->messages = 4.0 * out->requests;
    out->timers = 3.0 * out->requests + nodes * seconds / config_time(cfg, "dispatch", "poll");
}

const struct algorithm algorithm_dispatch = {
    .name = "dispatch",
    .family = FAMILY_SERVICE,
    .summary = "clients -> coordinator -> servers (round_robin, random, least_loaded, "
               "two_choices), FIFO servers with workers; fail-over with an election",
    .message_types = types,
    .params = params,
    .min_nodes = 3,
    .has_coordinator = 1,
    .configure = configure,
    .start = start,
    .on_message = on_message,
    .on_timer = on_timer,
    .on_recover = on_recover,
    .finish = finish,
    .destroy = destroy,
    .estimate = estimate,
};
