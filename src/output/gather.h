/* Collect every node's record of a run on rank 0 (MPI_Gather/Gatherv). */
#ifndef CLOCKLAB_GATHER_H
#define CLOCKLAB_GATHER_H

#include "output/recorder.h"
#include "output/run_result.h"

#include <mpi.h>

/* One node's scalars. */
struct node_summary {
    double initial_offset, drift, crashed_at, recovered_at, decided_at;
    int32_t id, leader;
    char label[LABEL_LEN];
};

/* Collective over comm. Every rank passes its nlocal nodes, which are the
 * nodes following those of the ranks before it: their summaries [nlocal],
 * recorders [nlocal], the events/ rows of all of them in node order in
 * `events` (or NULL: each node's recorder holds its own), fidelity [nlocal]
 * (NULL on every rank: no fidelity/)
 * and true offsets at the nsamples common sample times [nlocal][nsamples]
 * (NULL when nsamples is 0). On rank 0, fills the per-node arrays of out in
 * node order (its attribute fields are left as they are). Returns 0, or -1
 * on no memory (on rank 0). */
int gather_run(MPI_Comm comm, int nlocal, const struct node_summary *summaries,
               const struct recorder *const *recs, const struct recorder *events,
               const struct fidelity_summary *fidelity, const double *offsets, size_t nsamples,
               struct run_result *out);

#endif
