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
#include "api/algorithm.h"
#include "algorithms/service/idmap.h"
#include "algorithms/service/nodelist.h"

#include <gsl/gsl_randist.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { REQUEST, DISPATCH, REPLY, DONE, FAIL, SYNC, SYNC_REPLY, ANNOUNCE };
static const char *const types[] = {"REQUEST", "DISPATCH",   "REPLY",    "DONE", "FAIL",
                                    "SYNC",    "SYNC_REPLY", "ANNOUNCE", NULL};

#define MAX_WORKERS 16
enum { T_WORKER = 0, T_NEXT = MAX_WORKERS, T_DEADLINE, T_POLL, T_SYNC };
enum { ROUND_ROBIN, RANDOM, LEAST_LOADED, TWO_CHOICES };
enum { HELD = 1, FINISHED = 2, LOST = 3 }; /* a server's record of an accepted id */

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

struct req_msg { /* REQUEST, DISPATCH, REPLY, DONE, FAIL */
    uint64_t id;
    int32_t client, attempt;
};

struct sync_hdr { /* SYNC_REPLY: header, then count ids */
    int32_t in_system, count;
};

struct pending { /* a client's unanswered request */
    uint64_t id;
    int attempts, expiries, sent_to;
    double deadline; /* local time */
};

struct job {
    uint64_t id;
    int32_t client;
};

struct dispatch {
    /* configuration */
    int coordinator, elected, policy, workers, closed, retries;
    long requests;
    double rate, timeout, poll;
    struct dist service, think;
    int *is_server, *is_client, *servers, nservers;
    /* client */
    uint64_t seq;
    long issued;
    struct pending *out;
    size_t nout, capout;
    int coord_view;      /* the coordinator this client sends to (-1 none) */
    int finished;        /* node_done called */
    double next_arrival; /* open loop: local time of the next arrival */
    /* coordinator */
    int coordinating, settled; /* settled: every server answered SYNC, or timeout passed */
    struct idmap assigned;     /* id -> server */
    int *load, *synced;        /* [N] */
    int rr;
    struct req_msg *held; /* requests waiting for the servers' SYNC_REPLY */
    size_t nheld, capheld;
    /* server */
    int fence; /* the coordinator whose DISPATCH this server accepts (-1 none) */
    struct idmap accepted;
    struct job *queue; /* FIFO ring */
    size_t qhead, qlen, qcap;
    struct job busy[MAX_WORKERS];
    int nbusy;
};

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
    node_use_tables(n, NODE_TABLE_REQUESTS);
    if (!s->elected &&
        config_check_node(cfg, "dispatch", "coordinator", node_count(n), err, errlen))
        return -1;
    return roles(n, s, cfg, err, errlen);
}

/* Deliver to dst: a message, or a direct call when dst is this node. */
static void on_message(struct node *n, void *state, const struct message *m);
static void post(struct node *n, struct dispatch *s, int dst, int type, const void *p, size_t len) {
    if (dst < 0) return;
    if (dst != node_id(n)) {
        node_send(n, dst, type, p, len);
        return;
    }
    struct message m = {dst, dst, type, 0, 0, p, len};
    on_message(n, s, &m);
}

/* ------------------------------------------------------------------ server */

static void record_queue(struct node *n, struct dispatch *s) {
    node_record_queue(n, (int)s->qlen, s->nbusy);
}

static void start_service(struct node *n, struct dispatch *s) {
    for (int w = 0; w < s->workers && s->qlen > 0; w++) {
        if (s->busy[w].id) continue;
        s->busy[w] = s->queue[s->qhead];
        s->qhead = (s->qhead + 1) % s->qcap;
        s->qlen--;
        s->nbusy++;
        node_record_request(n, s->busy[w].id, REQUEST_STARTED, s->busy[w].client);
        node_set_timer(n, dist_sample(&s->service, node_rng(n), node_id(n)), T_WORKER + w);
    }
}

