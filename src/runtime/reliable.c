/* The reliable channel (reliable.h). */
#include "runtime/reliable.h"

#include "model/rto.h"
#include "runtime/node_events.h"
#include "runtime/node_state.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

const char *const reliable_type_names[RELIABLE_TYPES] = {"CHANNEL_RETRANSMIT", "CHANNEL_ACK"};

struct prefix {
    uint64_t cseq; /* the channel's sequence number, from 0 */
    int32_t type;  /* the algorithm's global message type */
    uint32_t zero;
};
_Static_assert(sizeof(struct prefix) == RELIABLE_PREFIX, "prefix size");

struct ack {
    uint64_t next; /* every cseq below it was delivered */
    uint64_t cseq; /* the one that made this acknowledgement */
};

/* A message sent and not yet acknowledged. */
struct unacked {
    uint64_t cseq;
    struct wire_header h; /* as first sent: type, id, Lamport timestamp */
    double sent_at;       /* its last transmission (reference time, s) */
    double deadline;      /* when it is sent again */
    int transmissions;
    char *buf; /* prefix and payload */
    size_t len;
};

/* A message that arrived before one of its predecessors. */
struct held {
    uint64_t cseq;
    struct wire_header h; /* the algorithm's type, its payload length */
    char *payload;
};

struct out_channel {
    int peer;
    uint64_t next; /* cseq of the next message */
    struct unacked *q;
    size_t n, cap;
    struct rto timer;
    double backoff_at; /* when the timer last backed off (-inf: never) */
};

struct in_channel {
    int peer;
    uint64_t expected; /* cseq of the next message to hand over */
    struct held *held;
    size_t n, cap;
};

/* node index -> position in an array: open addressing, linear probing
 * (Knuth, TAOCP vol. 3, 6.4) */
struct index_map {
    int32_t *key; /* node + 1, 0 = empty */
    int32_t *pos;
    uint32_t n, cap;
};

struct reliable_node {
    struct out_channel *out;
    size_t nout, cap_out;
    struct in_channel *in;
    size_t nin, cap_in;
    struct index_map out_of, in_of;
    size_t unacked;
    double timer_due; /* the pending retransmission timer, +inf: none */
};

static uint32_t slot_of(int peer, uint32_t cap) {
    return ((uint32_t)peer * 2654435761u) & (cap - 1);
}

static int map_get(const struct index_map *m, int peer) {
    if (!m->cap) return -1;
    for (uint32_t s = slot_of(peer, m->cap);; s = (s + 1) & (m->cap - 1)) {
        if (m->key[s] == 0) return -1;
        if (m->key[s] == peer + 1) return m->pos[s];
    }
}

static void map_put(struct index_map *m, int peer, int pos) {
    if (2 * (m->n + 1) > m->cap) {
        struct index_map g = {0};
        g.cap = m->cap ? 2 * m->cap : 16;
        g.key = calloc(g.cap, sizeof *g.key);
        g.pos = calloc(g.cap, sizeof *g.pos);
        if (!g.key || !g.pos) rt_out_of_memory();
        for (uint32_t s = 0; s < m->cap; s++)
            if (m->key[s]) map_put(&g, m->key[s] - 1, m->pos[s]);
        free(m->key);
        free(m->pos);
        *m = g;
    }
    uint32_t s = slot_of(peer, m->cap);
    while (m->key[s])
        s = (s + 1) & (m->cap - 1);
    m->key[s] = peer + 1;
    m->pos[s] = pos;
    m->n++;
}

static void *grow(void *p, size_t *cap, size_t n, size_t size) {
    if (n < *cap) return p;
    *cap = *cap ? 2 * *cap : 4;
    void *q = realloc(p, *cap * size);
    if (!q) rt_out_of_memory();
    return q;
}

static struct reliable_node *node_channels(struct node_state *ns) {
    if (!ns->rel) {
        ns->rel = calloc(1, sizeof *ns->rel);
        if (!ns->rel) rt_out_of_memory();
        ns->rel->timer_due = INFINITY;
    }
    return ns->rel;
}

/* A node with few channels (a ring's two) finds one by a scan of its
 * array, without the index's extra cache misses; the index is built when
 * the node has more. */
#define SCAN_CHANNELS 8

static int find_out(const struct reliable_node *rn, int peer) {
    if (rn->nout > SCAN_CHANNELS) return map_get(&rn->out_of, peer);
    for (size_t i = 0; i < rn->nout; i++)
        if (rn->out[i].peer == peer) return (int)i;
    return -1;
}

static int find_in(const struct reliable_node *rn, int peer) {
    if (rn->nin > SCAN_CHANNELS) return map_get(&rn->in_of, peer);
    for (size_t i = 0; i < rn->nin; i++)
        if (rn->in[i].peer == peer) return (int)i;
    return -1;
}

