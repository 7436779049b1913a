/* The node runtime: runs one configured run on every rank of a communicator.
 * The run's N nodes are spread over the ranks in blocks ([experiment]
 * nodes; one node per rank by default in real time); their algorithms (one,
 * or a stack such as "bully+berkeley" where the upper layer follows the
 * elected coordinator) are driven by an engine (engine/engine.h: real time
 * over MPI, or virtual time) with simulated clocks, injected delay/loss,
 * crash schedules and per-type message counters. */
#ifndef CLOCKLAB_RUNTIME_H
#define CLOCKLAB_RUNTIME_H

#include "api/algorithm.h"
#include "config/config.h"
#include "output/run_result.h"

#include "api/layers.h"

#include <mpi.h>

struct ckpt_writer;
struct engine;

/* One run, as plan.c makes it from the configuration (plan_runs) and
 * checks it (plan_check_ranks, plan_check_nodes, plan_check_memory). */
struct run_plan {
    int index;          /* run number, from 0 */
    unsigned long seed; /* [experiment] seed + repeat index */
    int nodes;          /* node count; 0 = one node per rank */
    const struct config *cfg;
    const struct algorithm *layers[RUNTIME_MAX_LAYERS];
    int nlayers;
    char algorithm[128];         /* "bully+berkeley" */
    const struct engine *engine; /* [experiment] time's (engine/engines.h) */
    /* Rank 0 only, set by the caller before runtime_run (ignored elsewhere): */
    struct ckpt_writer *writer; /* keeps the run's checkpoints ([experiment]
                                 * checkpoint) in the result file
                                 * (output/ckpt_writer.h); NULL: none */
    /* Every progress_every seconds of wall time (0: never), the line
     * "clocklab: LABEL: reference time T s of D s" on stderr (real time: at
     * the first pass of the event loop after each multiple; virtual time:
     * after the window that crosses it), LABEL = progress_label (e.g. "run
     * 2/6 berkeley"). The check costs the loop one comparison of a time it
     * reads anyway (real time) or one MPI_Wtime per window (virtual time). */
    double progress_every;
    char progress_label[160];
};

/* Collective: set up and configure the first node of each rank without
 * running it (input checks that need the node count; the other nodes' set-up
 * would check nothing more, since configure decides the same on every node,
 * and would cost their memory). Returns 0 on every rank, or -1 on every rank
 * with the first failing rank's message. */
int runtime_check(MPI_Comm comm, const struct run_plan *plan, char *err, size_t errlen);

/* Collective: run plan to its end and fill *result on rank 0 (attributes and
 * arrays; the caller names the run and writes it). status is set to
 * "complete", "interrupted" (a stop request) or "failed" (no end within
 * [experiment] timeout). Returns 0, or -1 with a message (same on all ranks). */
int runtime_run(MPI_Comm comm, const struct run_plan *plan, struct run_result *result, char *err,
                size_t errlen);

/* Async-signal-safe: ask the current run to stop (SIGTERM, SIGINT). */
void runtime_request_stop(int signo);
/* The signal that asked to stop, or 0. */
int runtime_stop_signal(void);

#endif
