/* Random distributions named in configuration values, e.g.
 * "uniform(-100ms, 100ms)", "lognormal(1ms, 0.3)", "values(0, 5ms, -3ms)".
 * Sampling uses GSL's generators (gsl_ran_*). */
#ifndef CLOCKLAB_DISTRIBUTION_H
#define CLOCKLAB_DISTRIBUTION_H

#include <gsl/gsl_rng.h>
#include <stddef.h>

enum dist_kind { DIST_CONSTANT, DIST_UNIFORM, DIST_EXPONENTIAL, DIST_LOGNORMAL, DIST_VALUES };

/* What the parameters of a distribution are measured in. */
enum dist_unit {
    DIST_TIME,        /* times with a unit suffix, in seconds; may be negative */
    DIST_TIME_NONNEG, /* times that can only be >= 0 (delays, intervals) */
    DIST_PLAIN,       /* plain numbers, "ppm" suffix allowed (drift, rates) */
    DIST_PLAIN_POS,   /* plain numbers that must be > 0 (rates) */
    DIST_INTERVAL     /* waiting times drawn per wait: >= 0, with a unit */
};

#define DIST_MAX_VALUES 256

struct dist {
    enum dist_kind kind;
    double a, b; /* constant: a; uniform: [a,b]; exponential: mean a;
                    lognormal: median a, sigma b */
    int nvalues; /* values(): per-node list */
    double values[DIST_MAX_VALUES];
};

/* Parse one of constant(x), uniform(a, b), exponential(mean),
 * lognormal(median, sigma), values(v0, v1, ...) or a bare value (= constant).
 * Times take the units of parse_time(); lognormal's sigma is a plain number.
 * The whole text is read (no length limit); an empty argument, more than
 * DIST_MAX_VALUES values or text after the closing parenthesis is an error.
 * Returns 0, or -1 with a message naming what is wrong in err. */
int dist_parse(const char *text, enum dist_unit unit, struct dist *out, char *err, size_t errlen);

/* Draw one value. index picks the entry of values() (node index); other kinds
 * ignore it. lognormal(m, s) is exp(N(ln m, s^2)) (median m), as gsl_ran_lognormal. */
double dist_sample(const struct dist *d, gsl_rng *rng, int index);

/* Smallest value the distribution can produce (0 for exponential/lognormal). */
double dist_min(const struct dist *d);
/* Largest value it can produce (INFINITY for exponential/lognormal). */
double dist_max(const struct dist *d);
/* Range of the mean of the draws a node gets: one mean for every kind but
 * values(), whose node i always gets value i. The mean of lognormal(m, s)
 * is m exp(s^2/2) (Johnson, Kotz & Balakrishnan, Continuous Univariate
 * Distributions vol. 1, ch. 14). */
void dist_mean_range(const struct dist *d, double *lo, double *hi);

/* The mean of the distribution (s or plain), and for values() the smallest
 * entry (each node draws its own entry every time): constant(x) x;
 * uniform(a, b) (a+b)/2; exponential(m) m; lognormal(m, s) m*exp(s^2/2). */
double dist_smallest_mean(const struct dist *d);

/* Nonzero when every draw is 0 (no injected delay at all). */
int dist_is_zero(const struct dist *d);

#endif
