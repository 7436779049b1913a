/* Bully election (H. Garcia-Molina, "Elections in a distributed computing
 * system", IEEE Trans. Computers C-31(1), 1982; Coulouris et al., section
 * 15.3.2), with timeouts.
 *
 * A node holding an election sends ELECTION to every node with a higher id.
 * A node receiving ELECTION answers OK and holds its own election (once).
 * Without an OK within `timeout` the node is the coordinator and sends
 * COORDINATOR to every node with a lower id; with an OK it waits
 * `coordinator_timeout` for COORDINATOR and otherwise starts again. Nodes in
 * [election] initiators hold an election at the start and, when `heartbeat`
 * > 0, probe the coordinator with HEARTBEAT every heartbeat: no
 * HEARTBEAT_ACK within `timeout` means it crashed, and they hold an election.
 * A recovering node holds an election. A COORDINATOR from a lower id than
 * one's own is answered by an election (the higher node bullies).
 *
 * One refinement: a coordinator that receives ELECTION answers OK and tells
 * only that sender that it is the coordinator. Holding a new election there
 * would announce COORDINATOR to every lower node again: with n nodes
 * starting an election at once, the highest one would receive up to n-1
 * ELECTIONs and send (n-1)^2 COORDINATORs to nodes that already know it.
 * The counts below are unchanged: in them the new coordinator is still
 * holding its election when the other ELECTIONs arrive.
 *
 * Worst case (ids by rank, the highest crashed, the lowest detects, every
 * live node holds one election): n(n-1)/2 ELECTION, (n-1)(n-2)/2 OK and
 * n-2 COORDINATOR messages. */
#include "api/algorithm.h"

#include <math.h>

#include <stdio.h>
#include <stdlib.h>

enum { ELECTION, OK, COORDINATOR, HEARTBEAT, HEARTBEAT_ACK };
enum { T_OK, T_COORDINATOR, T_HEARTBEAT, T_HEARTBEAT_ACK };

static const char *const types[] = {"ELECTION",      "OK", "COORDINATOR", "HEARTBEAT",
                                    "HEARTBEAT_ACK", NULL};

static const struct param params[] = {
    {.key = "timeout",
     .type = PARAM_TIME,
     .default_value = "50ms",
     .help = "wait for OK (and for HEARTBEAT_ACK) before concluding",
     .lo = CONFIG_MIN_PERIOD,
     .hi = HUGE_VAL},
    {.key = "coordinator_timeout",
     .type = PARAM_TIME,
     .default_value = "200ms",
     .help = "after an OK, wait this long for COORDINATOR before starting again",
     .lo = CONFIG_MIN_PERIOD,
     .hi = HUGE_VAL},
    {.key = "heartbeat",
     .type = PARAM_TIME,
     .default_value = "0",
     .help = "initiators probe the coordinator this often; 0 = never (the run ends once elected)",
     .lo = CONFIG_MIN_PERIOD,
     .hi = HUGE_VAL,
     .zero_ok = 1,
     .needs_duration = NEEDS_DURATION_UNLESS_ZERO},
    {.key = NULL}};

struct bully {
    double timeout, coordinator_timeout, heartbeat;
    int electing;
    int awaiting_ack; /* a HEARTBEAT is out and unanswered */
};

static int configure(struct node *n, const struct config *cfg, void **state, char *err,
                     size_t errlen) {
    (void)n, (void)err, (void)errlen;
    struct bully *s = node_alloc(1, sizeof *s);
    *state = s;
    s->timeout = config_time(cfg, "bully", "timeout");
    s->coordinator_timeout = config_time(cfg, "bully", "coordinator_timeout");
    s->heartbeat = config_time(cfg, "bully", "heartbeat");
    return 0;
}

static int my_id(struct node *n) {
    return node_election_id(n, node_id(n));
}

static void decided(struct node *n, struct bully *s, int leader) {
    s->electing = 0;
    node_cancel_timer(n, T_OK);
    node_cancel_timer(n, T_COORDINATOR);
    node_set_leader(n, leader);
    if (s->heartbeat <= 0) node_done(n);
}

