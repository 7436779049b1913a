/* State shared by the runtime's own files and the engines (src/engine/).
 * Not for algorithms.
 *
 * A run has N nodes spread over the ranks of a communicator in blocks: rank
 * r hosts nodes first .. first+count-1, in either engine: one node per rank
 * unless [experiment] nodes says otherwise. struct runtime is what the nodes of one rank share;
 * struct node_state is one node. An engine supplies the reference time,
 * message transport and timers behind the node API (node_api.c). */
#ifndef CLOCKLAB_RUNTIME_INTERNAL_H
#define CLOCKLAB_RUNTIME_INTERNAL_H

#include "../engine/core/event_core.h"
#include "../engine/engine.h"
#include "../engine/real/wake.h"
#include "../output/gather.h"
#include "../output/recorder.h"
#include "clock.h"
#include "distribution.h"
#include "due_map.h"
#include "fatal.h"
#include "faults.h"
#include "fidelity.h"
#include "hwclock.h"
#include "mpi_tags.h"
#include "pool.h"
#include "runtime.h"
#include "streams.h"

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
};

/* Checkpoints of the running run (checkpoint.c). */
struct ckpt_recv {
    MPI_Request req;
    void *buf;
    int len, src;
};

struct ckpt_state {
    double interval; /* [experiment] checkpoint (s of reference time); 0 = off */
    double next;     /* reference time of the next one (+inf: none) */
    double dt;       /* clock/offset sample spacing; 0: the run samples no offsets */
    double end;      /* the run's last reference time (duration, or timeout) */
    /* what the increments sent so far covered: rows of each local node
     * [count] (sections: the first one not settled), of the events table,
     * clock/offset samples */
    size_t *rounds, *history, *stages, *queue, *sections;
    size_t events;
    uint64_t samples;
    /* an increment taken, not yet sent (virtual time on several ranks), and
     * what it covers */
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
    int allowed;      /* rank 0 let the ranks take one in this window */
    double last_wall; /* MPI_Wtime of the last one (rank 0) */
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
    /* faults and termination */
    struct crash_schedule crashes;
    double duration, timeout;
    /* Progress lines (rank 0, runtime_set_progress): the next one at this
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

/* node_api.c and runtime.c: what both engines share */
double rt_now(struct runtime *rt); /* reference time now (also stored in rt->now) */
int rt_layer_of_type(const struct runtime *rt, int global_type);
int rt_rank_of(const struct runtime *rt, int node);        /* the rank hosting a node */
struct node_state *rt_local(struct runtime *rt, int node); /* a node of this rank, or NULL */
/* Rank 0, at `wall` s of wall time since the run started, past
 * rt->progress_next: print the reference time `reached` to stderr and set
 * the next one (runtime.c). */
void rt_progress(struct runtime *rt, double wall, double reached);
/* Hand a message to its layer on node ns (or drop it on a crashed node). */
void rt_deliver(struct node_state *ns, const struct wire_header *h, const void *payload,
                size_t len);
/* Run timer (layer, id) of node ns. */
void rt_fire_timer(struct node_state *ns, int layer, int id);
/* Start the node's layers (first time), or restart them after a recovery. */
void rt_start_node(struct node_state *ns);
/* Crash node ns now (recovering at recover, or +inf). */
void rt_crash(struct node_state *ns, double recover);
/* Recover node ns now. */
void rt_recover(struct node_state *ns);
/* Apply due crash and recovery events to node ns at rt->now. Returns 1 if any. */
int rt_process_faults(struct node_state *ns);
/* Earliest pending crash or recovery of node ns (+inf when none). */
double rt_next_fault(const struct node_state *ns);
/* Every layer done, or crashed for good. */
int rt_node_done(const struct node_state *ns);
/* Keep rt->not_done in step after ns's done state may have changed. */
void rt_update_done(struct node_state *ns);
/* events/table row for a traced send or receive (global type, runtime Lamport time) */
void rt_trace(struct node_state *ns, enum event_kind kind, int peer, int type, uint64_t msg,
              uint64_t lamport, double due);
/* The node's generator for STREAM_ALGORITHM, STREAM_NETWORK or
 * STREAM_JITTER (streams.h), allocated on first use. */
gsl_rng *rt_stream(struct node_state *ns, enum stream stream);

/* real_engine.c + transport.c: the real-time engine (event_core.h paced by
 * the wall clock, MPI between ranks) */
void transport_start(struct runtime *rt); /* post the receives (after wake_init) */
/* A stamped message to a node of another rank, at once. */
void transport_send(struct runtime *rt, const struct wire_header *h, const void *payload,
                    size_t len);
void transport_send_control(struct runtime *rt, int dst, int type);
/* Ring the doorbells of the ranks sent to since the last flush. */
void transport_flush(struct runtime *rt);
int transport_receive(struct runtime *rt, int max_messages); /* > 0: messages taken */
int transport_arrived(struct runtime *rt);                   /* a message waits to be taken */
void transport_progress(struct runtime *rt);
void transport_drain(struct runtime *rt);
void transport_free(struct runtime *rt);

/* checkpoint.c: at every [experiment] checkpoint of reference time, each rank
 * sends what its nodes recorded since the previous one to rank 0, whose
 * writer thread keeps the run so far in the result file (ckpt_writer.h). */
/* Set up (every rank, after setup); off when the interval is 0. Returns 0 or -1. */
int ckpt_init(struct runtime *rt, const struct run_plan *plan);
void ckpt_free(struct runtime *rt);
/* Real time, collective, before the start: every rank sends rank 0 one
 * message of each size class an increment can have, so that the first
 * increment does not pay Open MPI's first send of that size (its fragment
 * lists grow: 1-1.5 ms of CPU measured here) in the middle of the run. */
void ckpt_warm_up(struct runtime *rt);
/* Real time, at rt->now >= rt->ck.next: take this rank's increment and send it. */
void ckpt_take(struct runtime *rt);
/* Real time, while rt->ck.busy: progress the sends and receives. */
void ckpt_poll(struct runtime *rt);
/* Rank 0 awaits an increment that has arrived (polled before sleeping). */
int ckpt_arrived(struct runtime *rt);
/* Virtual time: every event before t was processed and none at t or later,
 * and t >= rt->ck.next: take the increment of the last checkpoint time <= t. */
void ckpt_cross(struct runtime *rt, double t);
/* Virtual time, rank 0 between windows: whether the next window may take one. */
int ckpt_vote(const struct runtime *rt);
/* Virtual time, every rank after a window exchange: send held increments. */
void ckpt_exchange(struct runtime *rt);
/* Collective, after the run's event loop: receive or complete everything
 * under way and stop the writer (rank 0). */
void ckpt_finish(struct runtime *rt);

/* vengine.c: the virtual-time engine (engine.h) */

#endif
