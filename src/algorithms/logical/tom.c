/* Totally ordered multicast with Lamport timestamps and acknowledgements,
 * deciding a raffle (L. Lamport, "Time, clocks, and the ordering of events in
 * a distributed system", CACM 21(7), 1978; Coulouris et al., Distributed
 * Systems, totally ordered multicast; van Steen & Tanenbaum, Distributed
 * Systems, section 6.2, the replicated-database example).
 *
 * Every node keeps a Lamport clock L (every send and receive is an event:
 * L = L + 1 before a send, L = max(L, timestamp of the send) + 1 at a
 * receive). Each node multicasts `tickets` tickets, one every `interval`
 * seconds (a distribution, drawn per ticket): MULTICAST(ts, sender, ticket)
 * to every other node, and into its own queue. The multicast's timestamp ts
 * is the Lamport time of its first copy. Every receiver puts the message into
 * its queue, ordered by (ts, sender), and multicasts ACK(ts, sender) to every
 * other node (the original sender too). A message is delivered when it heads
 * the queue and every node has acknowledged it: the sender by sending it,
 * each receiver by its ACK (a node's own ACK counts once it has sent it).
 * With FIFO channels (the runtime's) nothing with a smaller (ts, sender) can
 * arrive after that, so every node delivers the same sequence.
 *
 * Messages per multicast, exactly: n-1 MULTICAST + (n-1)^2 ACK = n(n-1).
 *
 * events/table: a SEND and a RECEIVE row for every MULTICAST and ACK copy
 * (lamport = L at that event) and a DELIVER row per delivery (peer = the
 * sender, lamport = the message's timestamp ts, msg = the id of the
 * multicast's first copy, the one to the lowest-numbered other node, which
 * the other copies carry in their payload: the same id on every node).
 *
 * The raffle: a node that delivered all n*tickets messages draws the winner
 * from its delivered sequence: h = FNV-1a 64 over, per delivered message in
 * order, ts as 8 bytes and the sender as 4 bytes (little-endian); the winner
 * is the sender of message h mod (n*tickets). Results: raffle_winner (node
 * index; NaN where a node did not deliver everything) and delivered (count).
 *
 * The protocol needs reliable channels ([network] loss = 0) and blocks when
 * a node crashes: it is not fault-tolerant. Units: interval in seconds. */
#include "api/algorithm.h"

#include <math.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { MULTICAST, ACK };
enum { T_TICKET };

static const char *const types[] = {"MULTICAST", "ACK", NULL};

static const struct param params[] = {
    {.key = "tickets",
     .type = PARAM_INT,
     .default_value = "3",
     .help = "tickets each node multicasts",
     .lo = 1,
     .hi = 1000000},
    {.key = "interval",
     .type = PARAM_DIST,
     .default_value = "uniform(10ms, 50ms)",
     .help = "time before each ticket, drawn per ticket (the first counts from the start)",
     .lo = CONFIG_MIN_PERIOD,
     .hi = HUGE_VAL,
     .dist_unit = DIST_INTERVAL},
    {.key = NULL}};

struct multicast_msg {
    uint64_t ts;      /* the multicast's Lamport timestamp */
    uint64_t send_ts; /* Lamport time of this copy's send event */
    uint64_t mid;     /* id of the first copy; 0 in the first copy itself */
    int32_t sender, ticket;
};

struct ack_msg {
    uint64_t ts, send_ts;
    int32_t sender, pad;
};

struct entry { /* one message of the hold-back queue */
    uint64_t ts, mid;
    int32_t sender, ticket;
    int acks; /* ACKs received */
    int have; /* the message itself has arrived (acks may come first) */
};

struct delivered {
    uint64_t ts;
    int32_t sender;
};

struct tom {
    long tickets, sent;
    struct dist interval;
    uint64_t clock; /* Lamport clock L */
    struct entry *queue;
    size_t qlen, qcap;
    struct delivered *seq; /* delivered sequence, [n * tickets] */
    size_t ndelivered, total;
    int done;
};

