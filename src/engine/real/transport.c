/* Messages between nodes of different ranks over MPI, in real time. The
 * sender decides loss and the due time (send time + the sampled one-way
 * delay, never before the previous due time on that channel, so channels
 * stay FIFO), stamps the message with it and hands it to MPI at once
 * (MPI_Isend from a pool buffer), then wakes the receiver (wake.h). The
 * receiver keeps RECV_SLOTS receives posted on one tag; MPI matches them in
 * posting order and never lets messages of one channel overtake each other.
 * An arrived message joins the receiver's event queue at its due time
 * (event_core.h), whose order (due time, destination, source, the source's
 * sequence number) keeps each channel FIFO. Every run ends with a drain
 * that leaves no message in flight. */
#include "engine/real/transport.h"

#include "runtime/node_state.h"

#include "runtime/event_core.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static void post_receive(struct runtime *rt, int slot) {
    MPI_Irecv(rt->recv_slot[slot], WIRE_MAX, MPI_BYTE, MPI_ANY_SOURCE, TAG_MESSAGE, rt->comm,
              &rt->recv_req[slot]);
}

void transport_start(struct runtime *rt) {
    for (int i = 0; i < RECV_SLOTS; i++) {
        rt->recv_slot[i] = pool_get(&rt->pool, WIRE_MAX);
        if (!rt->recv_slot[i]) rt_out_of_memory();
        post_receive(rt, i);
    }
    rt->recv_next = 0;
    rt->transport_started = 1;
}

static void add_pending(struct runtime *rt, MPI_Request req, void *buf, int dst) {
    if (rt->npending == rt->cap_pending) {
        size_t cap = rt->cap_pending ? 2 * rt->cap_pending : 64;
        struct pending_send *p = realloc(rt->pending, cap * sizeof *p);
        if (!p) rt_out_of_memory();
        rt->pending = p;
        rt->cap_pending = cap;
    }
    rt->pending[rt->npending++] = (struct pending_send){req, buf, dst};
}

/* Hand buf (len bytes, from the pool) to MPI for dst and wake dst. */
static void isend(struct runtime *rt, int dst, void *buf, size_t len) {
    MPI_Request req;
    MPI_Isend(buf, (int)len, MPI_BYTE, dst, TAG_MESSAGE, rt->comm, &req);
    rt->mpi_sent_to[dst]++;
    rt->mpi_sent++;
    int done = 0;
    MPI_Test(&req, &done, MPI_STATUS_IGNORE);
    if (done)
        pool_put(&rt->pool, buf);
    else
        add_pending(rt, req, buf, dst);
    wake_notify(&rt->wake, dst);
}

static void *wire(struct runtime *rt, const struct wire_header *h, const void *payload,
                  size_t len) {
    char *buf = pool_get(&rt->pool, sizeof *h + len);
    if (!buf) rt_out_of_memory();
    memcpy(buf, h, sizeof *h);
    if (len) memcpy(buf + sizeof *h, payload, len);
    return buf;
}

void transport_send(struct runtime *rt, const struct wire_header *h, const void *payload,
                    size_t len) {
    isend(rt, rt_rank_of(rt, h->dst), wire(rt, h, payload, len), sizeof *h + len);
}

void transport_send_control(struct runtime *rt, int dst, int type) {
    struct wire_header h = {type, rt->first, -1, 0, 0, 0, 0, 0.0};
    isend(rt, dst, wire(rt, &h, NULL, 0), sizeof h);
}

void transport_flush(struct runtime *rt) {
    wake_flush(&rt->wake);
}

/* The message in slot i arrived (count bytes): into the event queue, or
 * the stop request. */
static void arrived(struct runtime *rt, int slot, int count, int to_node) {
    if (!to_node || (size_t)count < sizeof(struct wire_header)) return;
    struct wire_header h;
    memcpy(&h, rt->recv_slot[slot], sizeof h);
    if (h.type == CONTROL_STOP) {
        rt->interrupted = 1;
        return;
    }
    core_push_message(rt, &h, (const char *)rt->recv_slot[slot] + sizeof h,
                      (size_t)count - sizeof h);
}

/* Take up to max messages from MPI into the event queue (deliver = 0: the
 * drain, which only counts them). */
static int receive(struct runtime *rt, int max, int deliver) {
    int got = 0;
    while (got < max) {
        int slot = rt->recv_next, done = 0;
        MPI_Status st;
        MPI_Test(&rt->recv_req[slot], &done, &st);
        if (!done) break;
        int count = 0;
        MPI_Get_count(&st, MPI_BYTE, &count);
        rt->mpi_recv_from[st.MPI_SOURCE]++;
        rt->mpi_received++;
        rt->recv_next = (slot + 1) % RECV_SLOTS;
        arrived(rt, slot, count, deliver);
        post_receive(rt, slot);
        got++;
    }
    return got;
}

int transport_receive(struct runtime *rt, int max_messages) {
    return rt->stopped ? 0 : receive(rt, max_messages, 1);
}

int transport_arrived(struct runtime *rt) {
    int arrived = 0; /* get_status leaves the request alone */
    MPI_Request_get_status(rt->recv_req[rt->recv_next], &arrived, MPI_STATUS_IGNORE);
    return arrived;
}

void transport_progress(struct runtime *rt) {
    size_t k = 0;
    for (size_t i = 0; i < rt->npending; i++) {
        int done = 0;
        MPI_Test(&rt->pending[i].req, &done, MPI_STATUS_IGNORE);
        if (done) {
            pool_put(&rt->pool, rt->pending[i].buf);
            wake_notify(&rt->wake, rt->pending[i].dst);
        } else {
            rt->pending[k++] = rt->pending[i];
        }
    }
    rt->npending = k;
}

static void nap(long ns) {
    struct timespec ts = {0, ns};
    nanosleep(&ts, NULL);
}

void transport_drain(struct runtime *rt) {
    uint64_t *expected = calloc((size_t)rt->size, sizeof *expected);
    if (!expected) rt_out_of_memory();
    MPI_Request req;
    MPI_Ialltoall(rt->mpi_sent_to, 1, MPI_UINT64_T, expected, 1, MPI_UINT64_T, rt->comm, &req);
    int have_counts = 0;
    long sleep_ns = 10000;
    for (;;) {
        int busy = receive(rt, 64, 0) > 0;
        transport_progress(rt);
        wake_flush(&rt->wake);
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
    if (rt->transport_started) {
        /* No message of this run is left to match them (the drain counted
         * every one), so the posted receives can be cancelled. */
        for (int i = 0; i < RECV_SLOTS; i++) {
            MPI_Cancel(&rt->recv_req[i]);
            MPI_Wait(&rt->recv_req[i], MPI_STATUS_IGNORE);
        }
        for (size_t i = 0; i < rt->npending; i++) {
            MPI_Wait(&rt->pending[i].req, MPI_STATUS_IGNORE);
            pool_put(&rt->pool, rt->pending[i].buf);
        }
        rt->transport_started = 0;
    }
    for (int i = 0; i < RECV_SLOTS; i++) {
        pool_put(&rt->pool, rt->recv_slot[i]);
        rt->recv_slot[i] = NULL;
    }
    free(rt->pending);
    rt->pending = NULL;
    rt->npending = rt->cap_pending = 0;
}
