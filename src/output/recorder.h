/* In-memory record of one node's run: counters, clock rounds, leader
 * history, events. Rows have the layout of the HDF5 compound types of
 * schema clocklab/1 (h5writer.c). No MPI, no HDF5. */
#ifndef CLOCKLAB_RECORDER_H
#define CLOCKLAB_RECORDER_H

#include "model/fidelity.h"
#include "util/vec.h"

#include <stddef.h>
#include <stdint.h>

struct round_row { /* clock/rounds */
    int32_t node, round;
    double time, rtt, estimated_offset, true_offset, adjustment;
    int8_t excluded;
};

struct model_row { /* clock/models: a node's linear model of its offset from a reference */
    int32_t node, reference, points; /* reference: the node measured against; fit points */
    double time;                     /* reference time the model was applied (s) */
    double intercept, slope;         /* offset = intercept + slope * local time (s, s/s) */
    double rtt;                      /* smallest RTT of the exchanges it rests on (s) */
    double bound;                    /* worst-case error of its offset when applied (s) */
    double slope_bound;              /* worst-case error of its slope (s/s) */
    double true_offset;              /* the node's true offset just before (s), NaN unknown */
};

struct eval_row { /* evaluation/: rank 0's measurement of one node's clock */
    int32_t node, samples;
    double at;          /* requested delay after the synchronization ended (s) */
    double time;        /* reference time of the min-RTT exchange (s) */
    double offset;      /* measured C_node - C_0 (s) */
    double rtt_min;     /* its round-trip time (s) */
    double true_offset; /* true C_node - C_0 then (s), NaN where unknown */
};

struct history_row { /* election/history */
    int32_t node;
    double time;
    int32_t leader;
};

struct event_row { /* events/table */
    int32_t node;
    uint64_t seq;
    int32_t kind; /* enum event_kind */
    int32_t peer, type;
    uint64_t msg, lamport;
    double local_time, time;
    double due; /* the message's due time (SEND, RECEIVE), NaN otherwise or when lost */
};

/* One stage of a request as the node where it happened recorded it; rank 0
 * joins them into request_row (rec_join_requests). stage is enum
 * request_stage (api/node.h) or REC_STAGE_OUTCOME. */
#define REC_STAGE_OUTCOME 6
struct request_stage_row {
    uint64_t id;
    int32_t node, stage, peer, status, attempts;
    double time, local_time;
};

struct request_row { /* requests/table: one row per request id */
    uint64_t id;
    int32_t client, coordinator, server; /* node indices, -1 none */
    int32_t status;                      /* enum request_status */
    int32_t attempts;                    /* sends by the client */
    int32_t dispatches;                  /* assignments by coordinators (1 without failures) */
    int32_t served;                      /* services completed (FINISHED rows); never > 1 */
    double sent, dispatched, arrived, started, finished, received; /* reference time, NaN none */
    double response_local; /* received - sent on the client's own clock, NaN none */
};

struct queue_row { /* requests/queue: a server's queue after each change */
    int32_t node;
    double time;
    int32_t waiting, in_service;
};

struct section_row { /* mutex/sections: one critical section of one node */
    int32_t node;
    uint64_t seq;                      /* the node's request number, from 0 */
    uint64_t stamp;                    /* the algorithm's ordering key (api/node.h) */
    double requested, entered, exited; /* reference time, NaN none */
    double requested_local, entered_local, exited_local; /* the node's clock */
};

#define REC_MAX_RESULTS 8 /* distinct result names in a run */
#define REC_RESULT_NAME 32

struct result_row { /* results/<name>[node] = value */
    int32_t node;
    char name[REC_RESULT_NAME];
    double value;
};

struct recorder {
    int node, nodes, ntypes, vector_width;
    uint64_t *sent, *received, *bytes_sent, *dropped; /* [ntypes] each, in one block */
    struct vec rounds, history, events, vectors;      /* vectors: vector_width u32 per event */
    struct vec results;                               /* struct result_row */
    int tables;                                       /* NODE_TABLE_* bits declared (api/node.h) */
    struct vec stages, queue, sections; /* request_stage_row, queue_row, section_row */
    struct vec models;                  /* clock/models rows */
};

/* Empty record for node `node` of a run with `nodes` nodes and `ntypes`
 * message types; events/vector rows get `nodes` entries once the first vector
 * is recorded. Returns 0 or -1 (no memory). */
int rec_init(struct recorder *r, int node, int nodes, int ntypes);
void rec_free(struct recorder *r);
int rec_event(struct recorder *r, const struct event_row *row, const uint32_t *vector);
/* Set this node's result `name` (at most REC_MAX_RESULTS names per node).
 * Returns 0, or -1 (too many names, or no memory). */
int rec_result(struct recorder *r, const char *name, double value);

/* Join the stage rows of all nodes (any order) into one row per request id,
 * sorted by id: client from SENT, the accepted server from the last ARRIVED,
 * the dispatch to that server (else the last one), the first FINISHED and
 * RECEIVED, served = number of FINISHED rows, status and attempts from the
 * outcome row (REQUEST_LOST and 0 when there is none). *out is malloc'd
 * (NULL when n is 0). Returns 0 or -1 (no memory). */
int rec_join_requests(const struct request_stage_row *rows, size_t n, struct request_row **out,
                      size_t *nout);

#endif
