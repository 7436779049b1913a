/* How well one node's run kept time: the lateness of every delivery
 * (delivery time - due time) and of every timer (fire time - due time), in
 * seconds of reference time, summarized as p50, p99 and max (quantiles as
 * GSL's gsl_stats_quantile_from_sorted_data: linear interpolation between
 * order statistics, Hyndman & Fan 1996 type 7). No MPI. */
#ifndef CLOCKLAB_FIDELITY_H
#define CLOCKLAB_FIDELITY_H

#include "util/vec.h"

#include <stdint.h>

/* fidelity/ of the result file: how well one rank kept time in a run. */
struct fidelity_summary {
    double delivery_p50, delivery_p99, delivery_max; /* s, NaN without deliveries */
    double timer_p50, timer_p99, timer_max;          /* s, NaN without timers */
    uint64_t deliveries, timers;
    double cpu_time; /* s of user + system CPU time of the rank during the run */
};

struct fidelity {
    struct vec delivery, timer; /* lateness samples (double, s) */
};

void fidelity_init(struct fidelity *f);
void fidelity_free(struct fidelity *f);
/* Record one lateness (s). Returns 0 or -1 (no memory). */
int fidelity_delivery(struct fidelity *f, double lateness);
int fidelity_timer(struct fidelity *f, double lateness);
/* Sort the samples and fill *s (cpu_time is left as it is). */
void fidelity_summarize(struct fidelity *f, struct fidelity_summary *s);

/* The lateness above which a run's timing is not to be trusted: 10% of the
 * smallest mean one-way delay of the configured delay model, or 100 us when
 * the model injects no delay (s). */
double fidelity_threshold(double smallest_mean_delay);

#endif