static int configure(struct node *n, const struct config *cfg, void **state, char *err,
                     size_t errlen) {
    struct tom *s = node_alloc(1, sizeof *s);
    *state = s;
    s->tickets = config_int(cfg, "tom", "tickets");
    config_dist(cfg, "tom", "interval", &s->interval);
    s->total = (size_t)node_count(n) * (size_t)s->tickets;
    s->seq = node_alloc(s->total, sizeof *s->seq);
    return algorithm_needs_reliable_channels(
        cfg, "tom", "assumes reliable channels: a lost MULTICAST or ACK blocks delivery for good",
        err, errlen);
}

static int before(uint64_t ts, int sender, const struct entry *e) {
    return ts < e->ts || (ts == e->ts && sender < e->sender);
}

/* The queue entry of message (ts, sender), inserted in order if new. */
static struct entry *entry_of(struct tom *s, uint64_t ts, int sender) {
    size_t lo = 0, hi = s->qlen;
    while (lo < hi) { /* first entry not before (ts, sender) */
        size_t mid = lo + (hi - lo) / 2;
        if (before(ts, sender, &s->queue[mid]) ||
            (s->queue[mid].ts == ts && s->queue[mid].sender == sender))
            hi = mid;
        else
            lo = mid + 1;
    }
    if (lo < s->qlen && s->queue[lo].ts == ts && s->queue[lo].sender == sender)
        return &s->queue[lo];
    if (s->qlen == s->qcap) {
        size_t cap = s->qcap ? 2 * s->qcap : 64;
        s->queue = node_grow(s->queue, cap, sizeof *s->queue);
        s->qcap = cap;
    }
    memmove(&s->queue[lo + 1], &s->queue[lo], (s->qlen - lo) * sizeof *s->queue);
    s->qlen++;
    s->queue[lo] = (struct entry){ts, 0, sender, -1, 0, 0};
    return &s->queue[lo];
}

static void check_done(struct node *n, struct tom *s) {
    if (!s->done && s->sent == s->tickets && s->ndelivered == s->total) {
        s->done = 1;
        node_done(n);
    }
}

/* Deliver from the head of the queue while the head is acknowledged by all. */
static void try_deliver(struct node *n, struct tom *s) {
    int me = node_id(n), others = node_count(n) - 1;
    size_t k = 0;
    while (k < s->qlen) {
        const struct entry *e = &s->queue[k];
        int needed = e->sender == me ? others : others - 1;
        if (!e->have || e->acks < needed) break;
        node_record_event(n, EVENT_DELIVER, e->sender, MULTICAST, e->mid, e->ts, NULL);
        s->seq[s->ndelivered++] = (struct delivered){e->ts, e->sender};
        k++;
    }
    if (k) {
        memmove(s->queue, &s->queue[k], (s->qlen - k) * sizeof *s->queue);
        s->qlen -= k;
    }
    check_done(n, s);
}

static void multicast_ticket(struct node *n, struct tom *s) {
    int me = node_id(n);
    uint64_t ts = s->clock + 1, mid = 0;
    for (int dst = 0; dst < node_count(n); dst++) {
        if (dst == me) continue;
        struct multicast_msg msg = {ts, ++s->clock, mid, me, (int32_t)s->sent};
        uint64_t id = node_send(n, dst, MULTICAST, &msg, sizeof msg);
        if (!mid) mid = id;
        node_record_event(n, EVENT_SEND, dst, MULTICAST, id, s->clock, NULL);
    }
    struct entry *e = entry_of(s, ts, me);
    e->mid = mid;
    e->ticket = (int32_t)s->sent;
    e->have = 1;
    s->sent++;
    try_deliver(n, s);
}

static void schedule_ticket(struct node *n, struct tom *s) {
    node_set_timer(n, dist_sample(&s->interval, node_rng(n), node_id(n)), T_TICKET);
}

static void start(struct node *n, void *state) {
    schedule_ticket(n, state);
}

static void on_receive(struct node *n, struct tom *s, const struct message *m, uint64_t send_ts) {
    s->clock = (send_ts > s->clock ? send_ts : s->clock) + 1;
    node_record_event(n, EVENT_RECEIVE, m->src, m->type, m->id, s->clock, NULL);
}

