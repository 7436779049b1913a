#include "model/estimators.h"

#include <gsl/gsl_fit.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

double cristian_offset(double t_send, double server_time, double t_recv) {
    return t_recv - (server_time + 0.5 * (t_recv - t_send));
}

double ntp_offset(double t1, double t2, double t3, double t4) {
    return 0.5 * ((t2 - t1) + (t3 - t4));
}

double ntp_delay(double t1, double t2, double t3, double t4) {
    return (t4 - t1) - (t3 - t2);
}

size_t min_index(const double *values, size_t n) {
    size_t best = 0;
    for (size_t i = 1; i < n; i++)
        if (values[i] < values[best]) best = i;
    return best;
}

double median(const double *values, size_t n) {
    double *copy = malloc(n * sizeof *copy);
    if (!copy) return NAN;
    memcpy(copy, values, n * sizeof *copy);
    gsl_sort(copy, 1, n);
    double m = gsl_stats_median_from_sorted_data(copy, 1, n);
    free(copy);
    return m;
}

double ft_average(const double *values, size_t n, double outlier, int *excluded) {
    double m = median(values, n), sum = 0.0;
    size_t kept = 0;
    for (size_t i = 0; i < n; i++) {
        int out = fabs(values[i] - m) > outlier;
        if (excluded) excluded[i] = out;
        if (!out) {
            sum += values[i];
            kept++;
        }
    }
    return kept ? sum / (double)kept : m;
}

void pingpong_reset(struct pingpong *p) {
    p->n = 0;
    p->rtt = INFINITY;
    p->offset = p->time = NAN;
    p->lo = -INFINITY;
    p->hi = INFINITY;
}

void pingpong_add(struct pingpong *p, double t_send, double remote, double t_recv) {
    double rtt = t_recv - t_send;
    p->n++;
    if (t_send - remote > p->lo) p->lo = t_send - remote;
    if (t_recv - remote < p->hi) p->hi = t_recv - remote;
    if (!(rtt < p->rtt)) return;
    p->rtt = rtt;
    p->offset = cristian_offset(t_send, remote, t_recv);
    p->time = 0.5 * (t_send + t_recv);
}

double pingpong_offset(const struct pingpong *p, double *bound) {
    if (p->n > 0 && p->lo <= p->hi) {
        *bound = 0.5 * (p->hi - p->lo);
        return 0.5 * (p->lo + p->hi);
    }
    *bound = 0.5 * p->rtt;
    return p->offset;
}

int linear_fit(const double *x, const double *y, size_t n, double *intercept, double *slope,
               double *slope_se) {
    if (n < 2) return -1;
    int spread = 0;
    for (size_t i = 1; i < n && !spread; i++)
        spread = x[i] != x[0];
    if (!spread) return -1;
    double c00, c01, c11, sumsq;
    gsl_fit_linear(x, 1, y, 1, n, intercept, slope, &c00, &c01, &c11, &sumsq);
    if (slope_se) *slope_se = n > 2 ? sqrt(c11) : NAN;
    return 0;
}

int linear_fit_bounds(const double *x, const double *e, size_t n, double x0, double *value_bound,
                      double *slope_bound) {
    if (n < 2) return -1;
    double mx = 0.0, sxx = 0.0;
    for (size_t k = 0; k < n; k++)
        mx += x[k];
    mx /= (double)n;
    for (size_t k = 0; k < n; k++)
        sxx += (x[k] - mx) * (x[k] - mx);
    if (!(sxx > 0)) return -1;
    double value = 0.0, slope = 0.0;
    for (size_t k = 0; k < n; k++) {
        value += fabs(1.0 / (double)n + (x0 - mx) * (x[k] - mx) / sxx) * e[k];
        slope += fabs(x[k] - mx) * e[k] / sxx;
    }
    *value_bound = value;
    *slope_bound = slope;
    return 0;
}
