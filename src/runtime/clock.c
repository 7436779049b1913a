#include "clock.h"

#include <math.h>
#include <stdlib.h>

void clock_init(struct sim_clock *c, double theta, double drift_ppm, double granularity) {
    c->theta = theta;
    c->drift_ppm = drift_ppm;
    c->granularity = granularity;
    c->hist = NULL;
    c->n = c->cap = 0;
    c->settled = 0.0;
}

void clock_free(struct sim_clock *c) {
    free(c->hist);
    c->hist = NULL;
    c->n = c->cap = 0;
}

/* Part of adjustment a applied by time t. */
static double applied(const struct clock_adjustment *a, double t) {
    if (t < a->t) return 0.0;
    if (a->span <= 0.0 || t >= a->t + a->span) return a->delta;
    return a->delta * (t - a->t) / a->span;
}

double clock_offset(const struct sim_clock *c, double t) {
    double off = c->theta + c->drift_ppm * 1e-6 * t;
    if (c->n == 0) return off;
    const struct clock_adjustment *last = &c->hist[c->n - 1];
    if (t >= last->t) return off + c->settled + applied(last, t);
    for (size_t i = 0; i < c->n && c->hist[i].t <= t; i++)
        off += applied(&c->hist[i], t);
    return off;
}

double clock_read(const struct sim_clock *c, double t) {
    double v = t + clock_offset(c, t);
    if (c->granularity > 0.0) v = floor(v / c->granularity) * c->granularity;
    return v;
}

int clock_slew(struct sim_clock *c, double t, double delta, double span) {
    /* A slew never runs the clock backwards: it lasts at least |delta| / CLOCK_MAX_SLEW. */
    if (span > 0.0 && span < fabs(delta) / CLOCK_MAX_SLEW) span = fabs(delta) / CLOCK_MAX_SLEW;
    if (c->n > 0) {
        /* Freeze the previous adjustment at what it has applied by now. */
        struct clock_adjustment *last = &c->hist[c->n - 1];
        if (last->span > 0.0 && t < last->t + last->span) {
            last->delta = applied(last, t);
            last->span = t - last->t;
        }
        c->settled += last->delta;
    }
    if (c->n == c->cap) {
        size_t cap = c->cap ? 2 * c->cap : 16;
        struct clock_adjustment *h = realloc(c->hist, cap * sizeof *h);
        if (!h) return -1;
        c->hist = h;
        c->cap = cap;
    }
    c->hist[c->n++] = (struct clock_adjustment){t, delta, span > 0.0 ? span : 0.0};
    return 0;
}

int clock_step(struct sim_clock *c, double t, double delta) {
    return clock_slew(c, t, delta, 0.0);
}
