/* Bare MPI ping-pong between ranks 0 and 1: the round-trip time of
 * MPI_Send/MPI_Recv with a message the size of a clocklab request (wire
 * header + payload), for comparison with the runtime's (pingpong.sh).
 * Prints min, median and mean RTT in microseconds. */
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
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    if (size != 2 || iterations < 1) {
        if (rank == 0) fprintf(stderr, "usage: mpirun -n 2 mpi_pingpong [ITERATIONS]\n");
        MPI_Finalize();
        return 2;
    }
    char buf[BYTES] = {0};
    double *rtt = malloc((size_t)iterations * sizeof *rtt);
    for (int i = -WARMUP; i < iterations; i++) {
        if (rank == 0) {
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
        for (int i = 0; i < iterations; i++) sum += rtt[i];
        qsort(rtt, (size_t)iterations, sizeof *rtt, compare);
        printf("bare MPI ping-pong, %d round trips of %d bytes: min %.2f us, median %.2f us, "
               "mean %.2f us\n",
               iterations, BYTES, rtt[0] * 1e6, rtt[iterations / 2] * 1e6,
               sum / iterations * 1e6);
    }
    free(rtt);
    MPI_Finalize();
    return 0;
}
