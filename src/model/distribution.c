#include "model/distribution.h"

#include "util/units.h"

#include <ctype.h>
#include <gsl/gsl_randist.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define QUOTE_MAX 60

static int is_time(enum dist_unit unit) {
    return unit == DIST_TIME || unit == DIST_TIME_NONNEG || unit == DIST_INTERVAL;
}

static int parse_arg(const char *text, enum dist_unit unit, double *v, char *err, size_t n) {
    if (is_time(unit)) return parse_time(text, v, err, n);
    return parse_real(text, 1, v, err, n);
}

/* "name(a, b, ...)": the name and the arguments, each a malloc'd trimmed
 * string (args[0..*nargs)). Returns 1 for that form, 0 for a bare value (no
 * '('), -1 when malformed (why says how), -2 when out of memory. */
static int split_call(const char *text, char **name, char ***args, int *nargs, const char **why) {
    *name = NULL;
    *args = NULL;
    *nargs = 0;
    const char *open = strchr(text, '(');
    if (!open) {
        if (strchr(text, ')') || strchr(text, ',')) {
            *why = "is not a distribution (e.g. uniform(a, b))";
            return -1;
        }
        return 0;
    }
    size_t len = strlen(text);
    while (len > 0 && isspace((unsigned char)text[len - 1]))
        len--;
    if (len == 0 || text[len - 1] != ')') {
        *why = "is not a distribution: text after the closing ')' or none";
        return -1;
    }
    const char *close = text + len - 1;
    if (memchr(open + 1, '(', (size_t)(close - open - 1)) ||
        memchr(open + 1, ')', (size_t)(close - open - 1))) {
        *why = "is not a distribution: nested parentheses";
        return -1;
    }
    *name = trim_dup(text, (size_t)(open - text));
    if (!*name) return -2;
    int count = 1;
    for (const char *c = open + 1; c < close; c++)
        count += *c == ',';
    char *inner = trim_dup(open + 1, (size_t)(close - open - 1));
    if (!inner) return -2;
    int empty = inner[0] == '\0';
    free(inner);
    if (empty) return 1; /* name() */
    if (count > DIST_MAX_VALUES) {
        *why = "has too many values (at most 256)";
        return -1;
    }
    *args = calloc((size_t)count, sizeof **args);
    if (!*args) return -2;
    const char *p = open + 1;
    for (int i = 0; i < count; i++) {
        const char *comma = memchr(p, ',', (size_t)(close - p));
        const char *end = comma ? comma : close;
        (*args)[i] = trim_dup(p, (size_t)(end - p));
        (*nargs)++;
        if (!(*args)[i]) return -2;
        if ((*args)[i][0] == '\0') {
            *why = "has an empty argument (a ',' too many?)";
            return -1;
        }
        p = end + 1;
    }
    return 1;
}

static int check(int ok, char *err, size_t n, const char *text, const char *why) {
    if (!ok) {
        char q[QUOTE_MAX + 8];
        quote_text(text, QUOTE_MAX, q, sizeof q);
        snprintf(err, n, "%s: %s", q, why);
    }
    return ok ? 0 : -1;
}

static int parse_kind(const char *text, enum dist_unit unit, struct dist *out, const char *name,
                      char **args, int nargs, char *err, size_t n) {
    if (strcmp(name, "constant") == 0) {
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
        if (check(isfinite(out->b - out->a), err, n, text, "the range is too wide")) return -1;
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
        char q[QUOTE_MAX + 8], nm[QUOTE_MAX + 8];
        quote_text(text, QUOTE_MAX, q, sizeof q);
        quote_text(name, 30, nm, sizeof nm);
        snprintf(err, n,
                 "%s: unknown distribution %s (constant, uniform, exponential, lognormal, "
                 "values)",
                 q, nm);
        return -1;
    }
    return 0;
}

int dist_parse(const char *text, enum dist_unit unit, struct dist *out, char *err, size_t n) {
    char *name, **args;
    int nargs;
    const char *why = "";
    memset(out, 0, sizeof *out);
    int form = split_call(text, &name, &args, &nargs, &why);
    int rc = 0;
    if (form == -2) {
        rc = check(0, err, n, text, "out of memory");
    } else if (form == -1) {
        char q[QUOTE_MAX + 8];
        quote_text(text, QUOTE_MAX, q, sizeof q);
        snprintf(err, n, "%s %s", q, why);
        rc = -1;
    } else if (form == 0) { /* a bare value means constant(value) */
        out->kind = DIST_CONSTANT;
        rc = parse_arg(text, unit, &out->a, err, n);
        out->b = out->a;
    } else {
        rc = parse_kind(text, unit, out, name, args, nargs, err, n);
    }
    free(name);
    for (int i = 0; i < nargs; i++)
        free(args[i]);
    free(args);
    if (rc) return -1;
    double lo = dist_min(out);
    if ((unit == DIST_TIME_NONNEG || unit == DIST_INTERVAL) && lo < 0)
        return check(0, err, n, text, "must not be negative");
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

double dist_max(const struct dist *d) {
    switch (d->kind) {
    case DIST_CONSTANT:
    case DIST_UNIFORM:
        return d->b;
    case DIST_EXPONENTIAL:
    case DIST_LOGNORMAL:
        return INFINITY;
    case DIST_VALUES: {
        double m = d->values[0];
        for (int i = 1; i < d->nvalues; i++)
            if (d->values[i] > m) m = d->values[i];
        return m;
    }
    }
    return 0.0;
}

void dist_mean_range(const struct dist *d, double *lo, double *hi) {
    switch (d->kind) {
    case DIST_CONSTANT:
    case DIST_EXPONENTIAL:
        *lo = *hi = d->a;
        return;
    case DIST_UNIFORM:
        *lo = *hi = d->a + 0.5 * (d->b - d->a);
        return;
    case DIST_LOGNORMAL:
        *lo = *hi = d->a * exp(0.5 * d->b * d->b);
        return;
    case DIST_VALUES:
        *lo = dist_min(d);
        *hi = dist_max(d);
        return;
    }
    *lo = *hi = 0.0;
}

double dist_smallest_mean(const struct dist *d) {
    double lo, hi;
    dist_mean_range(d, &lo, &hi);
    return lo;
}
