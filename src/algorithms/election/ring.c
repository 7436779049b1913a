/* Ring election: Chang-Roberts on a unidirectional ring (E. Chang and
 * R. Roberts, "An improved algorithm for decentralized extrema-finding in
 * circular configurations of processes", CACM 22(5), 1979; N. Lynch,
 * Distributed Algorithms, section 3.3, for LCR, the case where every node
 * initiates; Coulouris et al., section 15.3.1, for the ELECTED round).
 *
 * Node i sends only to its successor, (i+1) mod n. Ids come from
 * [election] ids, initiators from [election] initiators.
 *  - An initiator sends ELECTION(own id) and marks itself participant.
 *  - On ELECTION(j): j > own id: forward it (and become participant);
 *    j < own id: if not yet participant, send ELECTION(own id) instead and
 *    become participant, otherwise swallow it; j == own id: this node is the
 *    coordinator and sends ELECTED(its id, its node index).
 *  - On ELECTED: record the coordinator (node_set_leader with its node
 *    index), stop being participant and forward it. ELECTED travels the whole
 *    ring and is swallowed by the coordinator when it returns: every node
 *    sends exactly one ELECTED, n ELECTED messages in all (crash-free run).
 * Message counts with every node initiating (LCR): ELECTION = sum over nodes
 * of the hops from the node to the next node (in ring direction) holding a
 * larger id, n hops for the largest id; n(n+1)/2 when ids decrease along the
 * ring (ids = reverse), n*H_n on average over random id layouts. With one
 * initiator s: hops(s -> node of the largest id) + n.
 *
 * Crashed successors. Every ELECTION and ELECTED is acknowledged by its
 * receiver with ACK (its own message type, so the ELECTION and ELECTED
 * counts stay those above; in a crash-free run ACK = ELECTION + ELECTED).
 * When a sender has had messages without ACK for [ring] timeout (seconds),
 * it presumes its successor crashed, takes the node after it as successor
 * and resends every unacknowledged message there. A node whose every other
 * node is silent elects itself. Once a node knows the coordinator and has no
 * message outstanding it is done, and its next election tries its nearest
 * successor again, so a recovered node rejoins. A recovering node starts an
 * election. A node that crashes after it has acknowledged a message loses it
 * (no stable storage): crashes are handled when they happen before a message
 * reaches the node, e.g. crash = k@0s. Nothing watches the coordinator after
 * the election (no heartbeat). */
#include "api/algorithm.h"

#include <math.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { ELECTION, ELECTED, ACK };
enum { T_ACK };

static const char *const types[] = {"ELECTION", "ELECTED", "ACK", NULL};

static const struct param params[] = {
    {.key = "timeout",
     .type = PARAM_TIME,
     .default_value = "500ms",
     .help = "without an ACK from the successor after this (s), skip it as crashed",
     .lo = CONFIG_MIN_PERIOD,
     .hi = HUGE_VAL},
    {.key = NULL}};

/* ELECTION: a candidate's id and node index; ELECTED: the coordinator's. */
struct ring_msg {
    int32_t id, node;
    uint32_t seq; /* per-sender sequence number, echoed by the ACK */
};

struct ack {
    uint32_t seq;
};

struct outstanding {
    int type;
    struct ring_msg msg;
};

struct ring {
    double timeout;
    int next;        /* current successor (node index) */
    int participant; /* Chang-Roberts: has sent or forwarded an ELECTION */
    int announced;   /* this node is the coordinator and sent ELECTED */
    int finished;    /* knows the coordinator and has passed ELECTED on */
    uint32_t seq;
    struct outstanding *q; /* sent, not yet acknowledged, oldest first */
    size_t nq, cap;
};

static int configure(struct node *n, const struct config *cfg, void **state, char *err,
                     size_t errlen) {
    (void)err, (void)errlen;
    struct ring *s = node_alloc(1, sizeof *s);
    *state = s;
    s->timeout = config_time(cfg, "ring", "timeout");
    s->next = (node_id(n) + 1) % node_count(n);
    return 0;
}

static int my_id(struct node *n) {
    return node_election_id(n, node_id(n));
}

static void maybe_done(struct node *n, struct ring *s) {
    if (!s->finished || s->nq > 0) return;
    s->next = (node_id(n) + 1) % node_count(n); /* the next election tries it again */
    node_done(n);
}

/* Send a ring message to the successor and keep it until it is acknowledged. */
static void ring_send(struct node *n, struct ring *s, int type, int id, int node) {
    if (s->nq == s->cap) {
        size_t cap = s->cap ? 2 * s->cap : 8;
        s->q = node_grow(s->q, cap, sizeof *s->q);
        s->cap = cap;
    }
    struct outstanding *o = &s->q[s->nq++];
    o->type = type;
    o->msg = (struct ring_msg){id, node, ++s->seq};
    node_send(n, s->next, type, &o->msg, sizeof o->msg);
    if (s->nq == 1) node_set_timer(n, s->timeout, T_ACK);
}

