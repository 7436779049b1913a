/* Checkpoints of the running run (checkpoint.c). */
#ifndef CLOCKLAB_CHECKPOINT_H
#define CLOCKLAB_CHECKPOINT_H

#include "runtime/node_state.h"

/* checkpoint.c: at every [experiment] checkpoint (of reference time in real
 * time, of wall time in virtual time), each rank sends what its nodes
 * recorded since the previous one to rank 0, whose writer thread keeps the
 * run so far in the result file (ckpt_writer.h). */
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
/* Virtual time, rank 0 (once per window): whether `checkpoint` of wall time,
 * and 50 times what the last one took, have passed since the last one, so
 * that the ranks take one (rt->ck.allowed). */
int ckpt_vote(struct runtime *rt);
/* Virtual time, every rank at once: between windows when rt->ck.allowed,
 * with until the earliest pending event of all ranks, or on one rank at
 * the first event at or after rt->ck.next, with until its time (every event
 * before until processed, none at or after it). Takes the increment of the
 * run up to until and brings every rank's to rank 0's writer (blocking,
 * once per `checkpoint` of wall time at most). */
void ckpt_window(struct runtime *rt, double until);
/* Virtual time on one rank, inside a window, every few thousand events:
 * when a checkpoint is due, have one taken at the next instant after
 * last_event, the time of the last event processed (sets rt->ck.next). */
void ckpt_within(struct runtime *rt, double last_event);
/* Collective, after the run's event loop: receive or complete everything
 * under way and stop the writer (rank 0). */
void ckpt_finish(struct runtime *rt);

#endif
