/* State shared by the runtime's own files (runtime.c, transport.c,
 * node_api.c). Not for algorithms. */
#ifndef CLOCKLAB_RUNTIME_INTERNAL_H
#define CLOCKLAB_RUNTIME_INTERNAL_H

#include "../output/gather.h"
#include "../output/recorder.h"
#include "clock.h"
#include "distribution.h"
#include "faults.h"
#include "heap.h"
#include "runtime.h"

#include <gsl/gsl_rng.h>
#include <mpi.h>
#include <stdint.h>

#define TAG_MESSAGE 7001
#define CONTROL_STOP (-1) /* wire type of the stop request */

struct node {
    struct runtime *rt;
    int layer;
};

struct layer {
    const struct algorithm *alg;
    void *state;
    int type_offset, ntypes;
    struct node view;
    int done;
    uint32_t timer_gen[NODE_MAX_TIMERS];
};

struct wire_header {
    int32_t type; /* global message type, or CONTROL_STOP */
    int32_t src;
    uint64_t id;
    uint64_t lamport;
};

struct timer_item {
    int32_t layer, id;
    uint32_t gen;
};

struct delayed_item {
    int32_t dst;
    size_t len;
    void *buf;
};

struct pending_send {
    MPI_Request req;
    void *buf;
};

struct runtime {
    MPI_Comm comm;
    int rank, size;
    double t0;  /* CLOCK_MONOTONIC seconds at the run's start (this host's) */
    double now; /* reference time of the current step */
    struct layer layers[RUNTIME_MAX_LAYERS];
    int nlayers, ntypes;
    const char **type_names;
    int leader_elected, trace;
    /* clock and network */
    struct sim_clock clock;
    struct dist jitter, delay;
    int zero_delay, zero_jitter;
    double loss;
    gsl_rng *alg_rng, *net_rng, *jitter_rng;
    /* scheduling */
    struct heap timers, delayed;
    double *last_due; /* [size] FIFO per channel */
    struct pending_send *pending;
    size_t npending, cap_pending;
    uint64_t *mpi_sent_to, *mpi_recv_from; /* [size], for the end-of-run drain */
    void *recv_buf;
    size_t recv_cap;
    double last_activity;
    /* identity and records */
    uint64_t msg_seq, lamport, event_seq;
    struct recorder rec;
    struct node_summary summary;
    int *ids, *initiator;
    int leader;
    /* faults and termination */
    struct crash_schedule crashes;
    int crash_seen[FAULTS_MAX];
    int crashed, started;
    double recover_at;
    double duration, timeout;
    int stopped, interrupted, timed_out;
};

double rt_clock_now(struct runtime *rt); /* reference time now (also stored in rt->now) */
int rt_layer_of_type(const struct runtime *rt, int global_type);

/* transport.c */
void transport_send(struct runtime *rt, int layer, int dst, int type, const void *payload,
                    size_t len, uint64_t *id_out);
void transport_send_control(struct runtime *rt, int dst, int type);
int transport_poll(struct runtime *rt, int max_messages); /* > 0: messages handled */
void transport_release_due(struct runtime *rt);
void transport_progress(struct runtime *rt);
void transport_drain(struct runtime *rt);
void transport_free(struct runtime *rt);
void rt_deliver(struct runtime *rt, const struct wire_header *h, const void *payload, size_t len);
/* events/table row for a traced send or receive (global type, runtime Lamport time) */
void rt_trace(struct runtime *rt, enum event_kind kind, int peer, int type, uint64_t msg,
              uint64_t lamport);

#endif
