/* See hwclock.h. */
#include "runtime/hwclock.h"

#include "runtime/node_state.h"
#include "runtime/reftime.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define BRACKETS 16 /* back-to-back readings of H between two of CLOCK_MONOTONIC */

/* Whether [clock] key still has its default value (the same distribution). */
static int at_default(const struct config *cfg, const char *key) {
    const struct param *p = config_param(config_section(cfg, "clock"), key);
    struct dist given, dflt;
    char why[CONFIG_ERR_LEN];
    config_dist(cfg, "clock", key, &given);
    if (!p || dist_parse(p->default_value, p->dist_unit, &dflt, why, sizeof why)) return 0;
    if (given.kind != dflt.kind || given.a != dflt.a || given.b != dflt.b ||
        given.nvalues != dflt.nvalues)
        return 0;
    for (int i = 0; i < given.nvalues; i++)
        if (given.values[i] != dflt.values[i]) return 0;
    return 1;
}

int hwclock_setup(struct node_state *ns, const struct config *cfg, char *err, size_t n) {
    if (strcmp(config_get(cfg, "clock", "source"), "hardware") != 0) return 0;
    if (!ns->rt->engine->paced)
        return config_fail(cfg, "clock", "source", err, n,
                           "hardware clocks run in real time ([experiment] time = real)");
    static const char *const simulated_only[] = {"offset", "drift"};
    for (size_t i = 0; i < 2; i++)
        if (!at_default(cfg, simulated_only[i]))
            return config_fail(cfg, "clock", simulated_only[i], err, n,
                               "not used with source = hardware (each process's clock has its "
                               "own); leave it out");
    ns->hw = calloc(1, sizeof *ns->hw);
    if (!ns->hw) {
        snprintf(err, n, "out of memory");
        return -1;
    }
    ns->hw->kind =
        strcmp(config_get(cfg, "clock", "hardware"), "mpi_wtime") == 0 ? HW_MPI_WTIME : HW_REALTIME;
    ns->hw->raw_offset = NAN;
    clock_init(&ns->hw->corr, 0.0, 0.0, config_time(cfg, "clock", "granularity"));
    ns->summary.initial_offset = ns->summary.drift = NAN;
    return 0;
}

void hwclock_free(struct node_state *ns) {
    if (!ns->hw) return;
    clock_free(&ns->hw->corr);
    free(ns->hw);
    ns->hw = NULL;
}

double hwclock_raw(const struct hw_clock *hw) {
    if (hw->kind == HW_MPI_WTIME) return MPI_Wtime();
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (double)((long long)ts.tv_sec - hw->epoch) + 1e-9 * (double)ts.tv_nsec;
}

void hwclock_start(struct runtime *rt) {
    if (rt->count == 0 || !rt->local[0].hw) return;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    long long epoch = (long long)ts.tv_sec;
    MPI_Bcast(&epoch, 1, MPI_LONG_LONG, 0, rt->comm);
    char host[MPI_MAX_PROCESSOR_NAME] = {0}, root[MPI_MAX_PROCESSOR_NAME] = {0};
    int len = 0;
    MPI_Get_processor_name(host, &len);
    memcpy(root, host, sizeof root);
    MPI_Bcast(root, MPI_MAX_PROCESSOR_NAME, MPI_CHAR, 0, rt->comm);
    for (int k = 0; k < rt->count; k++) {
        struct node_state *ns = &rt->local[k];
        struct hw_clock *hw = ns->hw;
        hw->epoch = epoch;
        hw->same_host = strcmp(root, host) == 0;
        /* H - CLOCK_MONOTONIC from the narrowest bracket m1 <= H <= m2. */
        double best = INFINITY, hm = NAN;
        for (int b = 0; b < BRACKETS; b++) {
            double m1 = reftime_monotonic(), h = hwclock_raw(hw), m2 = reftime_monotonic();
            if (m2 - m1 < best) {
                best = m2 - m1;
                hm = h - 0.5 * (m1 + m2);
            }
        }
        hw->h0 = hwclock_raw(hw);
        hw->corr.theta = hw->h0;
        if (hw->same_host) hw->raw_offset = hm + rt->t0; /* H - (CLOCK_MONOTONIC - t0) */
        ns->summary.initial_offset = hw->raw_offset;
        ns->summary.drift = hw->same_host ? 0.0 : NAN;
    }
}
