/* State shared by the runtime's own files and the engines (src/engine/).
 * Not for algorithms.
 *
 * A run has N nodes spread over the ranks of a communicator in blocks: rank
 * r hosts nodes first .. first+count-1, in either engine: one node per rank
 * unless [experiment] nodes says otherwise. struct runtime is what the nodes of one rank share;
 * struct node_state is one node. An engine supplies the reference time,
 * message transport and timers behind the node API (node_api.c). */
#ifndef CLOCKLAB_NODE_STATE_H
#define CLOCKLAB_NODE_STATE_H

#include "model/clock.h"
#include "model/distribution.h"
#include "model/faults.h"
#include "model/fidelity.h"
#include "model/streams.h"
#include "output/gather.h"
#include "output/recorder.h"
#include "runtime/engine.h"
#include "runtime/event_core.h"
#include "runtime/fatal.h"
#include "runtime/hwclock.h"
#include "runtime/mpi_tags.h"
#include "runtime/runtime.h"
#include "runtime/wake.h"
#include "util/due_map.h"
#include "util/pool.h"

#include <gsl/gsl_rng.h>
#include <mpi.h>
#include <stdint.h>

#define CONTROL_STOP (-1) /* wire type of the stop request */
#define RECV_SLOTS 8      /* receives kept posted (real time) */

struct runtime;
struct node_state;

/* What an algorithm's callbacks get: its node and its layer in the stack. */
struct node {
    struct node_state *ns;
    int layer;
};

/* One algorithm of the run's stack. */
struct layer {
    const struct algorithm *alg;
    int type_offset, ntypes;
};

/* Every message: this header, then the payload. */
struct wire_header {
    int32_t type; /* global message type, or CONTROL_STOP */
    int32_t src, dst;
    uint32_t len; /* payload bytes */
    uint64_t id;
    uint64_t lamport;
    uint64_t seq; /* the sender's event sequence number (virtual time's order) */
    double due;   /* reference time at which the receiver delivers it */
};

#define WIRE_MAX POOL_MAX /* largest message, header included (bytes) */

#define VT_INLINE 2 /* timers a node keeps without an allocation (virtual time) */

/* A timer in virtual time. At most one event per timer waits in the queue
 * for a timer that is only ever moved later: moving it later just records
 * the new due time, and the queued event, when its time comes, is queued
 * again for it (vengine.c). */
struct vtimer {
    double due;    /* when it fires; +inf: not set */
    double queued; /* time of the queued event of generation gen; +inf: none */
    uint64_t seq;  /* the node's sequence number when it was set (its order) */
    uint32_t gen;  /* generation of the queued event */
    uint8_t layer, id;
};

/* One node, as both engines keep it. The fields every event touches come
 * first, so that an event costs few cache lines. */
struct node_state {
    struct runtime *rt;
    int id; /* node index, 0..N-1 */
    unsigned char crashed, started, counted_done;
    uint8_t nvt, cap_vt;
    void *state[RUNTIME_MAX_LAYERS];
    uint64_t lamport, order_seq; /* order_seq: sends and timers set, virtual time's order */
    uint64_t msg_seq, event_seq;
    uint64_t delivering_id, last_sent_id; /* due times for events/table rows */
    double delivering_due, last_sent_due;
    gsl_rng *alg_rng, *net_rng, *jitter_rng; /* allocated on first use */
    struct vtimer *vt; /* virtual time: the timers this node has used (vt_small, or malloc'd) */
    struct vtimer vt_small[VT_INLINE];
    struct sim_clock clock;
    struct hw_clock *hw; /* [clock] source = hardware (real time), else NULL: hwclock.h */
    struct recorder rec;
    unsigned char done[RUNTIME_MAX_LAYERS];
    int leader;
    double recover_at;
    uint64_t crash_seen;     /* bit i: crash event i of the schedule applied */
    struct due_map last_due; /* FIFO per channel: due time of the last message to each node */
    struct node_summary summary;
    struct reliable_node *rel; /* [network] reliable = on: its channels (reliable.c), or NULL */
};

/* Checkpoints of the running run (checkpoint.c). */
struct ckpt_recv {
    MPI_Request req;
    void *buf;
    int len, src;
};