static void enqueue(struct dispatch *s, struct job j) {
    if (s->qlen == s->qcap) {
        size_t cap = s->qcap ? 2 * s->qcap : 64;
        struct job *q = node_alloc(cap, sizeof *q);
        for (size_t i = 0; i < s->qlen; i++)
            q[i] = s->queue[(s->qhead + i) % s->qcap];
        free(s->queue);
        s->queue = q;
        s->qhead = 0;
        s->qcap = cap;
    }
    s->queue[(s->qhead + s->qlen++) % s->qcap] = j;
}

static void server_dispatch(struct node *n, struct dispatch *s, int src, const struct req_msg *r) {
    if (!s->is_server[node_id(n)] || src != s->fence) return; /* not from our coordinator */
    int st = 0;
    idmap_get(&s->accepted, r->id, &st);
    if (st == HELD) return; /* a repeat: already queued or in service */
    if (st == FINISHED) {   /* served: the reply may have been lost */
        struct req_msg rp = {r->id, r->client, r->attempt};
        post(n, s, r->client, REPLY, &rp, sizeof rp);
        return;
    }
    if (idmap_put(&s->accepted, r->id, HELD)) node_out_of_memory();
    node_record_request(n, r->id, REQUEST_ARRIVED, r->client);
    enqueue(s, (struct job){r->id, r->client});
    start_service(n, s);
    record_queue(n, s);
}

static void service_done(struct node *n, struct dispatch *s, int w) {
    struct job j = s->busy[w];
    if (!j.id) return;
    s->busy[w].id = 0;
    s->nbusy--;
    if (idmap_put(&s->accepted, j.id, FINISHED)) node_out_of_memory();
    node_record_request(n, j.id, REQUEST_FINISHED, j.client);
    struct req_msg rp = {j.id, j.client, 0};
    post(n, s, j.client, REPLY, &rp, sizeof rp);
    post(n, s, s->fence, DONE, &rp, sizeof rp);
    start_service(n, s);
    record_queue(n, s);
}

/* The ids this server holds or served, for a new coordinator. */
static void server_sync(struct node *n, struct dispatch *s, int src) {
    if (!s->is_server[node_id(n)]) return;
    if (src != node_coordinator(n, s->coordinator)) return;
    s->fence = src;
    size_t count = 0;
    for (size_t i = 0; i < s->accepted.cap; i++)
        count += s->accepted.keys[i] && s->accepted.values[i] != LOST;
    size_t len = sizeof(struct sync_hdr) + count * sizeof(uint64_t);
    char *buf = node_alloc(len, 1);
    struct sync_hdr h = {(int32_t)s->qlen + s->nbusy, (int32_t)count};
    memcpy(buf, &h, sizeof h);
    uint64_t *ids = (uint64_t *)(void *)(buf + sizeof h);
    size_t k = 0;
    for (size_t i = 0; i < s->accepted.cap; i++)
        if (s->accepted.keys[i] && s->accepted.values[i] != LOST) {
            uint64_t id = s->accepted.keys[i];
            memcpy(&ids[k++], &id, sizeof id);
        }
    post(n, s, src, SYNC_REPLY, buf, len);
    free(buf);
}

/* ------------------------------------------------------------- coordinator */

static int eligible(struct node *n, const struct dispatch *s, int server) {
    return server != node_id(n) && s->synced[server];
}

/* The server for a new request by the policy, or -1 when none is eligible. */
static int choose(struct node *n, struct dispatch *s) {
    int cand[2], k = 0, nel = 0;
    gsl_rng *r = node_rng(n);
    for (int i = 0; i < s->nservers; i++)
        nel += eligible(n, s, s->servers[i]);
    if (nel == 0) return -1;
    switch (s->policy) {
    case ROUND_ROBIN:
        for (;;) {
            int srv = s->servers[s->rr];
            s->rr = (s->rr + 1) % s->nservers;
            if (eligible(n, s, srv)) return srv;
        }
    case RANDOM:
    case TWO_CHOICES: {
        int want = s->policy == RANDOM || nel == 1 ? 1 : 2;
        /* draw `want` distinct eligible servers (the j-th of the eligible ones) */
        int first = (int)gsl_rng_uniform_int(r, (unsigned long)nel), second = -1;
        if (want == 2) {
            second = (int)gsl_rng_uniform_int(r, (unsigned long)(nel - 1));
            if (second >= first) second++;
        }
        for (int i = 0, j = 0; i < s->nservers; i++) {
            if (!eligible(n, s, s->servers[i])) continue;
            if (j == first || j == second) cand[k++] = s->servers[i];
            j++;
        }
        if (k == 1 || s->load[cand[0]] < s->load[cand[1]]) return cand[0];
        if (s->load[cand[1]] < s->load[cand[0]]) return cand[1];
        return cand[gsl_rng_uniform_int(r, 2)];
    }
    default: { /* LEAST_LOADED, ties uniformly at random */
        int best = -1, ties = 0;
        for (int i = 0; i < s->nservers; i++) {
            int srv = s->servers[i];
            if (!eligible(n, s, srv)) continue;
            if (best < 0 || s->load[srv] < s->load[best]) {
                best = srv;
                ties = 1;
            } else if (s->load[srv] == s->load[best] &&
                       gsl_rng_uniform_int(r, (unsigned long)++ties) == 0) {
                best = srv;
            }
        }
        return best;
    }
    }
}

