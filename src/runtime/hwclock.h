/* The hardware clock source ([clock] source = hardware), and the runtime's
 * calls that read and adjust a node's clock whatever its source.
 *
 * With source = hardware a node's clock is its process's own clock, read
 * with clock_gettime(CLOCK_REALTIME) or MPI_Wtime() ([clock] hardware =
 * realtime | mpi_wtime), with no simulated offset or drift. Open MPI 4.1
 * starts each process's MPI_Wtime at its own zero (ranks on one host differ
 * by 0.1-0.9 ms): a real offset to recover. CLOCK_REALTIME is read as seconds
 * since a whole second of rank 0's (so that a double keeps nanoseconds).
 * Steps, slews and linear models are kept in software on top of the reading
 * (a sim_clock whose offset is the reading at the start and which runs on
 * the hardware clock's own time since then), never by setting the system
 * clock.
 *
 * True offsets C - t: on rank 0's host the hardware clock and the reference
 * time (CLOCK_MONOTONIC) are read from one kernel clock, so H - t is constant
 * (unless the system clock is stepped during the run) and measured once at
 * the start by reading both back to back (the closest of 16 brackets, within
 * half its width, some 10-20 ns). On other hosts it is not known (NaN). */
#ifndef CLOCKLAB_HWCLOCK_H
#define CLOCKLAB_HWCLOCK_H

#include "../config/config.h"
#include "clock.h"

enum hw_kind { HW_REALTIME, HW_MPI_WTIME };

struct hw_clock {
    enum hw_kind kind;
    long long epoch;       /* CLOCK_REALTIME seconds subtracted from readings */
    double h0;             /* raw reading at the start (s) */
    struct sim_clock corr; /* the software corrections, keyed by H - h0 */
    int same_host;         /* on rank 0's host: H - t is known */
    double raw_offset;     /* H - t (s), NaN when not known */
};

struct runtime;
struct node_state;

/* Read [clock] source and hardware for node ns: with source = hardware,
 * allocate ns->hw (its corrections with [clock] granularity) and leave its
 * nodes/initial_offset and drift NaN until hwclock_start. Hardware clocks
 * run in real time only, and [clock] offset and drift keep their defaults
 * (a hardware clock has its own). Returns 0, or -1 with a message naming the
 * file, line and key. */
int hwclock_setup(struct node_state *ns, const struct config *cfg, char *err, size_t errlen);
/* Collective, once rt->t0 is known, when the run's nodes have hardware
 * clocks (every rank alike): agree on the epoch, read h0 and measure H - t;
 * nodes/initial_offset gets H - t, nodes/drift 0 (NaN for both off rank 0's
 * host). */
void hwclock_start(struct runtime *rt);
void hwclock_free(struct node_state *ns);

/* The hardware clock's raw reading H (s). */
double hwclock_raw(const struct hw_clock *hw);

/* The node's clock reading now (s), with [clock] jitter added; *true_offset
 * (may be NULL) gets C - t at that moment without jitter (NaN if unknown). */
double rt_clock_read(struct node_state *ns, double *true_offset);
/* The same in two steps, so that a measurement takes the sample first and
 * does the arithmetic later: the raw sample now (the hardware reading H, or
 * reference time t), then the reading (with jitter) and the true offset that
 * belong to a sample. */
double rt_clock_sample(struct node_state *ns);
double rt_clock_reading(struct node_state *ns, double sample);
double rt_sample_truth(const struct node_state *ns, double sample);
/* The reading without jitter at reference time t, which is now (for events/). */
double rt_clock_exact(struct node_state *ns, double t);
/* True offset C - t at reference time t (s; NaN where unknown). */
double rt_true_offset(const struct node_state *ns, double t);
/* Step (span 0) or slew the clock by delta now (reference time t). */
void rt_clock_adjust(struct node_state *ns, double t, double delta, double span);
/* Correct the clock with a linear model now (clock_set_model). */
void rt_clock_set_model(struct node_state *ns, double t, double intercept, double slope);

#endif
