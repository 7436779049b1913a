/* Hirschberg-Sinclair election on a bidirectional ring (D. S. Hirschberg and
 * J. B. Sinclair, "Decentralized extrema-finding in circular configurations
 * of processors", CACM 23(11), 1980; N. Lynch, Distributed Algorithms,
 * section 3.4; H. Attiya and J. Welch, Distributed Computing, 3.3.2).
 *
 * Node i's neighbours are i+1 ("right") and i-1 ("left"), mod n; every
 * message carries the direction it travels, so n = 2 (both neighbours the
 * same node) works. Ids come from [election] ids.
 *  - A candidate in phase k = 0, 1, 2, ... sends PROBE(id, k, hop 1) both
 *    ways. A node receiving PROBE(j, k, d): j < own id: swallow it;
 *    j > own id: forward it with hop d+1 while d < 2^k, and at d = 2^k send
 *    REPLY(j, k) back the way it came; j == own id: the probe went round the
 *    ring, this node is the coordinator.
 *  - REPLY(j, k) is relayed towards j; a candidate that has both replies of
 *    phase k goes to phase k+1.
 *  - The coordinator announces only after both of its final probes returned:
 *    ELECTED(its node index) travels right all the way round and is swallowed
 *    by the coordinator when it returns (n ELECTED messages). Every node
 *    records the coordinator (node_set_leader) and is done.
 * Initiators ([election] initiators) are candidates from the start; any other
 * node becomes a candidate when it first receives a probe with a smaller id,
 * unless it has already relayed a larger one (then it cannot win).
 * Messages: PROBE + REPLY <= 8n(1 + ceil(log2 n)) (Lynch 3.4: at most 4n in
 * phase 0, at most 8n in each later phase, 1 + ceil(log2 n) phases); the
 * n ELECTED messages fit in that bound's slack (the tests check the sum). */
#include "api/algorithm.h"

#include <math.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { PROBE, REPLY, ELECTED };

static const char *const types[] = {"PROBE", "REPLY", "ELECTED", NULL};

/* dir: +1 travels right (to i+1), -1 travels left (to i-1). */
struct hs_msg {
    int32_t id, node; /* candidate (or coordinator) id and node index */
    int32_t phase, hop, dir;
};

enum { FROM_LEFT = 1, FROM_RIGHT = 2, FROM_BOTH = 3 };

struct hs {
    int candidate, defeated, announced;
    int phase;
    int replies; /* FROM_* bits: replies of the current phase so far */
    int own;     /* FROM_* bits: own probes of the final phase returned */
};

static int configure(struct node *n, const struct config *cfg, void **state, char *err,
                     size_t errlen) {
    (void)n, (void)cfg, (void)err, (void)errlen;
    *state = node_alloc(1, sizeof(struct hs));
    return 0;
}

static int my_id(struct node *n) {
    return node_election_id(n, node_id(n));
}

static int neighbour(struct node *n, int dir) {
    return (node_id(n) + dir + node_count(n)) % node_count(n);
}

/* The side a message travelling in dir arrived from. */
static int arrived_from(int dir) {
    return dir > 0 ? FROM_LEFT : FROM_RIGHT;
}

static void send_dir(struct node *n, int type, struct hs_msg m) {
    node_send(n, neighbour(n, m.dir), type, &m, sizeof m);
}

static void probe_phase(struct node *n, struct hs *s, int k) {
    s->phase = k;
    s->replies = 0;
    for (int dir = 1; dir >= -1; dir -= 2)
        send_dir(n, PROBE, (struct hs_msg){my_id(n), node_id(n), k, 1, dir});
}

static void become_candidate(struct node *n, struct hs *s) {
    if (s->candidate || s->defeated) return;
    s->candidate = 1;
    probe_phase(n, s, 0);
}

static void on_probe(struct node *n, struct hs *s, struct hs_msg m) {
    int own = my_id(n);
    if (m.id < own) {
        become_candidate(n, s); /* a sleeping node wakes up; the probe is swallowed */
        return;
    }
    if (m.id == own) { /* round the ring: coordinator, once both probes are back */
        s->own |= arrived_from(m.dir);
        if (s->own == FROM_BOTH && !s->announced) {
            s->announced = 1;
            node_set_leader(n, node_id(n));
            send_dir(n, ELECTED, (struct hs_msg){own, node_id(n), m.phase, 1, +1});
        }
        return;
    }
    s->defeated = 1;
    if (m.hop < (1LL << m.phase)) {
        m.hop++;
        send_dir(n, PROBE, m);
    } else {
        m.dir = -m.dir;
        send_dir(n, REPLY, m);
    }
}

static void on_reply(struct node *n, struct hs *s, struct hs_msg m) {
    if (m.id != my_id(n)) {
        send_dir(n, REPLY, m);
        return;
    }
    if (m.phase != s->phase || s->announced) return;
    s->replies |= arrived_from(m.dir);
    if (s->replies == FROM_BOTH) probe_phase(n, s, s->phase + 1);
}

static void on_elected(struct node *n, struct hs_msg m) {
    if (m.node != node_id(n)) {
        node_set_leader(n, m.node);
        send_dir(n, ELECTED, m);
    }
    node_done(n);
}

static void start(struct node *n, void *state) {
    if (node_is_initiator(n, node_id(n))) become_candidate(n, state);
}

static void on_message(struct node *n, void *state, const struct message *m) {
    struct hs_msg h;
    node_payload(n, m, 0, &h, sizeof h);
    if (h.phase < 0 || h.phase > 40 || (h.dir != 1 && h.dir != -1)) return;
    switch (m->type) {
    case PROBE:
        on_probe(n, state, h);
        break;
    case REPLY:
        on_reply(n, state, h);
        break;
    case ELECTED:
        on_elected(n, h);
        break;
    }
}

/* An election: at most 8n(1 + ceil(log2 n)) messages (Lynch 3.4); one at
 * the start and at most two per crash event. A node sends only to its two
 * neighbours. */
static void estimate(const struct config *cfg, int nodes, double seconds, int crashes,
                     struct record_estimate *out) {
    (void)cfg, (void)seconds;
    double n = nodes;
    out->messages = (1.0 + 2.0 * crashes) * 8.0 * n * (1.0 + ceil(log2(n)));
    out->peers = 2.0;
}

const struct algorithm algorithm_hs = {
    .name = "hs",
    .family = FAMILY_ELECTION,
    .summary = "Hirschberg-Sinclair 1980: bidirectional ring, PROBE/REPLY to distance 2^k, "
               "O(n log n) messages",
    .message_types = types,
    .params = NULL,
    .min_nodes = 2,
    .has_coordinator = 1,
    .configure = configure,
    .start = start,
    .on_message = on_message,
    .estimate = estimate,
};
