/* What the runtime offers an algorithm: the node it runs on. An algorithm
 * sees its node id, the node count, its simulated clock, typed messages,
 * timers and recording calls; never MPI, HDF5 or the reference time. */
#ifndef CLOCKLAB_NODE_H
#define CLOCKLAB_NODE_H

#include <gsl/gsl_rng.h>
#include <stddef.h>
#include <stdint.h>

struct node; /* opaque: one node as seen by one algorithm */

/* A delivered message. type is the algorithm's own index into its
 * message_types; payload is valid only during the on_message call. */
struct message {
    int src, dst, type;
    uint64_t id;      /* unique message id, > 0 (events/table msg) */
    uint64_t lamport; /* the runtime's Lamport timestamp of the send */
    const void *payload;
    size_t len;
};

/* Kinds of events/table rows, in the order of their values 0, 1, ... in the
 * HDF5 enum `kind` (whose names are these without EVENT_): one list, from
 * which output/schema_names.c takes the names. */
#define EVENT_KINDS(X) X(SEND) X(RECEIVE) X(INTERNAL) X(DELIVER)
#define EVENT_KIND_ENUM(name) EVENT_##name,
enum event_kind { EVENT_KINDS(EVENT_KIND_ENUM) EVENT_KIND_COUNT };

/* What a clock-sync algorithm knows about the adjustment it makes; the
 * runtime adds node, time and the true offset to make a clock/rounds row. */
struct round_info {
    int round;               /* round number, from 0 */
    double rtt;              /* round-trip time of the reading used (s), NaN if none */
    double estimated_offset; /* estimated offset of this clock from its reference (s) */
    int excluded;            /* 1: this reading was left out of an average */
};

int node_id(const struct node *n);
int node_count(const struct node *n);

/* The node's clock in seconds: the simulated clock C(t) (clock.h), or with
 * [clock] source = hardware the process's own clock, corrected (hwclock.h). */
double node_local_time(struct node *n);

/* Step the clock by delta seconds now, and record a clock/rounds row from
 * info (may be NULL: no row). true_offset in the row is the offset before. */
void node_clock_step(struct node *n, double delta, const struct round_info *info);
/* Slew the clock by delta seconds over span seconds (adjtime-like); row as above. */
void node_clock_slew(struct node *n, double delta, double span, const struct round_info *info);

/* What a clock-sync algorithm knows about a linear model it applies. */
struct model_info {
    int reference;      /* the node whose clock the model measures against */
    int points;         /* offset measurements it rests on */
    double rtt;         /* smallest round-trip time of those measurements (s) */
    double bound;       /* worst-case error of the model's offset now (s) */
    double slope_bound; /* worst-case error of its slope (s/s; 0 when not fitted) */
};

/* Correct the clock from now on with a linear model of its offset from a
 * reference clock (Jones & Koenig, J. Supercomputing 2013; Hunold &
 * Carpen-Amarie, IEEE Cluster 2018): offset = intercept + slope * L for a
 * reading L (s, s/s), so a reading L becomes L - (intercept + slope * L).
 * Models compose with earlier ones; steps and slews still move the
 * corrected reading by their delta. Records a clock/models row (info may be
 * NULL: reference -1, points 0, rtt and bounds NaN). */
void node_clock_model(struct node *n, double intercept, double slope,
                      const struct model_info *info);

/* Send len bytes of payload as message type to node dst (not to itself).
 * The runtime injects delay and loss and counts the message; returns the
 * message id (> 0), also when the network loses the message. */
uint64_t node_send(struct node *n, int dst, int type, const void *payload, size_t len);
/* Send to every other node. */
void node_broadcast(struct node *n, int type, const void *payload, size_t len);

/* Fire on_timer(timer_id) after `after` seconds (an algorithm that sets
 * timers has on_timer; it is optional for one that sets none). Setting a pending id again
 * replaces it. Ids are 0..NODE_MAX_TIMERS-1. */
#define NODE_MAX_TIMERS 32
void node_set_timer(struct node *n, double after, int timer_id);
void node_cancel_timer(struct node *n, int timer_id);

/* This node has nothing more to do (runs with duration 0 end when all are). */
void node_done(struct node *n);

/* The node's random number generator (seeded from the run seed and node id). */
gsl_rng *node_rng(struct node *n);

/* Election support, configured in [election]: the id of node i (rank,
 * reverse or a seeded permutation), whether node i initiates, and the node's
 * belief about the coordinator (-1 = none). Setting the leader records
 * election/leader, decided_at and a history row. */
int node_election_id(const struct node *n, int i);
int node_is_initiator(const struct node *n, int i);
void node_set_leader(struct node *n, int leader);
int node_leader(const struct node *n);
/* Nonzero when an election algorithm in the same run chooses the coordinator. */
int node_leader_elected(const struct node *n);
/* The coordinator (server, master) an algorithm follows: with an election
 * algorithm below it in the run, the elected one (node_leader, -1 while none
 * is known), else `configured`, its own key ([berkeley] master, [ntp]
 * server, ...). The layering of Garcia-Molina 1982: the coordinator an
 * election chooses serves the algorithms above it. */
int node_coordinator(const struct node *n, int configured);
/* At the start of an algorithm with a configured coordinator: without an
 * election in the run, record `configured` as this node's coordinator
 * (node_set_leader: election/leader, and the node [faults] crash =
 * coordinator@T crashes); with one, nothing (the election decides). */
