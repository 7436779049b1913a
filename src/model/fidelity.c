#include "model/fidelity.h"

#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>
#include <math.h>
#include <string.h>

void fidelity_init(struct fidelity *f) {
    memset(f, 0, sizeof *f);
    f->delivery.elem = sizeof(double);
    f->timer.elem = sizeof(double);
}

void fidelity_free(struct fidelity *f) {
    vec_free(&f->delivery);
    vec_free(&f->timer);
}

int fidelity_delivery(struct fidelity *f, double lateness) {
    return vec_push(&f->delivery, &lateness);
}

int fidelity_timer(struct fidelity *f, double lateness) {
    return vec_push(&f->timer, &lateness);
}

static void quantiles(struct vec *v, double *p50, double *p99, double *max) {
    if (v->n == 0) {
        *p50 = *p99 = *max = NAN;
        return;
    }
    double *x = v->data;
    gsl_sort(x, 1, v->n);
    *p50 = gsl_stats_quantile_from_sorted_data(x, 1, v->n, 0.50);
    *p99 = gsl_stats_quantile_from_sorted_data(x, 1, v->n, 0.99);
    *max = x[v->n - 1];
}

void fidelity_summarize(struct fidelity *f, struct fidelity_summary *s) {
    quantiles(&f->delivery, &s->delivery_p50, &s->delivery_p99, &s->delivery_max);
    quantiles(&f->timer, &s->timer_p50, &s->timer_p99, &s->timer_max);
    s->deliveries = f->delivery.n;
    s->timers = f->timer.n;
}

double fidelity_threshold(double smallest_mean_delay) {
    return smallest_mean_delay > 0 ? 0.1 * smallest_mean_delay : 100e-6;
}
