/* Messages between nodes over MPI: injected delay in a sender-side queue
 * ordered by due time (FIFO per channel), loss, non-blocking synchronous sends, polling
 * receives on one tag (MPI's non-overtaking rule keeps channels FIFO), and
 * the end-of-run drain that leaves no message in flight. */
#include "runtime_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static void die_nomem(void) {
    fprintf(stderr, "clocklab: out of memory\n");
    MPI_Abort(MPI_COMM_WORLD, 1);
}

static void isend_now(struct runtime *rt, int dst, void *buf, size_t len) {
    if (rt->npending == rt->cap_pending) {
        size_t cap = rt->cap_pending ? 2 * rt->cap_pending : 64;
        struct pending_send *p = realloc(rt->pending, cap * sizeof *p);
        if (!p) die_nomem();
        rt->pending = p;
        rt->cap_pending = cap;
    }
    struct pending_send *ps = &rt->pending[rt->npending++];
    ps->buf = buf;
    /* Synchronous mode: a send completes once the receiver has matched it,
     * so a node with no pending send has nothing in flight (runtime.c's
     * termination waits for that before it enters the barrier). */
    MPI_Issend(buf, (int)len, MPI_BYTE, dst, TAG_MESSAGE, rt->comm, &ps->req);
    rt->mpi_sent_to[dst]++;
}

static void *pack(int32_t type, int32_t src, uint64_t id, uint64_t lamport, const void *payload,
                  size_t len) {
    struct wire_header h = {type, src, id, lamport};
    char *buf = malloc(sizeof h + len);
    if (!buf) die_nomem();
    memcpy(buf, &h, sizeof h);
    if (len) memcpy(buf + sizeof h, payload, len);
    return buf;
}

void transport_send(struct runtime *rt, int layer, int dst, int type, const void *payload,
                    size_t len, uint64_t *id_out) {
    int gt = rt->layers[layer].type_offset + type;
    uint64_t id = ((uint64_t)(rt->rank + 1) << 40) | ++rt->msg_seq;
    uint64_t lamport = ++rt->lamport;
    *id_out = id;
    rt->rec.sent[gt]++;
    rt->rec.bytes_sent[gt] += sizeof(struct wire_header) + len;
    rt->last_activity = rt->now;
    if (rt->trace && !rt->layers[layer].alg->records_events)
        rt_trace(rt, EVENT_SEND, dst, gt, id, lamport);
    if (rt->loss > 0 && gsl_rng_uniform(rt->net_rng) < rt->loss) {
        rt->rec.dropped[gt]++;
        return;
    }
    void *buf = pack(gt, rt->rank, id, lamport, payload, len);
    double due = rt_clock_now(rt);
    if (!rt->zero_delay) due += dist_sample(&rt->delay, rt->net_rng, rt->rank);
    if (due < rt->last_due[dst]) due = rt->last_due[dst];
    rt->last_due[dst] = due;
    if (due <= rt->now) {
        isend_now(rt, dst, buf, sizeof(struct wire_header) + len);
    } else {
        struct delayed_item it = {dst, sizeof(struct wire_header) + len, buf};
        if (heap_push(&rt->delayed, due, &it, sizeof it)) die_nomem();
    }
}

void transport_send_control(struct runtime *rt, int dst, int type) {
    isend_now(rt, dst, pack(type, rt->rank, 0, 0, NULL, 0), sizeof(struct wire_header));
}

void transport_release_due(struct runtime *rt) {
    while (heap_next_due(&rt->delayed) <= rt->now) {
        struct delayed_item it;
        heap_pop(&rt->delayed, &it, sizeof it);
        isend_now(rt, it.dst, it.buf, it.len);
        rt->last_activity = rt->now;
    }
}

void transport_progress(struct runtime *rt) {
    size_t k = 0;
    for (size_t i = 0; i < rt->npending; i++) {
        int flag = 0;
        MPI_Test(&rt->pending[i].req, &flag, MPI_STATUS_IGNORE);
        if (flag)
            free(rt->pending[i].buf);
        else
            rt->pending[k++] = rt->pending[i];
    }
    rt->npending = k;
}

/* Receive one message if one is there. Returns 1 if one was received. */
static int receive_one(struct runtime *rt, int deliver) {
    int flag = 0;
    MPI_Status st;
    MPI_Iprobe(MPI_ANY_SOURCE, TAG_MESSAGE, rt->comm, &flag, &st);
    if (!flag) return 0;
    int count = 0;
    MPI_Get_count(&st, MPI_BYTE, &count);
    if ((size_t)count > rt->recv_cap) {
        void *p = realloc(rt->recv_buf, (size_t)count);
        if (!p) die_nomem();
        rt->recv_buf = p;
        rt->recv_cap = (size_t)count;
    }
    MPI_Recv(rt->recv_buf, count, MPI_BYTE, st.MPI_SOURCE, TAG_MESSAGE, rt->comm,
             MPI_STATUS_IGNORE);
    rt->mpi_recv_from[st.MPI_SOURCE]++;
    if (deliver && (size_t)count >= sizeof(struct wire_header)) {
        struct wire_header h;
        memcpy(&h, rt->recv_buf, sizeof h);
        rt_deliver(rt, &h, (char *)rt->recv_buf + sizeof h, (size_t)count - sizeof h);
    }
    return 1;
}

int transport_poll(struct runtime *rt, int max_messages) {
    int got = 0;
    while (got < max_messages && !rt->stopped && receive_one(rt, 1))
        got++;
    return got;
}

static void nap(long ns) {
    struct timespec ts = {0, ns};
    nanosleep(&ts, NULL);
}

void transport_drain(struct runtime *rt) {
    /* Messages still waiting for their delay never reach the network. */
    struct delayed_item it;
    while (heap_pop(&rt->delayed, &it, sizeof it) == 0)
        free(it.buf);
    uint64_t *expected = calloc((size_t)rt->size, sizeof *expected);
    if (!expected) die_nomem();
    MPI_Request req;
    MPI_Ialltoall(rt->mpi_sent_to, 1, MPI_UINT64_T, expected, 1, MPI_UINT64_T, rt->comm, &req);
    int have_counts = 0;
    long sleep_ns = 10000;
    for (;;) {
        int busy = 0;
        while (receive_one(rt, 0))
            busy = 1;
        transport_progress(rt);
        if (!have_counts) MPI_Test(&req, &have_counts, MPI_STATUS_IGNORE);
        if (have_counts && rt->npending == 0) {
            int all = 1;
            for (int i = 0; i < rt->size && all; i++)
                all = rt->mpi_recv_from[i] >= expected[i];
            if (all) break;
        }
        if (busy) {
            sleep_ns = 10000;
        } else {
            nap(sleep_ns);
            if (sleep_ns < 1000000) sleep_ns *= 2;
        }
    }
    free(expected);
}

void transport_free(struct runtime *rt) {
    struct delayed_item it;
    while (heap_pop(&rt->delayed, &it, sizeof it) == 0)
        free(it.buf);
    heap_free(&rt->delayed);
    for (size_t i = 0; i < rt->npending; i++) {
        MPI_Wait(&rt->pending[i].req, MPI_STATUS_IGNORE);
        free(rt->pending[i].buf);
    }
    free(rt->pending);
    free(rt->recv_buf);
    rt->pending = NULL;
    rt->recv_buf = NULL;
    rt->npending = rt->cap_pending = rt->recv_cap = 0;
}
