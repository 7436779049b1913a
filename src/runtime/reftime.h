/* Reference time common to all ranks. On one host every process reads the
 * same CLOCK_MONOTONIC. Ranks on another host than rank 0 estimate their
 * monotonic clock's offset from rank 0's by a min-RTT ping-pong (Cristian's
 * method, error <= RTT/2), once per program. */
#ifndef CLOCKLAB_REFTIME_H
#define CLOCKLAB_REFTIME_H

#include <mpi.h>

/* CLOCK_MONOTONIC in seconds. */
double reftime_monotonic(void);

/* Collective: offset (s) to add to this rank's reftime_monotonic() to get
 * rank 0's; 0 on rank 0's host. Computed on the first call, cached after. */
double reftime_host_offset(MPI_Comm comm);

#endif