void node_name_coordinator(struct node *n, int configured);

/* Copy len bytes of m's payload from byte `offset` into out (any alignment).
 * A payload shorter than offset + len is a programming error of the sender:
 * the job ends (MPI_Abort) with "clocklab: internal error: ALGORITHM
 * message TYPE from node S has N bytes, expected at least K". */
void node_payload(const struct node *n, const struct message *m, size_t offset, void *out,
                  size_t len);

/* Memory that an algorithm does not check: count * size zeroed bytes
 * (count 0 gives a valid pointer), or node_grow's realloc of p to count *
 * size bytes (the new part not zeroed). When memory runs out, or count *
 * size overflows, the job ends with "clocklab: out of memory" (MPI_Abort),
 * as the runtime's own allocations do. Free with free(). */
void *node_alloc(size_t count, size_t size);
void *node_grow(void *p, size_t count, size_t size);
/* The same end for a structure of the algorithm's own that could not grow
 * (a map's insert that returned "out of memory"). */
void node_out_of_memory(void) __attribute__((noreturn));

/* Add a row to events/table: kind, peer (-1 none), message type of this
 * algorithm (-1 none), message id (0 none), Lamport timestamp, and for
 * vector-clock runs the vector (node_count entries, or NULL). */
void node_record_event(struct node *n, enum event_kind kind, int peer, int type, uint64_t msg,
                       uint64_t lamport, const uint32_t *vector);

/* Record a per-node scalar result under /runs/<run>/results/<name> (e.g. the
 * raffle winner). Shape [N] f8, NaN where a node recorded nothing. */
void node_record_result(struct node *n, const char *name, double value);

/* Fire on_timer(timer_id) when this node's clock reads local_time (s), at
 * once if it already does: a timeline in local time, so that a series of
 * events keeps its spacing whatever the lateness of each one. The clock's
 * known course (drift, a slew in progress) is inverted now; an adjustment
 * made later does not move the timer. Same ids as node_set_timer. */
void node_set_timer_at(struct node *n, double local_time, int timer_id);

/* Request routing records (requests/table, requests/queue). Each stage of a
 * request is recorded by the node where it happens; the runtime stamps the
 * row with the reference time and the node's local time, and rank 0 joins
 * the rows of every node into one requests/table row per request id. A
 * crashed node records nothing. */
enum request_stage {
    REQUEST_SENT = 0,       /* client: issued the request (peer -1) */
    REQUEST_DISPATCHED = 1, /* coordinator: assigned it to server `peer` */
    REQUEST_ARRIVED = 2,    /* server: accepted it into its queue (peer = client) */
    REQUEST_STARTED = 3,    /* server: a worker took it */
    REQUEST_FINISHED = 4,   /* server: service complete, reply sent */
    REQUEST_RECEIVED = 5    /* client: the reply arrived (peer = server) */
};

/* How a request ended (requests/table status, an HDF5 enum whose names are
 * these without REQUEST_, values 0, 1, ... in this order):
 *   SERVED     the client received the reply
 *   TIMEOUT    failed: no reply after every attempt
 *   NO_SERVER  failed: the coordinator had no server to send it to
 *   PENDING    the run ended before an outcome
 *   LOST       no outcome recorded: the client crashed (set by the join) */
#define REQUEST_STATUSES(X) X(SERVED) X(TIMEOUT) X(NO_SERVER) X(PENDING) X(LOST)
#define REQUEST_STATUS_ENUM(name) REQUEST_##name,
enum request_status { REQUEST_STATUSES(REQUEST_STATUS_ENUM) REQUEST_STATUS_COUNT };

/* Tables an algorithm writes. Declared in configure, so that a run has the
 * group even when no row was recorded. */
#define NODE_TABLE_REQUESTS 1 /* requests/table and requests/queue */
#define NODE_TABLE_SECTIONS 2 /* mutex/sections */
void node_use_tables(struct node *n, int tables);

/* Record stage `stage` of request `id` (unique in the run, > 0) now. */
void node_record_request(struct node *n, uint64_t id, enum request_stage stage, int peer);
/* Record the outcome of request `id` after `attempts` sends (client). */
void node_record_request_outcome(struct node *n, uint64_t id, enum request_status status,
                                 int attempts);
/* Record this server's queue now: requests waiting and requests in service. */
void node_record_queue(struct node *n, int waiting, int in_service);

/* Mutual exclusion records (mutex/sections): one row per critical section
 * of a node, filled by its REQUEST, ENTER and EXIT, each stamped by the
 * runtime with the reference time and the local time. A node has at most one
 * open request. stamp is the algorithm's ordering key of the request (the
 * Lamport timestamp for ricart_agrawala and lamport_mutex, the grant number
 * of mutex_central, the token's hop count for token_ring); MUTEX_STAMP_KEEP
 * leaves the stamp recorded earlier. A crashed node records nothing. */
enum mutex_stage { MUTEX_REQUEST = 0, MUTEX_ENTER = 1, MUTEX_EXIT = 2 };
#define MUTEX_STAMP_KEEP UINT64_MAX
void node_record_section(struct node *n, enum mutex_stage stage, uint64_t stamp);

#endif