static void hold(struct dispatch *s, const struct req_msg *r) {
    if (s->nheld == s->capheld) {
        size_t cap = s->capheld ? 2 * s->capheld : 32;
        s->held = node_grow(s->held, cap, sizeof *s->held);
        s->capheld = cap;
    }
    s->held[s->nheld++] = *r;
}

static void coordinator_request(struct node *n, struct dispatch *s, const struct req_msg *r) {
    if (!s->coordinating) return; /* the client will time out and ask the next one */
    int srv;
    if (idmap_get(&s->assigned, r->id, &srv)) { /* a repeat: to the server that has it */
        post(n, s, srv, DISPATCH, r, sizeof *r);
        return;
    }
    if (r->attempt > 0 && !s->settled) { /* it may be at a server not heard from yet */
        hold(s, r);
        return;
    }
    srv = choose(n, s);
    if (srv < 0) {
        int any = 0;
        for (int i = 0; i < s->nservers; i++)
            any |= s->servers[i] != node_id(n);
        if (!any || s->settled) {
            struct req_msg f = {r->id, r->client, REQUEST_NO_SERVER};
            post(n, s, r->client, FAIL, &f, sizeof f);
        } else {
            hold(s, r);
        }
        return;
    }
    if (idmap_put(&s->assigned, r->id, srv)) node_out_of_memory();
    s->load[srv]++;
    node_record_request(n, r->id, REQUEST_DISPATCHED, srv);
    post(n, s, srv, DISPATCH, r, sizeof *r);
}

static void release_held(struct node *n, struct dispatch *s) {
    size_t k = s->nheld;
    struct req_msg *h = s->held;
    s->held = NULL;
    s->nheld = s->capheld = 0;
    for (size_t i = 0; i < k; i++)
        coordinator_request(n, s, &h[i]);
    free(h);
}

static void send_syncs(struct node *n, struct dispatch *s) {
    int missing = 0;
    for (int i = 0; i < s->nservers; i++) {
        int srv = s->servers[i];
        if (s->synced[srv]) continue;
        missing = 1;
        post(n, s, srv, SYNC, NULL, 0);
    }
    if (missing) node_set_timer(n, s->timeout, T_SYNC);
}

static void check_synced(struct node *n, struct dispatch *s) {
    for (int i = 0; i < s->nservers; i++)
        if (!s->synced[s->servers[i]]) return;
    s->settled = 1;
    node_cancel_timer(n, T_SYNC);
    release_held(n, s);
}

/* Start coordinating: learn what the servers hold (unless nothing can exist
 * yet), then tell the clients. */
static void become_coordinator(struct node *n, struct dispatch *s, int fresh) {
    int N = node_count(n), me = node_id(n);
    s->coordinating = 1;
    s->settled = 0;
    idmap_clear(&s->assigned);
    s->nheld = 0;
    for (int i = 0; i < N; i++) {
        s->load[i] = 0;
        s->synced[i] = fresh;
    }
    if (!fresh) {
        if (s->is_server[me]) server_sync(n, s, me); /* answers itself: fence = me */
        send_syncs(n, s);
        for (int i = 0; i < N; i++)
            if (s->is_client[i] && i != me) node_send(n, i, ANNOUNCE, NULL, 0);
        if (s->is_client[me]) {
            struct message m = {me, me, ANNOUNCE, 0, 0, NULL, 0};
            on_message(n, s, &m);
        }
    }
    check_synced(n, s);
}

