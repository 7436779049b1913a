/* The independent evaluator of clock synchronization ([evaluation] at):
 * after a run's synchronization ends, at each configured delay, rank 0
 * measures the offset of every other rank's clock from its own, one rank at
 * a time, by `pingpongs` ping-pongs of bare MPI messages, and keeps the
 * exchange with the smallest round-trip time (Cristian 1989; SKaMPI,
 * Reussner et al., EuroPVM/MPI 1998, and mpi-time-sync's
 * check_clock_accuracy measure the same way, and also intersect the
 * exchanges' intervals; estimators.h: struct pingpong). The ranks not being measured sleep
 * (wake.h) instead of polling MPI, so the measured pair has the CPUs. Its
 * error is at most half the round-trip time of that exchange (Cristian
 * 1989), which the simulated clocks, whose true offsets are known, check. */
#ifndef CLOCKLAB_EVALUATOR_H
#define CLOCKLAB_EVALUATOR_H

#include <stddef.h>

#define EVAL_MAX_AT 64         /* delays in one [evaluation] at list */
#define EVAL_MAX_DELAY 86400.0 /* s: the longest delay */

/* Parse [evaluation] at: "none", or a comma list of times (units as
 * parse_time) that are >= 0, at most EVAL_MAX_DELAY and in non-decreasing
 * order, without empty elements. out has room for EVAL_MAX_AT values.
 * Returns 0 with *n values (0 for none), or -1 with a message. */
int evaluation_parse_at(const char *text, double *out, int *n, char *err, size_t errlen);
/* Config validator form (struct param.validate). */
int evaluation_validate_at(const char *text, char *err, size_t errlen);

struct runtime;
struct vec;

/* Collective, after the run's event loop and drain: evaluate every clock at
 * end_time + at[k] (reference time) for k < nat, with `pingpongs` exchanges
 * per rank. Rank 0 appends struct eval_row rows to rows. Returns 1 on rank
 * 0 when a stop signal cut the evaluation short, else 0. */
int evaluator_run(struct runtime *rt, double end_time, const double *at, int nat, int pingpongs,
                  struct vec *rows);

#endif
