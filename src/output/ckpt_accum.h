/* Checkpoints of a running run, as rank 0 collects them.
 *
 * At each checkpoint every rank serializes what its nodes recorded since its
 * previous one (an increment) and sends it to rank 0, which adds it to an
 * accumulator and, from time to time, assembles the accumulator into a
 * struct run_result (the layout gather_run produces: nodes in order, each
 * node's rows in the order recorded) that h5writer can write.
 *
 * An increment is one buffer:
 *
 *   struct ckpt_header
 *   struct node_summary      [count]             the block's nodes, as they are now
 *   uint64_t                 [count][4 * ntypes] sent, received, bytes_sent, dropped (totals)
 *   double                   [count][nsamples]   true offsets at samples sample_from.. (new)
 *   struct round_row         [nrounds]           rows recorded since the previous increment
 *   struct history_row       [nhistory]          likewise
 *   struct event_row         [nevents]           likewise
 *   uint32_t                 [nevents][width]    their vector rows (width 0: none)
 *   struct result_row        [nresults]          every result row of the block (results change)
 *   struct request_stage_row [nstages]           rows recorded since the previous increment
 *   struct queue_row         [nqueue]            likewise
 *   struct section_row       [nsections]         each node's sections from the first one not
 *                                                settled at the previous increment (a node's
 *                                                last section changes as it is entered and
 *                                                left): they replace the node's rows from
 *                                                that seq on
 *
 * Sections follow each other without padding (read with memcpy). Counters,
 * summaries and results replace the earlier ones; rows are appended.
 * Everything with a reference time before `until` is in the increments of a
 * rank up to this one, so the assembled run is complete up to the smallest
 * `until` over the ranks. No MPI, no HDF5 calls. */
#ifndef CLOCKLAB_CKPT_ACCUM_H
#define CLOCKLAB_CKPT_ACCUM_H

#include "output/gather.h"
#include "output/recorder.h"
#include "output/run_result.h"

#include <stddef.h>
#include <stdint.h>

#define CKPT_MAGIC 0x31504b43u /* "CKP1" */

struct ckpt_header {
    uint32_t magic;
    int32_t rank, first, count; /* the sender and its block of nodes */
    int32_t nodes, ntypes;      /* of the run */
    int32_t width;              /* events/vector row width: 0 (no vectors) or nodes */
    int32_t index;              /* the sender's checkpoint number (1, 2, ...) */
    double until;               /* reference time (s) up to which the block's record is complete */
    uint64_t sample_from, nsamples;
    uint64_t nrounds, nhistory, nevents, nresults;
    uint64_t nstages, nqueue, nsections;
    int32_t tables; /* NODE_TABLE_* bits the block's nodes declared */
    int32_t pad;
};

/* Bytes of an increment with header h. */
size_t ckpt_size(const struct ckpt_header *h);

struct ckpt_pending { /* increments of one rank offered, not yet added */
    struct {
        void *buf;
        size_t len;
        double until;
    } * items;
    size_t n, cap;
};

struct ckpt_accum {
    int nodes, ntypes, ranks, width;
    double *until;                  /* [ranks] latest added; < 0 before the rank's first */
    struct ckpt_pending *pending;   /* [ranks] */
    size_t *samples;                /* [ranks] clock/offset samples received */
    struct node_summary *summaries; /* [nodes] */
    uint64_t *counters;             /* [nodes][4 * ntypes] */
    double *offsets;                /* [cap_samples][nodes] */
    size_t cap_samples;
    struct vec rounds, history, events, vectors; /* vectors: one u32 per node per event row */
    struct vec *results;                         /* [ranks] result_row: the latest */
    struct vec stages, queue;                    /* request_stage_row, queue_row */
    struct vec *sections;                        /* [nodes] section_row, allocated when needed */
    int tables;                                  /* NODE_TABLE_* bits of any node */
};

/* Empty accumulator of a run with `nodes` nodes, `ntypes` message types,
 * spread over `ranks` ranks. Returns 0 or -1 (no memory). */
int ckpt_accum_init(struct ckpt_accum *a, int nodes, int ntypes, int ranks);
void ckpt_accum_free(struct ckpt_accum *a);

/* Add one increment (len bytes). Returns 0, or -1 when it is malformed
 * (wrong magic or size, a block outside the run, samples out of order) or
 * memory runs out; the accumulator is then unchanged or only partly
 * updated, and should be dropped. */
int ckpt_accum_add(struct ckpt_accum *a, const void *buf, size_t len);

/* Offer one increment (malloc'd, len bytes; the accumulator owns it from
 * now on). Increments are added only up to a cut common to all ranks: the
 * smallest latest `until` over the ranks; those of a rank that is ahead wait
 * for the others (rank 0's own increment reaches its writer before the
 * others', and a real-time rank may skip a checkpoint). Returns the number
 * of increments added, or -1 as ckpt_accum_add. */
int ckpt_accum_offer(struct ckpt_accum *a, void *buf, size_t len);

/* Reference time up to which the accumulated run is complete: the smallest
 * `until` over the ranks, or a negative number while a rank has sent nothing. */
double ckpt_accum_until(const struct ckpt_accum *a);

/* Fill the per-node arrays of out as gather_run does (nodes/, clock/offset
 * and clock/time with samples k * dt for the samples every node has,
 * clock/rounds, messages/, election/, events/, results/, requests/,
 * mutex/), with the rows recorded before ckpt_accum_until (a rank that
 * skipped a checkpoint may have sent later ones), leaving its attributes,
 * type_names and config_text alone. requests/table joins the request
 * stages before that time; a request without an outcome by then is
 * REQUEST_PENDING (attempts 0). fidelity/ stays NULL.
 * Returns 0 or -1 (no memory; free with run_result_free_arrays). */
int ckpt_accum_assemble(const struct ckpt_accum *a, double dt, struct run_result *out);

#endif