static void sync_reply(struct node *n, struct dispatch *s, int src, const struct message *m) {
    if (!s->coordinating || s->synced[src] || m->len < sizeof(struct sync_hdr)) return;
    struct sync_hdr h;
    node_payload(n, m, 0, &h, sizeof h);
    for (int32_t i = 0; i < h.count; i++) {
        uint64_t id;
        node_payload(n, m, sizeof h + (size_t)i * sizeof id, &id, sizeof id);
        int other;
        if (!idmap_get(&s->assigned, id, &other) && idmap_put(&s->assigned, id, src))
            node_out_of_memory();
    }
    s->load[src] = h.in_system;
    s->synced[src] = 1;
    check_synced(n, s);
}

/* With an election: follow the coordinator it names. */
static void check_leader(struct node *n, struct dispatch *s) {
    if (!s->elected) return;
    int me = node_id(n), leader = node_leader(n);
    if (leader == me && !s->coordinating)
        become_coordinator(n, s, 0);
    else if (leader != me && s->coordinating) {
        s->coordinating = 0;
        s->nheld = 0;
        node_cancel_timer(n, T_SYNC);
    }
}

/* ------------------------------------------------------------------ client */

static void arm_deadline(struct node *n, struct dispatch *s) {
    if (s->nout == 0) {
        node_cancel_timer(n, T_DEADLINE);
        return;
    }
    double first = s->out[0].deadline;
    for (size_t i = 1; i < s->nout; i++)
        if (s->out[i].deadline < first) first = s->out[i].deadline;
    node_set_timer_at(n, first, T_DEADLINE);
}

static int coordinator_of(const struct dispatch *s) {
    return s->elected ? s->coord_view : s->coordinator;
}

/* Send (again) to the coordinator this client knows; none known: wait. */
static void send_request(struct node *n, struct dispatch *s, struct pending *p) {
    int c = coordinator_of(s);
    p->deadline = node_local_time(n) + s->timeout;
    if (c < 0) return;
    struct req_msg r = {p->id, node_id(n), p->attempts++};
    p->sent_to = c;
    post(n, s, c, REQUEST, &r, sizeof r);
}

static void maybe_done(struct node *n, struct dispatch *s) {
    if (s->requests > 0 && s->issued >= s->requests && s->nout == 0 && !s->finished) {
        s->finished = 1;
        node_done(n);
    }
}

/* Open loop: the arrival times form a Poisson process on the client's
 * clock (node_set_timer_at), so the lateness of one arrival does not delay
 * the next. Closed loop: think time after the reply. */
static void next_request_later(struct node *n, struct dispatch *s) {
    if (s->requests > 0 && s->issued >= s->requests) return;
    if (s->closed) {
        node_set_timer(n, dist_sample(&s->think, node_rng(n), node_id(n)), T_NEXT);
        return;
    }
    s->next_arrival += gsl_ran_exponential(node_rng(n), 1.0 / s->rate);
    node_set_timer_at(n, s->next_arrival, T_NEXT);
}

static void issue(struct node *n, struct dispatch *s) {
    if (s->nout == s->capout) {
        size_t cap = s->capout ? 2 * s->capout : 16;
        s->out = node_grow(s->out, cap, sizeof *s->out);
        s->capout = cap;
    }
    struct pending *p = &s->out[s->nout++];
    memset(p, 0, sizeof *p);
    p->id = ((uint64_t)(node_id(n) + 1) << 32) | ++s->seq;
    p->sent_to = -1;
    s->issued++;
    node_record_request(n, p->id, REQUEST_SENT, -1);
    send_request(n, s, p);
    arm_deadline(n, s);
}

/* The request ended: record its outcome and forget it. */
static void resolve(struct node *n, struct dispatch *s, size_t i, enum request_status st) {
    node_record_request_outcome(n, s->out[i].id, st, s->out[i].attempts);
    s->out[i] = s->out[--s->nout];
    arm_deadline(n, s);
    if (s->closed) next_request_later(n, s);
    maybe_done(n, s);
}