static void on_multicast(struct node *n, struct tom *s, const struct message *m) {
    struct multicast_msg msg;
    node_payload(n, m, 0, &msg, sizeof msg);
    on_receive(n, s, m, msg.send_ts);
    struct entry *e = entry_of(s, msg.ts, msg.sender);
    e->mid = msg.mid ? msg.mid : m->id;
    e->ticket = msg.ticket;
    e->have = 1;
    for (int dst = 0; dst < node_count(n); dst++) {
        if (dst == node_id(n)) continue;
        struct ack_msg ack = {msg.ts, ++s->clock, msg.sender, 0};
        uint64_t id = node_send(n, dst, ACK, &ack, sizeof ack);
        node_record_event(n, EVENT_SEND, dst, ACK, id, s->clock, NULL);
    }
    try_deliver(n, s);
}

static void on_ack(struct node *n, struct tom *s, const struct message *m) {
    struct ack_msg ack;
    node_payload(n, m, 0, &ack, sizeof ack);
    on_receive(n, s, m, ack.send_ts);
    entry_of(s, ack.ts, ack.sender)->acks++;
    try_deliver(n, s);
}

static void on_message(struct node *n, void *state, const struct message *m) {
    if (m->type == MULTICAST && m->len == sizeof(struct multicast_msg))
        on_multicast(n, state, m);
    else if (m->type == ACK && m->len == sizeof(struct ack_msg))
        on_ack(n, state, m);
}

static void on_timer(struct node *n, void *state, int id) {
    struct tom *s = state;
    if (id != T_TICKET || s->sent >= s->tickets) return;
    multicast_ticket(n, s);
    if (s->sent < s->tickets) schedule_ticket(n, s);
}

/* FNV-1a 64 over (ts: 8 bytes, sender: 4 bytes, little-endian) per message. */
static uint64_t sequence_hash(const struct delivered *seq, size_t len) {
    uint64_t h = 0xcbf29ce484222325ULL;
    for (size_t i = 0; i < len; i++) {
        uint64_t words[2] = {seq[i].ts, (uint32_t)seq[i].sender};
        for (int w = 0; w < 2; w++)
            for (int b = 0; b < (w ? 4 : 8); b++) {
                h ^= (words[w] >> (8 * b)) & 0xff;
                h *= 0x100000001b3ULL;
            }
    }
    return h;
}

static void finish(struct node *n, void *state) {
    struct tom *s = state;
    node_record_result(n, "delivered", (double)s->ndelivered);
    if (s->total > 0 && s->ndelivered == s->total) {
        uint64_t h = sequence_hash(s->seq, s->ndelivered);
        node_record_result(n, "raffle_winner", (double)s->seq[h % s->ndelivered].sender);
    }
}

static void destroy(void *state) {
    struct tom *s = state;
    free(s->queue);
    free(s->seq);
    free(s);
}

/* Every node multicasts `tickets` tickets; a ticket costs n(n-1) messages,
 * each recorded at send and receipt, and is delivered at every node. */
static void estimate(const struct config *cfg, int nodes, double seconds, int crashes,
                     struct record_estimate *out) {
    (void)seconds, (void)crashes;
    double n = nodes, tickets = n * (double)config_int(cfg, "tom", "tickets");
    out->messages = tickets * n * (n - 1);
    out->events = 2.0 * out->messages + tickets * n;
    out->timers = tickets;
    out->key = "tickets";
}

const struct algorithm algorithm_tom = {
    .name = "tom",
    .family = FAMILY_LOGICAL_CLOCK,
    .summary = "Lamport 1978: totally ordered multicast with Lamport timestamps and ACKs, "
               "a raffle",
    .message_types = types,
    .params = params,
    .min_nodes = 2,
    .records_events = 1,
    .configure = configure,
    .start = start,
    .on_message = on_message,
    .on_timer = on_timer,
    .finish = finish,
    .destroy = destroy,
    .estimate = estimate,
};
