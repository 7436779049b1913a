/* How well can two CPUs of this machine compare their clocks at all? The
 * floor under any measurement of offsets between ranks on different CPUs.
 *
 * 1. Two threads pinned to CPUs A and B ping-pong through one shared cache
 *    line (a sequence number each way), each reading CLOCK_MONOTONIC, the
 *    thread on B answering with its reading: the offset of B's clock from
 *    A's by the min-RTT exchange (Cristian 1989), within RTT/2.
 * 2. The narrowest bracket CLOCK_MONOTONIC <= CLOCK_REALTIME <=
 *    CLOCK_MONOTONIC of many on one CPU: how well a hardware clock's H - t
 *    can be read (hwclock.c takes the narrowest of 16).
 *
 *   build/cpu_clocks [A B [EXCHANGES]]     (defaults 0 1 20000)
 */
#define _GNU_SOURCE /* sched_setaffinity, CPU_SET */
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static _Atomic unsigned ping, pong;
static double reply;
static int exchanges = 20000, cpu_b = 1;

static double now(clockid_t id) {
    struct timespec ts;
    clock_gettime(id, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int pin(int cpu) {
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    return sched_setaffinity(0, sizeof set, &set);
}

static void *answer(void *arg) {
    (void)arg;
    pin(cpu_b);
    for (unsigned k = 1; k <= (unsigned)exchanges; k++) {
        while (atomic_load_explicit(&ping, memory_order_acquire) != k)
            ;
        reply = now(CLOCK_MONOTONIC);
        atomic_store_explicit(&pong, k, memory_order_release);
    }
    return NULL;
}

int main(int argc, char **argv) {
    int cpu_a = argc > 2 ? atoi(argv[1]) : 0;
    cpu_b = argc > 2 ? atoi(argv[2]) : 1;
    if (argc > 3) exchanges = atoi(argv[3]);
    if (exchanges < 1 || pin(cpu_a) != 0) {
        fprintf(stderr,
                "usage: cpu_clocks [CPU_A CPU_B [EXCHANGES]] (CPUs this process may use)\n");
        return 2;
    }
    pthread_t thread;
    pthread_create(&thread, NULL, answer, NULL);
    double best = 1e9, offset = 0;
    for (unsigned k = 1; k <= (unsigned)exchanges; k++) {
        double s1 = now(CLOCK_MONOTONIC);
        atomic_store_explicit(&ping, k, memory_order_release);
        while (atomic_load_explicit(&pong, memory_order_acquire) != k)
            ;
        double s2 = now(CLOCK_MONOTONIC);
        if (s2 - s1 < best) {
            best = s2 - s1;
            offset = reply - 0.5 * (s1 + s2);
        }
    }
    pthread_join(thread, NULL);
    printf(
        "CPU %d -> CPU %d: min RTT %.0f ns, offset of CPU %d's clock %+.1f ns (within %.0f ns)\n",
        cpu_a, cpu_b, best * 1e9, cpu_b, offset * 1e9, best * 0.5e9);
    double narrowest = 1e9;
    for (int k = 0; k < exchanges; k++) {
        double m1 = now(CLOCK_MONOTONIC);
        now(CLOCK_REALTIME);
        double m2 = now(CLOCK_MONOTONIC);
        if (m2 - m1 < narrowest) narrowest = m2 - m1;
    }
    printf("narrowest CLOCK_MONOTONIC bracket of CLOCK_REALTIME on CPU %d: %.0f ns (H - t "
           "within %.0f ns)\n",
           cpu_a, narrowest * 1e9, narrowest * 0.5e9);
    return 0;
}
