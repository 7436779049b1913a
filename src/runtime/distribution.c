#include "distribution.h"

#include "../config/units.h"

#include <gsl/gsl_randist.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

static int parse_arg(const char *text, enum dist_unit unit, double *v, char *err, size_t n) {
    if (unit == DIST_TIME || unit == DIST_TIME_NONNEG) return parse_time(text, v, err, n);
    return parse_real(text, 1, v, err, n);
}

/* Split "name(a, b, ...)" into name and up to max argument strings. */
static int split_call(const char *text, char *name, size_t namelen, char args[][64], int max,
                      int *nargs) {
    char buf[4096];
    trim_copy(text, buf, sizeof buf);
    char *open = strchr(buf, '(');
    size_t len = strlen(buf);
    if (!open) return 0; /* bare value */
    if (len == 0 || buf[len - 1] != ')') return -1;
    buf[len - 1] = '\0';
    *open = '\0';
    trim_copy(buf, name, namelen);
    *nargs = 0;
    char *p = open + 1;
    char tmp[4096];
    trim_copy(p, tmp, sizeof tmp);
    if (tmp[0] == '\0') return 1;
    for (;;) {
        char *comma = strchr(p, ',');
        if (comma) *comma = '\0';
        if (*nargs >= max) return -1;
        trim_copy(p, args[*nargs], 64);
        (*nargs)++;
        if (!comma) break;
        p = comma + 1;
    }
    return 1;
}

static int check(int ok, char *err, size_t n, const char *text, const char *why) {
    if (!ok) snprintf(err, n, "'%s': %s", text, why);
    return ok ? 0 : -1;
}

int dist_parse(const char *text, enum dist_unit unit, struct dist *out, char *err, size_t n) {
    char name[32];
    static char args[DIST_MAX_VALUES][64];
    int nargs = 0;
    memset(out, 0, sizeof *out);
    int form = split_call(text, name, sizeof name, args, DIST_MAX_VALUES, &nargs);
    if (form < 0) {
        snprintf(err, n, "'%s' is not a distribution (e.g. uniform(a, b), at most %d values)", text,
                 DIST_MAX_VALUES);
        return -1;
    }
    if (form == 0) { /* a bare value means constant(value) */
        out->kind = DIST_CONSTANT;
        if (parse_arg(text, unit, &out->a, err, n)) return -1;
        out->b = out->a;
    } else if (strcmp(name, "constant") == 0) {
        if (check(nargs == 1, err, n, text, "constant takes one value")) return -1;
        out->kind = DIST_CONSTANT;
        if (parse_arg(args[0], unit, &out->a, err, n)) return -1;
        out->b = out->a;
    } else if (strcmp(name, "uniform") == 0) {
        if (check(nargs == 2, err, n, text, "uniform takes two values (low, high)")) return -1;
        out->kind = DIST_UNIFORM;
        if (parse_arg(args[0], unit, &out->a, err, n) || parse_arg(args[1], unit, &out->b, err, n))
            return -1;
        if (check(out->a <= out->b, err, n, text, "low must not exceed high")) return -1;
    } else if (strcmp(name, "exponential") == 0) {
        if (check(nargs == 1, err, n, text, "exponential takes one value (mean)")) return -1;
        out->kind = DIST_EXPONENTIAL;
        if (parse_arg(args[0], unit, &out->a, err, n)) return -1;
        if (check(out->a > 0, err, n, text, "the mean must be > 0")) return -1;
    } else if (strcmp(name, "lognormal") == 0) {
        if (check(nargs == 2, err, n, text, "lognormal takes two values (median, sigma)"))
            return -1;
        out->kind = DIST_LOGNORMAL;
        if (parse_arg(args[0], unit, &out->a, err, n) || parse_real(args[1], 0, &out->b, err, n))
            return -1;
        if (check(out->a > 0 && out->b >= 0, err, n, text, "needs median > 0 and sigma >= 0"))
            return -1;
    } else if (strcmp(name, "values") == 0) {
        if (check(nargs >= 1, err, n, text, "values needs at least one value")) return -1;
        out->kind = DIST_VALUES;
        out->nvalues = nargs;
        for (int i = 0; i < nargs; i++)
            if (parse_arg(args[i], unit, &out->values[i], err, n)) return -1;
    } else {
        snprintf(err, n,
                 "'%s': unknown distribution '%s' (constant, uniform, exponential, lognormal, "
                 "values)",
                 text, name);
        return -1;
    }
    double lo = dist_min(out);
    if (unit == DIST_TIME_NONNEG && lo < 0) return check(0, err, n, text, "must not be negative");
    if (unit == DIST_PLAIN_POS &&
        (lo <= 0 && out->kind != DIST_EXPONENTIAL && out->kind != DIST_LOGNORMAL))
        return check(0, err, n, text, "must be > 0");
    return 0;
}

double dist_sample(const struct dist *d, gsl_rng *rng, int index) {
    switch (d->kind) {
    case DIST_CONSTANT:
        return d->a;
    case DIST_UNIFORM:
        return d->a == d->b ? d->a : d->a + (d->b - d->a) * gsl_rng_uniform(rng);
    case DIST_EXPONENTIAL:
        return gsl_ran_exponential(rng, d->a);
    case DIST_LOGNORMAL:
        return gsl_ran_lognormal(rng, log(d->a), d->b);
    case DIST_VALUES:
        return d->values[index >= 0 ? index % d->nvalues : 0];
    }
    return 0.0;
}

double dist_min(const struct dist *d) {
    switch (d->kind) {
    case DIST_CONSTANT:
    case DIST_UNIFORM:
        return d->a;
    case DIST_EXPONENTIAL:
    case DIST_LOGNORMAL:
        return 0.0;
    case DIST_VALUES: {
        double m = d->values[0];
        for (int i = 1; i < d->nvalues; i++)
            if (d->values[i] < m) m = d->values[i];
        return m;
    }
    }
    return 0.0;
}

int dist_is_zero(const struct dist *d) {
    if (d->kind == DIST_CONSTANT) return d->a == 0.0;
    if (d->kind == DIST_UNIFORM) return d->a == 0.0 && d->b == 0.0;
    if (d->kind == DIST_VALUES) {
        for (int i = 0; i < d->nvalues; i++)
            if (d->values[i] != 0.0) return 0;
        return 1;
    }
    return 0;
}

double dist_smallest_mean(const struct dist *d) {
    switch (d->kind) {
    case DIST_CONSTANT:
    case DIST_EXPONENTIAL:
        return d->a;
    case DIST_UNIFORM:
        return 0.5 * (d->a + d->b);
    case DIST_LOGNORMAL:
        return d->a * exp(0.5 * d->b * d->b);
    case DIST_VALUES:
        return dist_min(d);
    }
    return 0.0;
}
