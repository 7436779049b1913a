/* See hwclock.h. */
#include "hwclock.h"

#include "reftime.h"
#include "runtime_internal.h"

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

int hwclock_setup(struct runtime *rt, const struct config *cfg, char *err, size_t n) {
    if (strcmp(config_get(cfg, "clock", "source"), "hardware") != 0) return 0;
    static const char *const simulated_only[] = {"offset", "drift"};
    for (size_t i = 0; i < 2; i++)
        if (!at_default(cfg, simulated_only[i])) {
            snprintf(err, n,
                     "%s: [clock] %s: not used with source = hardware (each process's clock has "
                     "its own); leave it out",
                     config_origin(cfg, "clock", simulated_only[i]), simulated_only[i]);
            return -1;
        }
    rt->hw = calloc(1, sizeof *rt->hw);
    if (!rt->hw) {
        snprintf(err, n, "out of memory");
        return -1;
    }
    rt->hw->kind =
        strcmp(config_get(cfg, "clock", "hardware"), "mpi_wtime") == 0 ? HW_MPI_WTIME : HW_REALTIME;
    rt->hw->raw_offset = NAN;
    clock_init(&rt->hw->corr, 0.0, 0.0, config_time(cfg, "clock", "granularity"));
    rt->summary.initial_offset = rt->summary.drift = NAN;
    return 0;
}

void hwclock_free(struct runtime *rt) {
    if (!rt->hw) return;
    clock_free(&rt->hw->corr);
    free(rt->hw);
    rt->hw = NULL;
}

double hwclock_raw(const struct hw_clock *hw) {
    if (hw->kind == HW_MPI_WTIME) return MPI_Wtime();
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (double)((long long)ts.tv_sec - hw->epoch) + 1e-9 * (double)ts.tv_nsec;
}

void hwclock_start(struct runtime *rt) {
    struct hw_clock *hw = rt->hw;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    long long epoch = (long long)ts.tv_sec;
    MPI_Bcast(&epoch, 1, MPI_LONG_LONG, 0, rt->comm);
    hw->epoch = epoch;
    char host[MPI_MAX_PROCESSOR_NAME] = {0}, root[MPI_MAX_PROCESSOR_NAME] = {0};
    int len = 0;
    MPI_Get_processor_name(host, &len);
    memcpy(root, host, sizeof root);
    MPI_Bcast(root, MPI_MAX_PROCESSOR_NAME, MPI_CHAR, 0, rt->comm);
    hw->same_host = strcmp(root, host) == 0;
    /* H - CLOCK_MONOTONIC from the narrowest bracket m1 <= H <= m2. */
    double best = INFINITY, hm = NAN;
    for (int k = 0; k < BRACKETS; k++) {
        double m1 = reftime_monotonic(), h = hwclock_raw(hw), m2 = reftime_monotonic();
        if (m2 - m1 < best) {
            best = m2 - m1;
            hm = h - 0.5 * (m1 + m2);
        }
    }
    hw->h0 = hwclock_raw(hw);
    hw->corr.theta = hw->h0;
    if (hw->same_host) hw->raw_offset = hm + rt->t0; /* H - (CLOCK_MONOTONIC - t0) */
    rt->summary.initial_offset = hw->raw_offset;
    rt->summary.drift = hw->same_host ? 0.0 : NAN;
}

/* The corrections at hardware time u = H - h0: corrected reading minus H. */
static double correction(const struct hw_clock *hw, double u) {
    return clock_offset(&hw->corr, u) - hw->h0;
}

double rt_clock_sample(struct runtime *rt) {
    return rt->hw ? hwclock_raw(rt->hw) : rt_clock_now(rt);
}

double rt_clock_reading(struct runtime *rt, double sample) {
    double v =
        rt->hw ? clock_read(&rt->hw->corr, sample - rt->hw->h0) : clock_read(&rt->clock, sample);
    if (!rt->zero_jitter) v += dist_sample(&rt->jitter, rt->jitter_rng, rt->rank);
    return v;
}

double rt_sample_truth(const struct runtime *rt, double sample) {
    if (!rt->hw) return clock_offset(&rt->clock, sample);
    return rt->hw->raw_offset + correction(rt->hw, sample - rt->hw->h0);
}

double rt_clock_read(struct runtime *rt, double *true_offset) {
    double sample = rt_clock_sample(rt);
    double v = rt_clock_reading(rt, sample);
    if (true_offset) *true_offset = rt_sample_truth(rt, sample);
    return v;
}

double rt_clock_exact(struct runtime *rt, double t) {
    if (!rt->hw) return clock_read(&rt->clock, t);
    return clock_read(&rt->hw->corr, hwclock_raw(rt->hw) - rt->hw->h0);
}

double rt_true_offset(const struct runtime *rt, double t) {
    if (!rt->hw) return clock_offset(&rt->clock, t);
    const struct hw_clock *hw = rt->hw;
    /* H(t) = t + raw_offset on rank 0's host; NaN propagates elsewhere. */
    return hw->raw_offset + correction(hw, t + hw->raw_offset - hw->h0);
}

/* The key of an adjustment made now: reference time, or hardware time. */
static double adjustment_time(const struct runtime *rt, double t) {
    return rt->hw ? hwclock_raw(rt->hw) - rt->hw->h0 : t;
}

void rt_clock_adjust(struct runtime *rt, double t, double delta, double span) {
    struct sim_clock *c = rt->hw ? &rt->hw->corr : &rt->clock;
    if (clock_slew(c, adjustment_time(rt, t), delta, span)) rt_out_of_memory();
}

void rt_clock_set_model(struct runtime *rt, double t, double intercept, double slope) {
    struct sim_clock *c = rt->hw ? &rt->hw->corr : &rt->clock;
    if (clock_set_model(c, adjustment_time(rt, t), intercept, slope)) rt_out_of_memory();
}
