/* State shared by the runtime's own files (runtime.c, event_loop.c,
 * transport.c, node_api.c). Not for algorithms. */
#ifndef CLOCKLAB_RUNTIME_INTERNAL_H
#define CLOCKLAB_RUNTIME_INTERNAL_H

#include "../output/gather.h"
#include "../output/recorder.h"
#include "clock.h"
#include "distribution.h"
#include "faults.h"
#include "fidelity.h"
#include "heap.h"
#include "hwclock.h"
#include "pool.h"
#include "runtime.h"
#include "timers.h"
#include "wake.h"

#include <gsl/gsl_rng.h>
#include <mpi.h>
#include <stdint.h>

#define TAG_MESSAGE 7001
#define CONTROL_STOP (-1) /* wire type of the stop request */
#define RECV_SLOTS 8      /* receives kept posted */

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
};

/* Every message on the wire: this header, then the payload. */
struct wire_header {
    int32_t type; /* global message type, or CONTROL_STOP */
    int32_t src;
    uint64_t id;
    uint64_t lamport;
    double due; /* reference time at which the receiver delivers it */
};

#define WIRE_MAX POOL_MAX /* largest message, header included (bytes) */

struct held_item { /* a received message waiting for its due time */
    void *buf;     /* pool buffer: header + payload */
    size_t len;
};

struct pending_send {
    MPI_Request req;
    void *buf;
    int dst;
};

/* Termination of runs without a duration (event_loop.c). */
struct waves {
    MPI_Request req;
    int active, have_prev;
    long long mine[4], result[4], prev[2];
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
    struct hw_clock *hw; /* [clock] source = hardware, else NULL (hwclock.h) */
    struct dist jitter, delay;
    int zero_delay, zero_jitter;
    double loss;
    gsl_rng *alg_rng, *net_rng, *jitter_rng;
    /* scheduling */
    struct timers timers;
    struct heap held;
    double *last_due; /* [size]: due time of the last message to each node (FIFO) */
    double last_activity;
    /* transport */
    struct pool pool;
    struct wake wake;
    int transport_started;
    MPI_Request recv_req[RECV_SLOTS];
    void *recv_slot[RECV_SLOTS];
    int recv_next;
    struct pending_send *pending;
    size_t npending, cap_pending;
    uint64_t *mpi_sent_to, *mpi_recv_from; /* [size], for the end-of-run drain */
    uint64_t mpi_sent, mpi_received;       /* totals, for termination */
    struct waves waves;
    /* identity and records */
    uint64_t msg_seq, lamport, event_seq;
    uint64_t delivering_id, last_sent_id; /* due times for events/table rows */
    double delivering_due, last_sent_due;
    struct recorder rec;
    struct node_summary summary;
    struct fidelity fidelity;
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
void rt_out_of_memory(void) __attribute__((noreturn));

/* event_loop.c: run the started layers until the run ends (duration,
 * termination or stop request). */
void rt_event_loop(struct runtime *rt);
/* Apply due crash and recovery events (also at the start). Returns 1 if any. */
int rt_process_faults(struct runtime *rt);
void rt_start_layers(struct runtime *rt);

/* transport.c */
void transport_start(struct runtime *rt); /* post the receives (after wake_init) */
void transport_send(struct runtime *rt, int layer, int dst, int type, const void *payload,
                    size_t len, uint64_t *id_out);
void transport_send_control(struct runtime *rt, int dst, int type);
int transport_receive(struct runtime *rt, int max_messages); /* > 0: messages taken */
int transport_deliver_due(struct runtime *rt, int max_messages);
double transport_next_due(const struct runtime *rt);
void transport_progress(struct runtime *rt);
void transport_drain(struct runtime *rt);
void transport_free(struct runtime *rt);
/* Hand a message to its layer (or drop it on a crashed node), and record
 * its lateness (now - due). */
void rt_deliver(struct runtime *rt, const struct wire_header *h, const void *payload, size_t len);
/* events/table row for a traced send or receive (global type, runtime Lamport time) */
void rt_trace(struct runtime *rt, enum event_kind kind, int peer, int type, uint64_t msg,
              uint64_t lamport, double due);

#endif