struct ckpt_state {
    double interval; /* [experiment] checkpoint (s: reference time, virtual: wall); 0 = off */
    double next;     /* reference time of the next one (+inf: none) */
    double dt;       /* clock/offset sample spacing; 0: the run samples no offsets */
    double end;      /* the run's last reference time (duration, or timeout) */
    /* what the increments sent so far covered: rows of each local node
     * [count] (sections: the first one not settled), of the events table,
     * clock/offset samples */
    size_t *rounds, *history, *stages, *queue, *sections;
    size_t events;
    uint64_t samples;
    /* an increment taken, not yet sent, and what it covers */
    void *held;
    size_t held_len, *held_rounds, *held_history, *held_stages, *held_queue, *held_sections;
    size_t held_events;
    uint64_t held_samples;
    int index; /* checkpoint number of the last increment */
    /* real time: the send to rank 0 under way (ranks other than 0) */
    MPI_Request send;
    void *send_buf;
    uint64_t sent;
    /* rank 0: increments coming in */
    struct ckpt_recv *rx;
    size_t nrx, cap_rx;
    uint64_t *matched; /* [size] */
    int *last;         /* [size]: checkpoint number of the latest increment of each rank */
    int owed;          /* a rank's increment for rank 0's last checkpoint has not come */
    int busy;          /* ckpt_poll has work: owed, receives or a send under way */
    /* virtual time */
    int allowed;      /* rank 0 let the ranks take one at this window boundary */
    double last_wall; /* MPI_Wtime of the last one (rank 0) */
    double until;     /* reference time the last one covered */
    double cost;      /* wall time the last one took (rank 0) */
};

/* Termination of real-time runs without a duration (event_loop.c). */
struct waves {
    MPI_Request req;
    int active, have_prev;
    long long mine[4], result[4], prev[2];
};

struct runtime {
    MPI_Comm comm;
    int rank, size;
    const struct engine *engine;
    const struct run_plan *plan; /* the run's plan, kept for rt_reset_nodes */
    /* the nodes */
    int nodes;                /* N in the run */
    int first, count;         /* this rank's block */
    struct node_state *local; /* [count] */
    int *first_of;            /* [size + 1]: the block of each rank */
    struct layer layers[RUNTIME_MAX_LAYERS];
    int nlayers, ntypes;
    const char **type_names;
    int leader_elected, trace;
    int *ids, *initiator; /* [N] */
    unsigned long seed;
    /* clock and network */
    struct dist jitter, delay;
    double granularity, min_delay;
    int zero_delay, zero_jitter, constant_delay;
    double loss;
    /* [network] reliable (reliable.h): on, its timer bounds (s) and its two message types */
    int reliable;
    double rto_initial, rto_min, rto_max;
    int retransmit_type, ack_type;
    /* faults and termination */
    struct crash_schedule crashes;
    double duration, timeout;
    /* Progress lines (rank 0, the plan's progress_every and progress_label): the next one at this
     * many seconds of wall time since the run started (INFINITY: none). */
    double progress_next, progress_every;
    char progress_label[160];
    struct ckpt_writer *writer; /* rank 0: the run's checkpoint writer, or NULL */
    int stopped, interrupted, timed_out;
    int not_done; /* local nodes not locally done */
    double now;   /* reference time of the current step */
    /* real time */
    double t0; /* CLOCK_MONOTONIC seconds at the run's start (this host's) */
    double last_activity;
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
    struct ckpt_state ck;
    int polling; /* real time: the rank polls (idle, real_engine.c) */
    /* both engines: this rank's nodes' events (event_core.h) */
    struct event_core core;
    /* virtual time (vengine.c) */
    struct vstate *vs;
    /* exploration (engine/explore/): its state, and what it found (rank 0) */
    struct xstate *xs;
    struct explore_result explored;
    uint64_t events_processed; /* node events processed by this rank */
    struct recorder events;    /* events/ rows of all local nodes, in the order they happened */
    double event_time;         /* wall seconds of the event loop */
    uint64_t windows;          /* window exchanges */
    double window_time;        /* wall seconds in them */
};

struct pending_send {
    MPI_Request req;
    void *buf;
    int dst;
};

/* node_state.c: the basic questions about a rank's nodes */
double rt_now(struct runtime *rt); /* reference time now (also stored in rt->now) */
int rt_layer_of_type(const struct runtime *rt, int global_type);
int rt_rank_of(const struct runtime *rt, int node);        /* the rank hosting a node */
struct node_state *rt_local(struct runtime *rt, int node); /* a node of this rank, or NULL */
/* The node's generator for STREAM_ALGORITHM, STREAM_NETWORK or
 * STREAM_JITTER (streams.h), allocated on first use. */
gsl_rng *rt_stream(struct node_state *ns, enum stream stream);
/* node_api.c: put the stamped message h from ns on the network: count it
 * as sent (h->type), draw its loss, and hand it to the engine with h->due
 * set, or count it as dropped with h->due = NaN. */
void rt_transmit(struct node_state *ns, struct wire_header *h, const void *payload, size_t len);
/* runtime.c, for an engine that runs a configuration over and over
 * (engine.h's `explores`): every local node as it was set up at the
 * start, nothing recorded; the engine empties its own queue. */
void rt_reset_nodes(struct runtime *rt);
/* Every layer done (and every message acknowledged), or crashed for good. */
int rt_node_done(const struct node_state *ns);
/* Keep rt->not_done in step after ns's done state may have changed. */
void rt_update_done(struct node_state *ns);

#endif
