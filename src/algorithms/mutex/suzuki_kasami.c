/* Suzuki-Kasami broadcast token algorithm (I. Suzuki and T. Kasami, "A
 * distributed mutual exclusion algorithm", ACM TOCS 3(4), 1985; Raynal,
 * Distributed Algorithms for Message-Passing Systems, 2013, 10.3).
 *
 * One token, starting at node 0, carries LN[j] (the number of node j's last
 * served request) and a FIFO queue Q of nodes. Each node keeps RN[j], the
 * highest request number it has heard from node j. A node that asks while
 * holding an idle token enters at once, without messages. Otherwise it
 * increments RN[i] and sends REQUEST(i, RN[i]) to every other node. A node
 * receiving REQUEST(j, k) sets RN[j] = max(RN[j], k) and, holding an idle
 * token with RN[j] = LN[j] + 1, sends the TOKEN to j. On exit the holder
 * sets LN[i] = RN[i], appends to Q every node j not in Q with
 * RN[j] = LN[j] + 1, and sends the token to the head of Q, if any.
 *
 * Messages per entry: n (n-1 REQUEST and one TOKEN), or 0 when the node
 * already held the idle token. Synchronization delay: one one-way delay.
 *
 * mutex/sections stamp: the request number RN[i]. Result free_entries: the
 * entries a node made with the token already in hand (0 messages), so that
 * REQUEST = (n-1)(entries - free) and TOKEN = entries - free exactly. */
#include "algorithms/mutex/cs_workload.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

enum { REQUEST, TOKEN };
enum { T_REQUEST, T_EXIT };

static const char *const types[] = {"REQUEST", "TOKEN", NULL};

static const struct param params[] = {CS_WORKLOAD_PARAMS, {.key = NULL}};

struct request_msg {
    uint64_t number;
};

struct suzuki_kasami {
    struct cs_workload w;
    int holding;
    uint64_t *rn; /* [N] */
    uint64_t *ln; /* [N], the token's, valid while holding */
    int *q;       /* [N], the token's queue */
    int qlen;
    long free_entries;
};

static int configure(struct node *n, const struct config *cfg, void **state, char *err,
                     size_t errlen) {
    (void)err, (void)errlen;
    struct suzuki_kasami *s = node_alloc(1, sizeof *s);
    *state = s;
    size_t N = (size_t)node_count(n);
    s->rn = node_alloc(N, sizeof(uint64_t));
    s->ln = node_alloc(N, sizeof(uint64_t));
    s->q = node_alloc(N, sizeof(int));
    cs_configure(n, &s->w, cfg, "suzuki_kasami", T_REQUEST, T_EXIT);
    return 0;
}

/* The token as a message: qlen, Q[N], LN[N]. */
static void send_token(struct node *n, struct suzuki_kasami *s, int to) {
    size_t N = (size_t)node_count(n);
    size_t len = sizeof(int32_t) * (1 + N) + sizeof(uint64_t) * N;
    char *buf = node_alloc(len, 1);
    int32_t qlen = s->qlen;
    memcpy(buf, &qlen, sizeof qlen);
    for (size_t i = 0; i < N; i++) {
        int32_t v = i < (size_t)s->qlen ? s->q[i] : -1;
        memcpy(buf + sizeof(int32_t) * (1 + i), &v, sizeof v);
    }
    memcpy(buf + sizeof(int32_t) * (1 + N), s->ln, sizeof(uint64_t) * N);
    s->holding = 0;
    node_send(n, to, TOKEN, buf, len);
    free(buf);
}

static void receive_token(struct node *n, struct suzuki_kasami *s, const struct message *m) {
    size_t N = (size_t)node_count(n);
    int32_t qlen;
    node_payload(n, m, 0, &qlen, sizeof qlen);
    s->qlen = qlen;
    for (size_t i = 0; i < N; i++) {
        int32_t v;
        node_payload(n, m, sizeof(int32_t) * (1 + i), &v, sizeof v);
        s->q[i] = v;
    }
    node_payload(n, m, sizeof(int32_t) * (1 + N), s->ln, sizeof(uint64_t) * N);
    s->holding = 1;
}

static void start(struct node *n, void *state) {
    struct suzuki_kasami *s = state;
    s->holding = node_id(n) == 0;
    cs_next(n, &s->w);
}

static void on_message(struct node *n, void *state, const struct message *m) {
    struct suzuki_kasami *s = state;
    if (m->type == REQUEST) {
        struct request_msg rq;
        node_payload(n, m, 0, &rq, sizeof rq);
        uint64_t k = rq.number;
        int j = m->src;
        if (k > s->rn[j]) s->rn[j] = k;
        if (s->holding && !s->w.inside && !s->w.wanting && s->rn[j] == s->ln[j] + 1)
            send_token(n, s, j);
    } else {
        receive_token(n, s, m);
        cs_enter(n, &s->w, s->rn[node_id(n)]);
    }
}

static void on_timer(struct node *n, void *state, int id) {
    struct suzuki_kasami *s = state;
    int N = node_count(n), me = node_id(n);
    if (id == T_REQUEST) {
        if (s->holding) { /* the idle token is here: no messages */
            s->rn[me]++;
            s->free_entries++;
            cs_request(n, &s->w, s->rn[me]);
            cs_enter(n, &s->w, s->rn[me]);
            return;
        }
        struct request_msg r = {++s->rn[me]};
        cs_request(n, &s->w, r.number);
        node_broadcast(n, REQUEST, &r, sizeof r);
        return;
    }
    cs_exit(n, &s->w);
    s->ln[me] = s->rn[me];
    for (int k = 1; k < N; k++) { /* append waiting nodes, in ring order from me */
        int j = (me + k) % N, queued = 0;
        for (int i = 0; i < s->qlen; i++)
            queued |= s->q[i] == j;
        if (!queued && s->rn[j] == s->ln[j] + 1) s->q[s->qlen++] = j;
    }
    if (s->qlen > 0) {
        int next = s->q[0];
        memmove(s->q, s->q + 1, (size_t)(s->qlen - 1) * sizeof *s->q);
        s->qlen--;
        send_token(n, s, next);
    }
    cs_next(n, &s->w);
}

static void finish(struct node *n, void *state) {
    struct suzuki_kasami *s = state;
    node_record_result(n, "free_entries", (double)s->free_entries);
}

static void destroy(void *state) {
    struct suzuki_kasami *s = state;
    free(s->rn);
    free(s->ln);
    free(s->q);
    free(s);
}

/* At most n messages per entry. */
static void estimate(const struct config *cfg, int nodes, double seconds, int crashes,
                     struct record_estimate *out) {
    (void)crashes;
    out->messages = (double)nodes * cs_estimate(cfg, "suzuki_kasami", seconds, nodes, out);
}

const struct algorithm algorithm_suzuki_kasami = {
    .name = "suzuki_kasami",
    .family = FAMILY_MUTEX,
    .summary = "Suzuki & Kasami 1985: broadcast REQUEST, the TOKEN carries LN and a queue (n "
               "messages per entry)",
    .message_types = types,
    .params = params,
    .min_nodes = 2,
    .configure = configure,
    .start = start,
    .on_message = on_message,
    .on_timer = on_timer,
    .finish = finish,
    .destroy = destroy,
    .estimate = estimate,
};