static size_t find_pending(const struct dispatch *s, uint64_t id) {
    for (size_t i = 0; i < s->nout; i++)
        if (s->out[i].id == id) return i;
    return s->nout;
}

static void deadlines(struct node *n, struct dispatch *s) {
    double now = node_local_time(n);
    for (size_t i = 0; i < s->nout;) {
        struct pending *p = &s->out[i];
        if (p->deadline > now) {
            i++;
            continue;
        }
        if (++p->expiries > s->retries) {
            resolve(n, s, i, REQUEST_TIMEOUT); /* moves the last one to i */
            continue;
        }
        send_request(n, s, p);
        i++;
    }
    arm_deadline(n, s);
}

/* ------------------------------------------------------------------ driver */

static void start(struct node *n, void *state) {
    struct dispatch *s = state;
    int me = node_id(n);
    if (!s->elected) {
        node_set_leader(n, s->coordinator); /* [faults] crash = coordinator@... */
        s->fence = s->coordinator;
        if (me == s->coordinator) become_coordinator(n, s, 1);
    } else {
        node_set_timer(n, s->poll, T_POLL);
        check_leader(n, s);
    }
    if (s->is_server[me]) record_queue(n, s);
    s->next_arrival = node_local_time(n);
    if (s->is_client[me])
        next_request_later(n, s);
    else if (s->requests > 0)
        node_done(n); /* servers and coordinators serve until every client is done */
}

static void on_message(struct node *n, void *state, const struct message *m) {
    struct dispatch *s = state;
    check_leader(n, s);
    struct req_msg r = {0, -1, 0};
    if (m->len >= sizeof r && m->type != SYNC_REPLY) memcpy(&r, m->payload, sizeof r);
    size_t i;
    switch (m->type) {
    case REQUEST:
        coordinator_request(n, s, &r);
        break;
    case DISPATCH:
        server_dispatch(n, s, m->src, &r);
        break;
    case REPLY:
        if ((i = find_pending(s, r.id)) == s->nout) break; /* answered already */
        node_record_request(n, r.id, REQUEST_RECEIVED, m->src);
        resolve(n, s, i, REQUEST_SERVED);
        break;
    case DONE:
        if (s->coordinating && s->load[m->src] > 0) s->load[m->src]--;
        break;
    case FAIL:
        if ((i = find_pending(s, r.id)) < s->nout) resolve(n, s, i, REQUEST_NO_SERVER);
        break;
    case SYNC:
        server_sync(n, s, m->src);
        break;
    case SYNC_REPLY:
        sync_reply(n, s, m->src, m);
        break;
    case ANNOUNCE: /* a coordinator took over: everything unanswered goes to it */
        if (!s->is_client[node_id(n)]) break;
        s->coord_view = m->src;
        for (i = 0; i < s->nout; i++)
            send_request(n, s, &s->out[i]);
        arm_deadline(n, s);
        break;
    }
}

static void on_timer(struct node *n, void *state, int id) {
    struct dispatch *s = state;
    check_leader(n, s);
    if (id < MAX_WORKERS) {
        service_done(n, s, id);
    } else if (id == T_NEXT) {
        issue(n, s);
        if (!s->closed) next_request_later(n, s);
    } else if (id == T_DEADLINE) {
        deadlines(n, s);
    } else if (id == T_POLL) {
        node_set_timer(n, s->poll, T_POLL);
    } else if (id == T_SYNC && s->coordinating) {
        if (!s->settled) { /* the silent servers are taken as crashed */
            s->settled = 1;
            release_held(n, s);
        }
        send_syncs(n, s); /* and asked again: one may recover */
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
    if (s->is_server[me]) record_queue(n, s);
    if (!s->elected) {
        if (me == s->coordinator) become_coordinator(n, s, 0);
    } else {
        s->coord_view = -1;
        node_set_timer(n, s->poll, T_POLL);
        check_leader(n, s);
    }
    s->finished = 0;
    s->next_arrival = node_local_time(n);
    if (s->is_client[me]) {
        next_request_later(n, s);
        maybe_done(n, s);
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
