/* The floor under real-time timing on this machine: how late can a timer
 * be when nothing but the timer runs? One process per CPU, each firing
 * `timers` timers every `period` s for `seconds` s, paced as clocklab's
 * real-time engine paces them (sleep until 1 ms before the deadline with a
 * 1-ns timer slack, poll the rest of the way; real_engine.c), and at each
 * timer touching `touch` KiB of its own memory, as a handler would. Prints
 * the lateness (fire time - deadline) over all timers: p50, p99, max (us).
 * No MPI, no event queue, no algorithm: what is left is the machine's.
 * Usage: timer_floor [period_s timers seconds touch_kib procs] */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static int cmp(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

int main(int argc, char **argv) {
    double period = argc > 1 ? atof(argv[1]) : 0.1, seconds = argc > 3 ? atof(argv[3]) : 2;
    int timers = argc > 2 ? atoi(argv[2]) : 4, touch = argc > 4 ? atoi(argv[4]) : 64;
    long procs = argc > 5 ? atol(argv[5]) : sysconf(_SC_NPROCESSORS_ONLN);
    int rounds = (int)(seconds / period);
    size_t n = (size_t)rounds * (size_t)timers;
    int fds[64][2];
    if (procs > 64) procs = 64;
    double start = now() + 0.05;
    for (long p = 0; p < procs; p++) {
        if (pipe(fds[p])) return 1;
        if (fork() == 0) {
            prctl(PR_SET_TIMERSLACK, 1UL, 0UL, 0UL, 0UL);
            double *late = malloc(n * sizeof *late);
            char *mem = malloc((size_t)touch * 1024 + 1);
            if (!late || !mem) _exit(1);
            size_t k = 0;
            for (int r = 1; r <= rounds; r++) {
                double due = start + r * period;
                double left = due - 1e-3 - now();
                if (left > 0) {
                    struct timespec ts = {(time_t)left, (long)((left - (time_t)left) * 1e9)};
                    nanosleep(&ts, NULL);
                }
                for (int i = 0; i < timers; i++) {
                    while (now() < due) {
                    }
                    late[k++] = now() - due;
                    memset(mem, r + i, (size_t)touch * 1024);
                }
            }
            if (write(fds[p][1], late, n * sizeof *late) < 0) _exit(1);
            _exit(0);
        }
    }
    double *all = malloc(procs * n * sizeof *all);
    if (!all) return 1;
    for (long p = 0; p < procs; p++) {
        size_t got = 0;
        while (got < n * sizeof *all) {
            ssize_t r = read(fds[p][0], (char *)(all + p * n) + got, n * sizeof *all - got);
            if (r <= 0) return 1;
            got += (size_t)r;
        }
    }
    while (wait(NULL) > 0) {
    }
    size_t m = procs * n;
    qsort(all, m, sizeof *all, cmp);
    printf("timer floor: %ld processes x %d timers every %g s for %g s, %d KiB touched each: "
           "lateness p50 %.1f us, p99 %.1f us, max %.1f us (%zu timers)\n",
           procs, timers, period, seconds, touch, all[m / 2] * 1e6,
           all[(size_t)(0.99 * (double)(m - 1))] * 1e6, all[m - 1] * 1e6, m);
    return 0;
}