static void on_ack(struct node *n, struct ring *s, uint32_t seq) {
    for (size_t i = 0; i < s->nq; i++)
        if (s->q[i].msg.seq == seq) {
            memmove(&s->q[i], &s->q[i + 1], (s->nq - i - 1) * sizeof s->q[0]);
            s->nq--;
            break;
        }
    if (s->nq > 0) {
        node_set_timer(n, s->timeout, T_ACK); /* progress: give the rest a full timeout */
    } else {
        node_cancel_timer(n, T_ACK);
        maybe_done(n, s);
    }
}

/* A new election of this node: if it wins again, it announces again. The
 * node that started it (a recovered node, say) knows no coordinator until
 * an ELECTED passes; a coordinator that swallowed its own returning
 * ELECTION as already announced left that node without one. */
static void start_election(struct node *n, struct ring *s) {
    s->participant = 1;
    s->announced = 0;
    ring_send(n, s, ELECTION, my_id(n), node_id(n));
}

static void become_coordinator(struct node *n, struct ring *s) {
    if (s->announced) return;
    s->announced = 1;
    s->participant = 0;
    node_set_leader(n, node_id(n));
    ring_send(n, s, ELECTED, my_id(n), node_id(n));
}

static void on_election(struct node *n, struct ring *s, const struct ring_msg *m) {
    int own = my_id(n);
    if (m->id > own) {
        s->participant = 1;
        ring_send(n, s, ELECTION, m->id, m->node);
    } else if (m->id < own) {
        if (!s->participant) start_election(n, s);
    } else {
        become_coordinator(n, s);
    }
}

static void on_elected(struct node *n, struct ring *s, const struct ring_msg *m) {
    s->participant = 0;
    if (m->node != node_id(n)) {
        node_set_leader(n, m->node);
        ring_send(n, s, ELECTED, m->id, m->node);
    }
    /* else: the announcement has been all the way round */
    s->finished = 1;
    maybe_done(n, s);
}

static void start(struct node *n, void *state) {
    struct ring *s = state;
    if (node_is_initiator(n, node_id(n))) start_election(n, s);
}

static void on_message(struct node *n, void *state, const struct message *m) {
    struct ring *s = state;
    if (m->type == ACK) {
        struct ack a;
        node_payload(n, m, 0, &a, sizeof a);
        on_ack(n, s, a.seq);
        return;
    }
    struct ring_msg r;
    node_payload(n, m, 0, &r, sizeof r);
    struct ack a = {r.seq};
    node_send(n, m->src, ACK, &a, sizeof a);
    if (m->type == ELECTION)
        on_election(n, s, &r);
    else if (m->type == ELECTED)
        on_elected(n, s, &r);
}

/* No ACK in time: skip the successor and resend what it did not acknowledge. */
static void on_timer(struct node *n, void *state, int id) {
    struct ring *s = state;
    if (id != T_ACK || s->nq == 0) return;
    int me = node_id(n);
    s->next = (s->next + 1) % node_count(n);
    if (s->next == me) { /* every other node is silent */
        s->nq = 0;
        node_set_leader(n, me);
        s->announced = s->finished = 1;
        maybe_done(n, s);
        return;
    }
    for (size_t i = 0; i < s->nq; i++)
        node_send(n, s->next, s->q[i].type, &s->q[i].msg, sizeof s->q[i].msg);
    node_set_timer(n, s->timeout, T_ACK);
}

static void on_recover(struct node *n, void *state) {
    struct ring *s = state;
    s->nq = 0;
    s->participant = s->announced = s->finished = 0;
    s->next = (node_id(n) + 1) % node_count(n);
    start_election(n, s);
}

static void destroy(void *state) {
    struct ring *s = state;
    if (s) free(s->q);
    free(s);
}

/* An election: at most n(n+1)/2 ELECTION and n ELECTED messages, each
 * acknowledged; one at the start and at most two per crash event. A node
 * sends to its successor and acknowledges to its predecessor, and each
 * crash can make it skip one more of either. */
static void estimate(const struct config *cfg, int nodes, double seconds, int crashes,
                     struct record_estimate *out) {
    (void)cfg, (void)seconds;
    double n = nodes;
    out->messages = (1.0 + 2.0 * crashes) * 2.0 * (n * (n + 1) / 2 + n);
    out->peers = 2.0 + 2.0 * crashes;
}

const struct algorithm algorithm_ring = {
    .name = "ring",
    .family = FAMILY_ELECTION,
    .summary = "Chang-Roberts 1979 (LCR when all initiate): unidirectional ring, ELECTION/ELECTED, "
               "crashed successors skipped after an ACK timeout",
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
