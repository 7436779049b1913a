#include "model/clock.h"

#include <math.h>
#include <stdlib.h>

void clock_init(struct sim_clock *c, double theta, double drift_ppm, double granularity) {
    c->theta = theta;
    c->drift_ppm = drift_ppm;
    c->granularity = granularity;
    c->hist = NULL;
    c->n = c->cap = 0;
    c->settled = 0.0;
    c->models = NULL;
    c->nmodels = c->capmodels = 0;
}

void clock_free(struct sim_clock *c) {
    free(c->hist);
    free(c->models);
    c->hist = NULL;
    c->models = NULL;
    c->n = c->cap = 0;
    c->nmodels = c->capmodels = 0;
}

/* Part of adjustment a applied by time t. */
static double applied(const struct clock_adjustment *a, double t) {
    if (t < a->t) return 0.0;
    if (a->span <= 0.0 || t >= a->t + a->span) return a->delta;
    return a->delta * (t - a->t) / a->span;
}

/* The model in effect at time t, or NULL. */
static const struct clock_model *model_at(const struct sim_clock *c, double t) {
    for (size_t i = c->nmodels; i > 0; i--)
        if (c->models[i - 1].t <= t) return &c->models[i - 1];
    return NULL;
}

/* Offset before any model. */
static double raw_offset(const struct sim_clock *c, double t) {
    double off = c->theta + c->drift_ppm * 1e-6 * t;
    if (c->n == 0) return off;
    const struct clock_adjustment *last = &c->hist[c->n - 1];
    if (t >= last->t) return off + c->settled + applied(last, t);
    for (size_t i = 0; i < c->n && c->hist[i].t <= t; i++)
        off += applied(&c->hist[i], t);
    return off;
}

double clock_offset(const struct sim_clock *c, double t) {
    double off = raw_offset(c, t);
    const struct clock_model *m = model_at(c, t);
    return m ? off - (m->intercept + m->slope * (t + off)) : off;
}

double clock_read(const struct sim_clock *c, double t) {
    double v = t + clock_offset(c, t);
    if (c->granularity > 0.0) v = floor(v / c->granularity) * c->granularity;
    return v;
}

int clock_slew(struct sim_clock *c, double t, double delta, double span) {
    /* Under a model, a change of the raw reading by d changes the corrected
     * one by d * (1 - slope). */
    const struct clock_model *m = model_at(c, t);
    if (m) delta /= 1.0 - m->slope;
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

int clock_set_model(struct sim_clock *c, double t, double intercept, double slope) {
    /* L2 = L1 - (a2 + b2 L1) with L1 = R - (a1 + b1 R) is
     * R - (a1 (1 - b2) + a2 + (b1 + b2 - b1 b2) R). */
    const struct clock_model *m = c->nmodels ? &c->models[c->nmodels - 1] : NULL;
    struct clock_model next = {t, intercept, slope};
    if (m) {
        next.intercept = m->intercept * (1.0 - slope) + intercept;
        next.slope = m->slope + slope - m->slope * slope;
    }
    if (c->nmodels == c->capmodels) {
        size_t cap = c->capmodels ? 2 * c->capmodels : 4;
        struct clock_model *p = realloc(c->models, cap * sizeof *p);
        if (!p) return -1;
        c->models = p;
        c->capmodels = cap;
    }
    c->models[c->nmodels++] = next;
    return 0;
}