static int out_channel(struct node_state *ns, int peer) {
    struct reliable_node *rn = node_channels(ns);
    int i = find_out(rn, peer);
    if (i >= 0) return i;
    const struct runtime *rt = ns->rt;
    rn->out = grow(rn->out, &rn->cap_out, rn->nout, sizeof *rn->out);
    struct out_channel *o = &rn->out[rn->nout];
    *o = (struct out_channel){.peer = peer, .backoff_at = -INFINITY};
    rto_init(&o->timer, rt->rto_initial, rt->rto_min, rt->rto_max);
    if (++rn->nout == SCAN_CHANNELS + 1) /* index every channel from now on */
        for (size_t k = 0; k < rn->nout; k++)
            map_put(&rn->out_of, rn->out[k].peer, (int)k);
    else if (rn->nout > SCAN_CHANNELS + 1)
        map_put(&rn->out_of, peer, (int)rn->nout - 1);
    return (int)rn->nout - 1;
}

static int in_channel(struct node_state *ns, int peer) {
    struct reliable_node *rn = node_channels(ns);
    int i = find_in(rn, peer);
    if (i >= 0) return i;
    rn->in = grow(rn->in, &rn->cap_in, rn->nin, sizeof *rn->in);
    rn->in[rn->nin] = (struct in_channel){.peer = peer};
    if (++rn->nin == SCAN_CHANNELS + 1)
        for (size_t k = 0; k < rn->nin; k++)
            map_put(&rn->in_of, rn->in[k].peer, (int)k);
    else if (rn->nin > SCAN_CHANNELS + 1)
        map_put(&rn->in_of, peer, (int)rn->nin - 1);
    return (int)rn->nin - 1;
}

/* Have the retransmission timer fire by `due`. */
static void arm(struct node_state *ns, double due) {
    struct reliable_node *rn = ns->rel;
    if (!(due < rn->timer_due)) return;
    rn->timer_due = due;
    ns->order_seq++;
    ns->rt->engine->set_timer(ns->rt, ns, RELIABLE_LAYER, 0, due);
}

void reliable_send(struct node_state *ns, struct wire_header *h, const void *payload, size_t len) {
    struct runtime *rt = ns->rt;
    struct reliable_node *rn = node_channels(ns);
    int c = out_channel(ns, h->dst); /* may move rn->out */
    struct out_channel *o = &rn->out[c];
    struct prefix p = {o->next++, h->type, 0};
    char *buf = malloc(sizeof p + len);
    if (!buf) rt_out_of_memory();
    memcpy(buf, &p, sizeof p);
    if (len) memcpy(buf + sizeof p, payload, len);
    h->len = (uint32_t)(sizeof p + len);
    rt_transmit(ns, h, buf, sizeof p + len);
    double now = rt->now;
    o->q = grow(o->q, &o->cap, o->n, sizeof *o->q);
    o->q[o->n++] = (struct unacked){p.cseq, *h, now, now + o->timer.rto, 1, buf, sizeof p + len};
    if (rn->unacked++ == 0) rt_update_done(ns);
    arm(ns, now + o->timer.rto);
}

static void retransmit(struct node_state *ns, struct unacked *m) {
    struct runtime *rt = ns->rt;
    struct wire_header h = m->h;
    h.type = rt->retransmit_type;
    h.seq = ++ns->order_seq;
    h.len = (uint32_t)m->len;
    rt_transmit(ns, &h, m->buf, m->len);
    m->transmissions++;
    m->sent_at = rt->now;
}

void reliable_on_timer(struct node_state *ns) {
    struct runtime *rt = ns->rt;
    struct reliable_node *rn = ns->rel;
    if (!rn) return;
    rn->timer_due = INFINITY;
    if (ns->crashed || rt->stopped) return;
    double now = rt_now(rt), next = INFINITY;
    for (size_t c = 0; c < rn->nout; c++) {
        struct out_channel *o = &rn->out[c];
        /* RFC 6298 5.5 backs off once per expiry of a connection's one
         * timer: here once per RTO at most, however many of the channel's
         * messages expire in it */
        int expired = 0;
        for (size_t i = 0; i < o->n && !expired; i++)
            expired = o->q[i].deadline <= now;
        if (expired && now >= o->backoff_at + o->timer.rto) {
            rto_backoff(&o->timer);
            o->backoff_at = now;
        }
        for (size_t i = 0; i < o->n; i++) {
            struct unacked *m = &o->q[i];
            if (m->deadline <= now) {
                retransmit(ns, m);
                m->deadline = now + o->timer.rto;
            }
            if (m->deadline < next) next = m->deadline;
        }
    }
    if (isfinite(next)) arm(ns, next);
}

void reliable_on_crash(struct node_state *ns) {
    if (!ns->rel) return;
    ns->rel->timer_due = INFINITY;
    ns->rt->engine->cancel_timer(ns->rt, ns, RELIABLE_LAYER, 0);
}

void reliable_on_recover(struct node_state *ns) {
    struct reliable_node *rn = ns->rel;
    if (!rn || !rn->unacked) return;
    double now = rt_now(ns->rt), next = INFINITY;
    for (size_t c = 0; c < rn->nout; c++)
        for (size_t i = 0; i < rn->out[c].n; i++)
            next = fmin(next, rn->out[c].q[i].deadline);
    arm(ns, fmax(next, now));
}

