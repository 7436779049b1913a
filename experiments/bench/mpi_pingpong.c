/* Bare MPI ping-pong between ranks 0 and 1: the round-trip time of
 * MPI_Send/MPI_Recv with a message the size of a clocklab request (wire
 * header + payload), for comparison with the runtime's (pingpong.sh).
 * With a GAP (s), rank 0 waits that long between round trips, spinning on
 * MPI_Wtime while rank 1 spins in MPI_Recv: the RTT of readings spaced as a
 * clock sync spaces them, on a path that neither process left (fidelity.sh).
 * Prints min, median, p90 and mean RTT in microseconds.
 * Usage: mpirun -n 2 mpi_pingpong [ITERATIONS [GAP]] */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>

#define WARMUP 1000
#define BYTES 32

static int compare(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv) {
    MPI_Init(&argc, &argv);
    int rank, size, iterations = argc > 1 ? atoi(argv[1]) : 20000;
    double gap = argc > 2 ? atof(argv[2]) : 0;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    if (size != 2 || iterations < 1) {
        if (rank == 0) fprintf(stderr, "usage: mpirun -n 2 mpi_pingpong [ITERATIONS [GAP]]\n");
        MPI_Finalize();
        return 2;
    }
    char buf[BYTES] = {0};
    double *rtt = malloc((size_t)iterations * sizeof *rtt);
    for (int i = -WARMUP; i < iterations; i++) {
        if (rank == 0) {
            if (gap > 0 && i >= 0)
                for (double w = MPI_Wtime(); MPI_Wtime() - w < gap;) {
                }
            double t0 = MPI_Wtime();
            MPI_Send(buf, BYTES, MPI_BYTE, 1, 0, MPI_COMM_WORLD);
            MPI_Recv(buf, BYTES, MPI_BYTE, 1, 0, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
            if (i >= 0) rtt[i] = MPI_Wtime() - t0;
        } else {
            MPI_Recv(buf, BYTES, MPI_BYTE, 0, 0, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
            MPI_Send(buf, BYTES, MPI_BYTE, 0, 0, MPI_COMM_WORLD);
        }
    }
    if (rank == 0) {
        double sum = 0;
        for (int i = 0; i < iterations; i++)
            sum += rtt[i];
        qsort(rtt, (size_t)iterations, sizeof *rtt, compare);
        printf("bare MPI ping-pong, %d round trips of %d bytes%s: min %.2f us, median %.2f us, "
               "p90 %.2f us, mean %.2f us\n",
               iterations, BYTES, gap > 0 ? " spaced by the gap" : "", rtt[0] * 1e6,
               rtt[iterations / 2] * 1e6, rtt[(int)(0.9 * (iterations - 1))] * 1e6,
               sum / iterations * 1e6);
        if (gap > 0) printf("(gap %g s)\n", gap);
    }
    free(rtt);
    MPI_Finalize();
    return 0;
}
