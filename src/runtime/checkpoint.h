/* Checkpoints of the running run (checkpoint.c). */
#ifndef CLOCKLAB_CHECKPOINT_H
#define CLOCKLAB_CHECKPOINT_H

#include "runtime/node_state.h"

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

#endif
