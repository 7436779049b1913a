/* The simulated clock of one node.
 *
 *   C(t) = t + theta + rho * 1e-6 * t + (adjustments applied up to t)
 *
 * t is reference time in seconds, theta the initial offset (s), rho the drift
 * in ppm. An adjustment is a step (applied at once) or a slew (applied
 * linearly over a span, like adjtime(3)). A new adjustment cancels the part of
 * a slew still in progress, as adjtime does, so that relative corrections
 * computed from the current reading are not applied twice. The history of
 * adjustments is kept so the true offset C(t) - t can be evaluated exactly at
 * any earlier time (clock/offset samples). Pure C, no MPI. */
#ifndef CLOCKLAB_CLOCK_H
#define CLOCKLAB_CLOCK_H

#include <stddef.h>

struct clock_adjustment {
    double t;     /* reference time the adjustment started (s) */
    double delta; /* total change of the clock (s) */
    double span;  /* 0 for a step, else the slew duration (s) */
};

/* A linear correction in effect from reference time t on: a reading R is
 * shown as R - (intercept + slope * R) (the composition of every model set
 * so far). */
struct clock_model {
    double t, intercept, slope;
};

struct sim_clock {
    double theta;       /* initial offset (s) */
    double drift_ppm;   /* rate error (ppm) */
    double granularity; /* reading resolution (s), 0 = exact */
    struct clock_adjustment *hist;
    size_t n, cap;
    double settled; /* sum of the deltas of hist[0..n-2], all fully applied */
    struct clock_model *models;
    size_t nmodels, capmodels;
};

/* Start a clock with offset theta (s) and drift (ppm). */
void clock_init(struct sim_clock *c, double theta, double drift_ppm, double granularity);
void clock_free(struct sim_clock *c);

/* True offset C(t) - t in seconds at reference time t (any t >= 0). */
double clock_offset(const struct sim_clock *c, double t);

/* The clock reading C(t) as a node sees it: t + offset, rounded down to the
 * granularity when one is set. */
double clock_read(const struct sim_clock *c, double t);

/* Correct the clock from time t on (t not earlier than the last model) with
 * a linear model of its offset from a reference clock, as the clock sync of
 * Jones & Koenig (J. Supercomputing 2013) and Hunold & Carpen-Amarie (IEEE
 * Cluster 2018) do: a reading L becomes L - (intercept + slope * L), with
 * intercept in seconds and slope in seconds per second. A later model
 * corrects the already corrected readings (the two compose into one linear
 * model); a later step or slew of delta changes the corrected reading by
 * delta. Returns 0, or -1 on no memory. */
int clock_set_model(struct sim_clock *c, double t, double intercept, double slope);

/* Step the clock by delta seconds at time t (t not earlier than the last
 * adjustment). Cancels what remains of a slew. Returns 0, or -1 on no memory. */
int clock_step(struct sim_clock *c, double t, double delta);

/* Fastest slew: the clock runs at most 50% fast or slow while slewing. */
#define CLOCK_MAX_SLEW 0.5

/* Slew the clock by delta seconds, linearly over span seconds from t, but
 * over at least |delta| / CLOCK_MAX_SLEW so that the clock stays monotonic.
 * span <= 0 is a step. Returns 0, or -1 on no memory. */
int clock_slew(struct sim_clock *c, double t, double delta, double span);

#endif
