/* One run's results for all nodes, assembled on rank 0 (gather.c) and
 * written by h5writer.c as /runs/<run> of schema clocklab/1. Arrays [N] are
 * indexed by node, [N,T] are row-major node x message type, [S,N] sample x node. */
#ifndef CLOCKLAB_RUN_RESULT_H
#define CLOCKLAB_RUN_RESULT_H

#include "output/recorder.h"

#include <stddef.h>
#include <stdint.h>

#define LABEL_LEN 64

/* [experiment] time = explore: what the search found (the run's explore_*
 * attributes; docs/exploration.md). */
struct explore_result {
    unsigned long long executions, violations, liveness_failures, events;
    unsigned long long distinct;    /* executions of the last depth searched, each distinct */
    unsigned long long max_choices; /* choice points of the deepest execution */
    unsigned long long counterexample_events; /* events of the recorded execution */
    int exhausted;                            /* 1: every execution explored */
    double wall_time;                         /* s, the search */
    double first_violation;                   /* s from its start to the first violation, NaN */
    char violation[256];                      /* the recorded execution's, "" none */
    char *schedule;                           /* its picks "0,2,1" (malloc'd), or NULL */
};

struct run_result {
    /* attributes */
    char name[32];
    char algorithm[128];
    char family[128];
    char status[16];
    char time[16]; /* "real" | "virtual" */
    unsigned long seed;
    double wall_time, duration;
    unsigned long long
        events_processed;       /* virtual time: node events (timers, deliveries, faults) */
    double event_time;          /* virtual time: wall seconds of the event loop (slowest rank) */
    unsigned long long windows; /* virtual time: synchronization windows */
    double window_time;         /* virtual time: wall seconds between windows (slowest rank) */
    char *config_text;
    struct explore_result explore; /* time = explore */
    int nodes, ntypes;
    const char *const *type_names; /* [T] */
    int has_clock, has_election, has_events;
    /* nodes/ */
    double *initial_offset, *drift, *crashed_at, *recovered_at;
    char (*labels)[LABEL_LEN];
    /* clock/ */
    size_t nsamples;
    double *sample_time, *offset; /* [S], [S,N] */
    struct round_row *rounds;
    size_t nrounds;
    struct model_row *models; /* clock/models */
    size_t nmodels;
    struct eval_row *evaluation; /* evaluation/ (rank 0's own rows) */
    size_t nevaluation;
    /* messages/ */
    uint64_t *sent, *received, *bytes_sent, *dropped; /* [N,T] */
    /* election/ */
    int32_t *ids, *leader;
    double *decided_at;
    struct history_row *history;
    size_t nhistory;
    /* events/ */
    struct event_row *events;
    size_t nevents;
    uint32_t *vectors; /* [E,N] or NULL */
    /* requests/ (dispatch) and mutex/ (mutual exclusion); has_*: the group is written */
    int has_requests, has_sections;
    struct request_row *requests; /* [Q] joined on rank 0, sorted by id */
    size_t nrequests;
    struct queue_row *queue;
    size_t nqueue;
    struct section_row *sections;
    size_t nsections;
    /* fidelity/ */
    struct fidelity_summary *fidelity; /* [N] */
    double fidelity_threshold;         /* s: the warning threshold (fidelity.h) */
    /* results/ */
    int nresults;
    char result_name[REC_MAX_RESULTS][REC_RESULT_NAME];
    double *result_value[REC_MAX_RESULTS]; /* [N] each */
};

/* Frees everything r owns and zeroes it. */
void run_result_free(struct run_result *r);
/* Frees the per-node arrays, tables and results of r (what
 * run_result_nodes and the assembly of a run allocate) and sets them to
 * NULL/0; the configuration text, type names, fidelity, models and
 * evaluation stay (a checkpoint shares them with its run). */
void run_result_free_arrays(struct run_result *r);

struct node_summary;
/* Allocates the per-node arrays of r ([N] summaries, [N,T] counters,
 * [S,N] offsets) and fills all but the offsets: summaries[N] as gathered,
 * counters [N][4][T] (sent, received, bytes sent, dropped per message
 * type). Sets r->nodes, r->ntypes, r->nsamples. Returns 0, or -1 when out
 * of memory (what was allocated is freed with r). */
int run_result_nodes(struct run_result *r, size_t n, size_t t, size_t ns,
                     const struct node_summary *summaries, const uint64_t *counters);

#endif
