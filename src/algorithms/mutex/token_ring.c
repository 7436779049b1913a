/* Token ring mutual exclusion (G. Le Lann, "Distributed systems: towards a
 * formal approach", IFIP 1977; Coulouris et al., 15.2 "a ring-based
 * algorithm"; van Steen & Tanenbaum, 6.3).
 *
 * Nodes form the logical ring 0 -> 1 -> ... -> n-1 -> 0 and one TOKEN
 * circulates, starting at node 0. A node that holds the token and has an
 * open request enters the section, and passes the token to its successor
 * on exit; a node that holds it without a request passes it on at once
 * when it has no entries left, otherwise after `idle` (so that an idle ring
 * does not spin at network speed; it enters at once if it asks meanwhile).
 * A node enters at most once per visit of the token. The token counts its
 * hops and the nodes that have finished all their entries; when every node
 * has, it stops.
 *
 * Messages per entry: the hops the token travels between entries, 1 when
 * every node always wants the section (0 for the first entry, at node 0),
 * up to n when only one node still asks, more while nobody does (1 to
 * infinity in van Steen & Tanenbaum's table). Synchronization delay: 1 to
 * n-1 one-way delays.
 *
 * mutex/sections stamp: the token's hop count at the entry (the entry of
 * node i happens at a hop count h with h mod n = i). Result token_hops: the
 * largest hop count each node saw (the maximum over nodes is the number of
 * TOKEN messages). Not fault-tolerant: a crash loses the token. */
#include "algorithms/mutex/cs_workload.h"

#include <math.h>
#include <stdlib.h>

enum { TOKEN };
enum { T_REQUEST, T_EXIT, T_PASS };

static const char *const types[] = {"TOKEN", NULL};

static const struct param params[] = {
    CS_WORKLOAD_PARAMS,
    {.key = "idle",
     .type = PARAM_TIME,
     .default_value = "1ms",
     .help = "a holder without a request keeps the token this long",
     .lo = CONFIG_MIN_PERIOD,
     .hi = HUGE_VAL,
     .zero_ok = 1},
    {.key = NULL}};

struct token_msg {
    uint64_t hops;
    int32_t finished; /* nodes that completed all their entries */
    int32_t pad;
};

struct token_ring {
    struct cs_workload w;
    double idle;
    int holding, counted; /* counted: this node's completion is in the token */
    struct token_msg token;
    uint64_t seen; /* largest hop count seen */
};

static int configure(struct node *n, const struct config *cfg, void **state, char *err,
                     size_t errlen) {
    (void)err, (void)errlen;
    struct token_ring *s = node_alloc(1, sizeof *s);
    *state = s;
    s->idle = config_time(cfg, "token_ring", "idle");
    cs_configure(n, &s->w, cfg, "token_ring", T_REQUEST, T_EXIT);
    return 0;
}

static int no_entries_left(const struct token_ring *s) {
    return s->w.entries > 0 && s->w.completed >= s->w.entries;
}

static void pass(struct node *n, struct token_ring *s) {
    node_cancel_timer(n, T_PASS);
    if (s->token.finished >= node_count(n)) return; /* everybody is done: the token rests */
    s->holding = 0;
    s->token.hops++;
    node_send(n, (node_id(n) + 1) % node_count(n), TOKEN, &s->token, sizeof s->token);
}

/* The token is here (it arrived, or this node asked while holding it). */
static void use_token(struct node *n, struct token_ring *s) {
    if (s->w.inside) return;
    if (s->w.wanting) {
        node_cancel_timer(n, T_PASS);
        cs_enter(n, &s->w, s->token.hops);
    } else if (no_entries_left(s) || s->idle <= 0) {
        pass(n, s);
    } else {
        node_set_timer(n, s->idle, T_PASS);
    }
}

static void start(struct node *n, void *state) {
    struct token_ring *s = state;
    cs_next(n, &s->w);
    if (node_id(n) == 0) {
        s->holding = 1;
        use_token(n, s);
    }
}

static void on_message(struct node *n, void *state, const struct message *m) {
    struct token_ring *s = state;
    node_payload(n, m, 0, &s->token, sizeof s->token);
    if (s->token.hops > s->seen) s->seen = s->token.hops;
    s->holding = 1;
    use_token(n, s);
}

static void on_timer(struct node *n, void *state, int id) {
    struct token_ring *s = state;
    if (id == T_REQUEST) {
        cs_request(n, &s->w, MUTEX_STAMP_KEEP);
        if (s->holding) use_token(n, s);
    } else if (id == T_EXIT) {
        if (cs_exit(n, &s->w) && !s->counted) {
            s->counted = 1;
            s->token.finished++;
        }
        pass(n, s); /* at most one entry per visit */
        cs_next(n, &s->w);
    } else if (s->holding && !s->w.inside) {
        pass(n, s);
    }
}

static void finish(struct node *n, void *state) {
    struct token_ring *s = state;
    node_record_result(n, "token_hops", (double)s->seen);
}

/* At most n hops per entry, and a hop per `idle` while nobody asks (one
 * per CONFIG_MIN_PERIOD when idle = 0, an upper bound). */
static void estimate(const struct config *cfg, int nodes, double seconds, int crashes,
                     struct record_estimate *out) {
    (void)crashes;
    double idle = fmax(config_time(cfg, "token_ring", "idle"), CONFIG_MIN_PERIOD);
    out->messages = (double)nodes * cs_estimate(cfg, "token_ring", seconds, nodes, out);
    out->messages += seconds / idle;
    out->timers += seconds / idle;
}

const struct algorithm algorithm_token_ring = {
    .name = "token_ring",
    .family = FAMILY_MUTEX,
    .summary = "Le Lann 1977: a token circulates on the ring 0 -> 1 -> ... -> n-1 -> 0",
    .message_types = types,
    .params = params,
    .min_nodes = 2,
    .configure = configure,
    .start = start,
    .on_message = on_message,
    .on_timer = on_timer,
    .finish = finish,
    .estimate = estimate,
};
