/* The independent evaluator of clock synchronization ([evaluation] at):
 * after a real-time run's synchronization ends, at each configured delay,
 * rank 0 measures the offset of every other rank's clock from its own, one
 * rank at a time, by `pingpongs` ping-pongs, and keeps the exchange with the
 * smallest round-trip time (Cristian 1989; SKaMPI, Reussner et al.,
 * EuroPVM/MPI 1998, and mpi-time-sync's check_clock_accuracy measure the
 * same way, and also intersect the exchanges' intervals; estimators.h:
 * struct pingpong). Its error is at most half the round-trip time of that
 * exchange, which the simulated clocks, whose true offsets are known, check.
 *
 * The ranks not being measured sleep (wake.h); the measured rank moves off
 * rank 0's CPU for its turn; on one host the ping-pongs go through shared
 * memory, across hosts through MPI messages (evaluator.c says why). */
#ifndef CLOCKLAB_EVALUATOR_H
#define CLOCKLAB_EVALUATOR_H

#include <stddef.h>

#include "model/eval_at.h"

struct config;
struct runtime;
struct vec;

/* [evaluation] at needs real time (it measures clocks by ping-pong). Returns
 * 0, or -1 with a message naming the key. */
int evaluator_check(const struct config *cfg, int virtual_time, char *err, size_t errlen);

/* Collective, after a real-time run's event loop and drain: evaluate every
 * node's clock (node i = rank i) at end_time + each delay of [evaluation] at
 * (reference time), with [evaluation] pingpongs exchanges per rank. Rank 0
 * appends struct eval_row rows to rows. Returns 1 on rank 0 when a stop
 * signal cut the evaluation short, else 0. */
int evaluator_run(struct runtime *rt, const struct config *cfg, double end_time, struct vec *rows);

#endif
