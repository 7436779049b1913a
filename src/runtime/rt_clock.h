/* A node's clock as the runtime reads and adjusts it, whatever its source:
 * the simulated clock (model/clock.h) at reference time, or the hardware
 * clock with its software corrections (hwclock.h). */
#ifndef CLOCKLAB_RT_CLOCK_H
#define CLOCKLAB_RT_CLOCK_H

struct node_state;

/* The node's clock reading now (s), with [clock] jitter added; *true_offset
 * (may be NULL) gets C - t at that moment without jitter (NaN if unknown). */
double rt_clock_read(struct node_state *ns, double *true_offset);
/* The same in two steps, so that a measurement takes the sample first and
 * does the arithmetic later: the raw sample now (the hardware reading H, or
 * reference time t), then the reading (with jitter) and the true offset that
 * belong to a sample. */
double rt_clock_sample(struct node_state *ns);
double rt_clock_reading(struct node_state *ns, double sample);
double rt_clock_sample_truth(const struct node_state *ns, double sample);
/* The reading without jitter at reference time t, which is now (for events/). */
double rt_clock_exact(struct node_state *ns, double t);
/* True offset C - t at reference time t (s; NaN where unknown). */
double rt_clock_true_offset(const struct node_state *ns, double t);
/* Step (span 0) or slew the clock by delta now (reference time t). */
void rt_clock_adjust(struct node_state *ns, double t, double delta, double span);
/* Correct the clock with a linear model now (clock_set_model). */
void rt_clock_set_model(struct node_state *ns, double t, double intercept, double slope);

#endif