static void on_ack(struct node_state *ns, int peer, const struct ack *a) {
    struct reliable_node *rn = ns->rel;
    int c = rn ? find_out(rn, peer) : -1;
    if (c < 0) return;
    struct out_channel *o = &rn->out[c];
    double now = rt_now(ns->rt);
    size_t kept = 0;
    for (size_t i = 0; i < o->n; i++) {
        struct unacked *m = &o->q[i];
        if (m->cseq < a->next || m->cseq == a->cseq) {
            /* Karn: a message sent more than once gives no sample */
            if (m->cseq == a->cseq && m->transmissions == 1)
                rto_sample(&o->timer, now - m->sent_at, CONFIG_MIN_PERIOD);
            free(m->buf);
            continue;
        }
        o->q[kept++] = *m;
    }
    size_t acked = o->n - kept;
    o->n = kept;
    rn->unacked -= acked;
    if (acked && rn->unacked == 0) rt_update_done(ns);
}

static void send_ack(struct node_state *ns, int peer, uint64_t next, uint64_t cseq) {
    struct runtime *rt = ns->rt;
    struct ack a = {next, cseq};
    struct wire_header h = {rt->ack_type,
                            ns->id,
                            peer,
                            (uint32_t)sizeof a,
                            ((uint64_t)(ns->id + 1) << 40) | ++ns->msg_seq,
                            0,
                            ++ns->order_seq,
                            NAN};
    rt_transmit(ns, &h, &a, sizeof a);
}

/* Hand over the held messages that are next in order. */
static void hand_over_held(struct node_state *ns, int c) {
    for (;;) {
        struct in_channel *in = &ns->rel->in[c];
        size_t k = 0;
        while (k < in->n && in->held[k].cseq != in->expected)
            k++;
        if (k == in->n) return;
        struct held m = in->held[k];
        in->held[k] = in->held[--in->n];
        in->expected++;
        rt_hand_over(ns, &m.h, m.payload, m.h.len);
        free(m.payload);
    }
}

void reliable_receive(struct node_state *ns, const struct wire_header *h, const void *payload,
                      size_t len) {
    struct runtime *rt = ns->rt;
    if (h->type == rt->ack_type) {
        struct ack a;
        if (len != sizeof a) rt_fatal("internal error: channel acknowledgement of %zu bytes", len);
        memcpy(&a, payload, sizeof a);
        on_ack(ns, h->src, &a);
        return;
    }
    struct prefix p;
    if (len < sizeof p) rt_fatal("internal error: channel message of %zu bytes", len);
    memcpy(&p, payload, sizeof p);
    int c = in_channel(ns, h->src); /* may move ns->rel->in */
    struct in_channel *in = &ns->rel->in[c];
    int duplicate = p.cseq < in->expected;
    for (size_t k = 0; k < in->n && !duplicate; k++)
        duplicate = in->held[k].cseq == p.cseq;
    struct wire_header d = *h;
    d.type = p.type;
    d.len = (uint32_t)(len - sizeof p);
    const char *body = (const char *)payload + sizeof p;
    if (!duplicate && p.cseq == in->expected) {
        in->expected++;
        rt_hand_over(ns, &d, body, d.len);
        hand_over_held(ns, c);
    } else if (!duplicate) {
        char *copy = malloc(d.len ? d.len : 1);
        if (!copy) rt_out_of_memory();
        if (d.len) memcpy(copy, body, d.len);
        in->held = grow(in->held, &in->cap, in->n, sizeof *in->held);
        in->held[in->n++] = (struct held){p.cseq, d, copy};
    }
    send_ack(ns, h->src, ns->rel->in[c].expected, p.cseq);
}

size_t reliable_unacked(const struct node_state *ns) {
    return ns->rel ? ns->rel->unacked : 0;
}

void reliable_free(struct node_state *ns) {
    struct reliable_node *rn = ns->rel;
    if (!rn) return;
    for (size_t c = 0; c < rn->nout; c++) {
        for (size_t i = 0; i < rn->out[c].n; i++)
            free(rn->out[c].q[i].buf);
        free(rn->out[c].q);
    }
    for (size_t c = 0; c < rn->nin; c++) {
        for (size_t k = 0; k < rn->in[c].n; k++)
            free(rn->in[c].held[k].payload);
        free(rn->in[c].held);
    }
    free(rn->out);
    free(rn->in);
    free(rn->out_of.key);
    free(rn->out_of.pos);
    free(rn->in_of.key);
    free(rn->in_of.pos);
    free(rn);
    ns->rel = NULL;
}

int reliable_check(const struct config *cfg, char *err, size_t n) {
    if (!config_bool(cfg, "network", "reliable")) return 0;
    double rto = config_time(cfg, "network", "rto"), lo = config_time(cfg, "network", "rto_min"),
           hi = config_time(cfg, "network", "rto_max");
    if (lo > hi)
        return config_fail(cfg, "network", "rto_max", err, n,
                           "%g s is below [network] rto_min (%g s)", hi, lo);
    if (rto < lo || rto > hi)
        return config_fail(cfg, "network", "rto", err, n,
                           "%g s is outside [rto_min, rto_max] = [%g, %g] s", rto, lo, hi);
    return 0;
}
