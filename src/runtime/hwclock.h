/* The hardware clock source ([clock] source = hardware); rt_clock.h reads
 * and adjusts a node's clock whatever its source.
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

#include "config/config.h"
#include "model/clock.h"

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

#endif
