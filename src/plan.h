/* Planning the runs of a configuration, and the checks that need the node
 * count or the machine: every one of them runs before anything runs, on
 * every rank alike, and fails with one message naming the key. No MPI. */
#ifndef CLOCKLAB_PLAN_H
#define CLOCKLAB_PLAN_H

#include "config/config.h"
#include "runtime/runtime.h"

#include <stddef.h>

#define PLAN_MAX_RUNS 100000

/* The schema of a configuration: the core sections, then one section per
 * algorithm of the registry (NULL-terminated, static). */
const struct section_schema *const *plan_schema(void);

/* Split [experiment] algorithm (a comma list of stacks "a+b") into run plans,
 * algorithms x repeat, with seeds seed, seed+1, ... for each algorithm. Names
 * must be known, a stack holds each algorithm once and at most
 * RUNTIME_MAX_LAYERS of them, the seeds must stay in [experiment] seed's
 * range, there are at most PLAN_MAX_RUNS runs and every [faults] crash and
 * recovery time comes before the run's end ([experiment] duration, or
 * timeout with duration 0); a key given (file or
 * --set) in the section of an algorithm that no run uses is an error naming
 * it. *plans is malloc'd.
 * Returns 0, or -1 with a message naming the key. */
int plan_runs(const struct config *cfg, struct run_plan **plans, int *nplans, char *err,
              size_t errlen);

/* Checks of one run on `nodes` nodes: every algorithm of the stack has its
 * smallest node count (struct algorithm min_nodes), crash events name
 * existing nodes, and coordinator@ only where an algorithm of the run
 * elects or names a coordinator; initiators exist; one label per node.
 * (The algorithms' own node rules, such as [berkeley] master naming a node,
 * are checked by their configure: runtime_check.) Returns 0, or -1 with a
 * message naming the key. */
int plan_check_nodes(const struct run_plan *plan, int nodes, char *err, size_t errlen);

/* Checks of one run on `ranks` MPI ranks: at least one node per rank in
 * either engine, and the engine's own rules (engine_check_ranks: in
 * virtual time on several ranks a smallest one-way delay > 0, the lookahead
 * of the conservative synchronization, vengine.c).
 * --check without mpirun leaves these out. Returns 0, or -1 with a message
 * naming the key. */
int plan_check_ranks(const struct run_plan *plan, int ranks, char *err, size_t errlen);

/* Every check of the runs before anything runs: once per distinct
 * (algorithm, node count) in a row plan_check_ranks (when check_ranks),
 * plan_check_nodes and plan_check_memory; then, per algorithm stack,
 * configure (the algorithms' own checks, e.g. runtime_check; the caller's,
 * since it is collective) at the stack's smallest and largest node count
 * only (struct algorithm configure: its node rules hold for every larger
 * count once they hold for one). A plan's node count is its nodes, or the
 * rank count. The checks' cost does not grow with the number of node
 * counts times their size. Returns 0, or -1 with the first message. */
int plan_check_runs(const struct run_plan *plans, int nplans, int ranks, double phys_bytes,
                    int check_ranks,
                    int (*configure)(const struct run_plan *plan, char *err, size_t errlen),
                    char *err, size_t errlen);

/* What a run records that grows with its length and node count. */
struct plan_size {
    double samples;            /* clock/offset rows (each of `nodes` values) */
    double events;             /* events/table rows, algorithms' own and traced */
    double traced;             /* of which from trace = on */
    double rounds;             /* clock/rounds rows */
    double requests, sections; /* requests/ rows (requests), mutex/sections rows */
    double bytes;              /* the recording's size */
    double timing;             /* the lateness of every delivery and timer, kept by the
                                  ranks for fidelity/ (bytes) */
    double copies;             /* copies of the recording held at once: the ranks' parts
                                  and rank 0's gathered copy; with checkpoints on, also
                                  rank 0's copy of the run so far while it writes one */
    double state;              /* the nodes' own state (bytes): PLAN_NODE_BYTES a node, and
                                  with reliable channels PLAN_CHANNEL_BYTES for each end of
                                  a channel that carries a message */
    double memory;             /* memory it takes: the recording `copies` times, the timing and the
                                  nodes' state */
    /* The algorithm key behind most of the algorithms' own records, or NULL. */
    const char *section, *key;
};

/* Memory of one node apart from its recording (bytes): its struct
 * node_state (runtime/node_state.h) and an allowance for what a node
 * allocates besides (random streams, its FIFO table, its algorithm's state,
 * its share of the event queue and message buffers, its gathered summary):
 * valgrind's massif measured 2.45 KB a node at the peak of a 20,000-node
 * ring election in virtual time, its recorded rows included. */
#define PLAN_NODE_BYTES 2048.0

/* Bytes of one end of one channel of the reliable channel ([network]
 * reliable = on; runtime/reliable.c): its state (88 bytes sending, 40
 * receiving: 64 an end), in an array that grows by doubling (up to twice
 * that), and its index kept at most half full (up to 4 slots of 8 bytes);
 * the messages it holds are counted with the message buffers. */
#define PLAN_CHANNEL_BYTES 160.0

/* Predict the recording of a run on `nodes` nodes from its configuration:
 * [experiment] duration (or timeout for duration 0), [clock]
 * sample_interval, trace and each algorithm's estimate. */
void plan_size(const struct run_plan *plan, int nodes, struct plan_size *out);

/* Refuse a run whose predicted memory exceeds [experiment] max_memory
 * ("auto": half of phys_bytes, the physical memory of rank 0's host).
 * Returns 0, or -1 with a message naming the key that makes it large. */
int plan_check_memory(const struct run_plan *plan, int nodes, double phys_bytes, char *err,
                      size_t errlen);

/* The resolved configuration that reproduces one run (malloc'd INI text,
 * NULL when out of memory): the core sections and those of the run's
 * algorithms, with the run's algorithm, its seed and repeat = 1. */
char *plan_resolved_config(const struct run_plan *plan);

#endif