static void become_coordinator(struct node *n, struct bully *s) {
    int me = node_id(n);
    for (int i = 0; i < node_count(n); i++)
        if (i != me && node_election_id(n, i) < my_id(n)) node_send(n, i, COORDINATOR, NULL, 0);
    decided(n, s, me);
}

static void hold_election(struct node *n, struct bully *s) {
    if (s->electing) return;
    s->electing = 1;
    int higher = 0, me = node_id(n);
    for (int i = 0; i < node_count(n); i++)
        if (i != me && node_election_id(n, i) > my_id(n)) {
            node_send(n, i, ELECTION, NULL, 0);
            higher++;
        }
    if (higher == 0)
        become_coordinator(n, s);
    else
        node_set_timer(n, s->timeout, T_OK);
}

static void start(struct node *n, void *state) {
    struct bully *s = state;
    if (!node_is_initiator(n, node_id(n))) return;
    hold_election(n, s);
    if (s->heartbeat > 0) node_set_timer(n, s->heartbeat, T_HEARTBEAT);
}

static void on_message(struct node *n, void *state, const struct message *m) {
    struct bully *s = state;
    switch (m->type) {
    case ELECTION:
        node_send(n, m->src, OK, NULL, 0);
        if (node_leader(n) == node_id(n) && !s->electing)
            node_send(n, m->src, COORDINATOR, NULL, 0);
        else
            hold_election(n, s);
        break;
    case OK:
        if (!s->electing) break;
        node_cancel_timer(n, T_OK);
        node_set_timer(n, s->coordinator_timeout, T_COORDINATOR);
        break;
    case COORDINATOR:
        decided(n, s, m->src);
        if (node_election_id(n, m->src) < my_id(n)) hold_election(n, s);
        break;
    case HEARTBEAT:
        node_send(n, m->src, HEARTBEAT_ACK, NULL, 0);
        break;
    case HEARTBEAT_ACK:
        s->awaiting_ack = 0;
        node_cancel_timer(n, T_HEARTBEAT_ACK);
        break;
    }
}

static void on_timer(struct node *n, void *state, int id) {
    struct bully *s = state;
    int leader = node_leader(n);
    switch (id) {
    case T_OK: /* nobody higher answered */
        if (s->electing) become_coordinator(n, s);
        break;
    case T_COORDINATOR: /* a higher node answered but never announced */
        s->electing = 0;
        hold_election(n, s);
        break;
    case T_HEARTBEAT:
        node_set_timer(n, s->heartbeat, T_HEARTBEAT);
        if (s->electing || leader == node_id(n) || s->awaiting_ack) break;
        if (leader < 0) {
            hold_election(n, s);
        } else {
            node_send(n, leader, HEARTBEAT, NULL, 0);
            s->awaiting_ack = 1;
            node_set_timer(n, s->timeout, T_HEARTBEAT_ACK);
        }
        break;
    case T_HEARTBEAT_ACK: /* the coordinator did not answer: it crashed */
        s->awaiting_ack = 0;
        hold_election(n, s);
        break;
    }
}

static void on_recover(struct node *n, void *state) {
    struct bully *s = state;
    s->electing = 0;
    s->awaiting_ack = 0;
    hold_election(n, s);
    if (s->heartbeat > 0 && node_is_initiator(n, node_id(n)))
        node_set_timer(n, s->heartbeat, T_HEARTBEAT);
}

/* An election sends O(n^2) messages (the worst case above); one at the start
 * and at most two per crash event (the crash and the recovery); with
 * heartbeats every node may probe the coordinator every heartbeat. */
static void estimate(const struct config *cfg, int nodes, double seconds, int crashes,
                     struct record_estimate *out) {
    double n = nodes, heartbeat = config_time(cfg, "bully", "heartbeat");
    out->messages = (1.0 + 2.0 * crashes) * n * n;
    if (heartbeat > 0) {
        out->messages += 2.0 * n * algorithm_repeats(seconds, heartbeat, 0);
        out->timers = 2.0 * n * algorithm_repeats(seconds, heartbeat, 0);
        out->key = "heartbeat";
    }
}

const struct algorithm algorithm_bully = {
    .name = "bully",
    .family = FAMILY_ELECTION,
    .summary = "Garcia-Molina 1982: ELECTION/OK/COORDINATOR with timeouts, highest alive id wins",
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
