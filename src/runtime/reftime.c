#include "runtime/reftime.h"

#include "runtime/mpi_tags.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define PINGS 32

double reftime_monotonic(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

double reftime_host_offset(MPI_Comm comm) {
    static int have = 0;
    static double offset = 0.0;
    if (have) return offset;
    int rank, size, len = 0;
    MPI_Comm_rank(comm, &rank);
    MPI_Comm_size(comm, &size);
    char host[MPI_MAX_PROCESSOR_NAME] = {0}, root[MPI_MAX_PROCESSOR_NAME] = {0};
    MPI_Get_processor_name(host, &len);
    memcpy(root, host, sizeof root);
    MPI_Bcast(root, MPI_MAX_PROCESSOR_NAME, MPI_CHAR, 0, comm);
    int remote = strcmp(root, host) != 0;
    int *flags = rank == 0 ? calloc((size_t)size, sizeof *flags) : NULL;
    MPI_Gather(&remote, 1, MPI_INT, flags, 1, MPI_INT, 0, comm);
    if (rank == 0) {
        for (int r = 1; r < size; r++) {
            if (!flags[r]) continue;
            for (int k = 0; k < PINGS; k++) {
                double t1, t2;
                MPI_Recv(&t1, 1, MPI_DOUBLE, r, TAG_REFTIME, comm, MPI_STATUS_IGNORE);
                t2 = reftime_monotonic();
                MPI_Send(&t2, 1, MPI_DOUBLE, r, TAG_REFTIME, comm);
            }
        }
        free(flags);
    } else if (remote) {
        double best = INFINITY;
        for (int k = 0; k < PINGS; k++) {
            double t1 = reftime_monotonic(), t2;
            MPI_Send(&t1, 1, MPI_DOUBLE, 0, TAG_REFTIME, comm);
            MPI_Recv(&t2, 1, MPI_DOUBLE, 0, TAG_REFTIME, comm, MPI_STATUS_IGNORE);
            double t3 = reftime_monotonic();
            if (t3 - t1 < best) {
                best = t3 - t1;
                offset = t2 - 0.5 * (t1 + t3);
            }
        }
    }
    have = 1;
    return offset;
}
