#include "model/roles.h"

#include "util/units.h"

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define QUOTE_MAX 60

int roles_ids(const char *mode, int n, unsigned long seed, int *ids, char *err, size_t len) {
    for (int i = 0; i < n; i++)
        ids[i] = i;
    if (strcmp(mode, "rank") == 0) return 0;
    if (strcmp(mode, "reverse") == 0) {
        for (int i = 0; i < n; i++)
            ids[i] = n - 1 - i;
        return 0;
    }
    if (strcmp(mode, "permutation") == 0) {
        /* The seed-th permutation of 0..n-1 in lexicographic order (seed mod
         * n!), decoded from its factorial-number-system digits (Lehmer code;
         * Knuth, TAOCP vol. 2, 3.3.2). Repeats over seeds 0..n!-1 visit every
         * order once. */
        unsigned long long k = seed, fact = 1;
        int overflow = 0;
        for (int i = 2; i <= n && !overflow; i++) {
            if (fact > ~0ULL / (unsigned long long)i)
                overflow = 1;
            else
                fact *= (unsigned long long)i;
        }
        if (!overflow) k %= fact;
        int *left = malloc((size_t)n * sizeof *left);
        if (!left) {
            snprintf(err, len, "out of memory");
            return -1;
        }
        for (int i = 0; i < n; i++)
            left[i] = i;
        for (int i = 0; i < n; i++) {
            unsigned long long f = 1; /* (n-1-i)!, or "more than k" */
            for (int j = 2; j <= n - 1 - i && f <= k; j++)
                f *= (unsigned long long)j;
            int d = (int)(k / f);
            k %= f;
            ids[i] = left[d];
            memmove(&left[d], &left[d + 1], (size_t)(n - 1 - i - d) * sizeof *left);
        }
        free(left);
        return 0;
    }
    if (strcmp(mode, "random") == 0) {
        gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
        gsl_rng_set(r, seed * 2654435761UL + 17);
        gsl_ran_shuffle(r, ids, (size_t)n, sizeof ids[0]);
        gsl_rng_free(r);
        return 0;
    }
    char q[QUOTE_MAX + 8];
    quote_text(mode, QUOTE_MAX, q, sizeof q);
    snprintf(err, len, "%s is not rank, reverse, random or permutation", q);
    return -1;
}

/* Call each(i, arg) for every element of a comma list of node indices
 * (i in [0, max]); empty elements and anything but a whole number are
 * errors. Returns 0, or -1 with a message. */
static int each_index(const char *list, long max, void (*each)(long, void *), void *arg, char *err,
                      size_t len) {
    for (const char *p = list;;) {
        const char *comma = strchr(p, ',');
        char *tok = trim_dup(p, comma ? (size_t)(comma - p) : strlen(p));
        if (!tok) {
            snprintf(err, len, "out of memory");
            return -1;
        }
        long v;
        int rc = 0;
        if (tok[0] == '\0') {
            snprintf(err, len, "an empty element in the node list (a ',' too many?)");
            rc = -1;
        } else if (parse_int(tok, 0, 2147483647L, &v, err, len)) {
            char q[QUOTE_MAX + 8];
            quote_text(tok, QUOTE_MAX, q, sizeof q);
            snprintf(err, len, "%s is not lowest, highest, all, none or a node index", q);
            rc = -1;
        } else if (v > max) {
            snprintf(err, len, "node %ld does not exist in a %ld-node run (nodes 0..%ld)", v,
                     max + 1, max);
            rc = -1;
        } else if (each) {
            each(v, arg);
        }
        free(tok);
        if (rc) return -1;
        if (!comma) return 0;
        p = comma + 1;
    }
}

static void mark(long i, void *arg) {
    ((int *)arg)[i] = 1;
}

int roles_initiators(const char *spec, int n, const int *ids, int *init, char *err, size_t len) {
    memset(init, 0, (size_t)n * sizeof init[0]);
    char *buf = trim_dup(spec, strlen(spec));
    if (!buf) {
        snprintf(err, len, "out of memory");
        return -1;
    }
    int rc = 0;
    if (strcmp(buf, "none") == 0) {
    } else if (strcmp(buf, "all") == 0) {
        for (int i = 0; i < n; i++)
            init[i] = 1;
    } else if (strcmp(buf, "lowest") == 0 || strcmp(buf, "highest") == 0) {
        int best = 0;
        for (int i = 1; i < n; i++)
            if (buf[0] == 'l' ? ids[i] < ids[best] : ids[i] > ids[best]) best = i;
        if (n > 0) init[best] = 1;
    } else {
        rc = each_index(buf, (long)n - 1, mark, init, err, len);
    }
    free(buf);
    return rc;
}

int roles_validate_ids(const char *mode, char *err, size_t len) {
    int ids[1];
    return roles_ids(mode, 1, 0, ids, err, len);
}

int roles_validate_initiators(const char *spec, char *err, size_t len) {
    if (!strcmp(spec, "none") || !strcmp(spec, "all") || !strcmp(spec, "lowest") ||
        !strcmp(spec, "highest"))
        return 0;
    return each_index(spec, 2147483647L, NULL, NULL, err, len);
}

int roles_check_initiators(const char *spec, int n, char *err, size_t len) {
    if (!strcmp(spec, "none") || !strcmp(spec, "all") || !strcmp(spec, "lowest") ||
        !strcmp(spec, "highest"))
        return 0;
    return each_index(spec, (long)n - 1, NULL, NULL, err, len);
}

/* Labels: the [start, end) span of label i (untrimmed), or -1 past the last. */
static int label_span(const char *labels, int i, const char **start, const char **end) {
    const char *p = labels;
    for (int k = 0; k < i; k++) {
        p = strchr(p, ',');
        if (!p) return -1;
        p++;
    }
    const char *comma = strchr(p, ',');
    *start = p;
    *end = comma ? comma : p + strlen(p);
    return 0;
}

int roles_label_count(const char *labels) {
    if (labels[0] == '\0') return 0;
    int count = 1;
    for (const char *p = labels; *p; p++)
        count += *p == ',';
    return count;
}

int roles_validate_labels(const char *labels, char *err, size_t len) {
    int count = roles_label_count(labels);
    for (int i = 0; i < count; i++) {
        const char *s = labels, *e = labels;
        label_span(labels, i, &s, &e); /* i < count: always found */
        char *label = trim_dup(s, (size_t)(e - s));
        if (!label) {
            snprintf(err, len, "out of memory");
            return -1;
        }
        size_t l = strlen(label);
        char q[QUOTE_MAX + 8];
        quote_text(label, QUOTE_MAX, q, sizeof q);
        free(label);
        if (l == 0) {
            snprintf(err, len, "label %d is empty (a ',' too many?)", i);
            return -1;
        }
        if (l >= ROLES_LABEL_LEN) {
            snprintf(err, len, "label %d %s is longer than %d bytes", i, q, ROLES_LABEL_LEN - 1);
            return -1;
        }
    }
    return 0;
}

int roles_label(const char *labels, int node, char *out, size_t n) {
    const char *s, *e;
    out[0] = '\0';
    if (labels[0] == '\0' || label_span(labels, node, &s, &e)) return -1;
    char *label = trim_dup(s, (size_t)(e - s));
    if (!label) return -1;
    int fits = strlen(label) < n;
    if (fits) memcpy(out, label, strlen(label) + 1);
    free(label);
    return fits ? 0 : -1;
}

int roles_node_counts(const char *text, int *counts, int max, int *n, char *err, size_t len) {
    *n = 0;
    for (const char *p = text;;) {
        const char *comma = strchr(p, ',');
        char *tok = trim_dup(p, comma ? (size_t)(comma - p) : strlen(p));
        if (!tok) {
            snprintf(err, len, "out of memory");
            return -1;
        }
        char *dots = strstr(tok, "..");
        long lo, hi;
        int rc = 0;
        if (tok[0] == '\0') {
            snprintf(err, len, "an empty element in the list (a ',' too many?)");
            rc = -1;
        } else if (dots) {
            *dots = '\0';
            rc = parse_int(tok, 1, ROLES_MAX_NODES, &lo, err, len);
            if (rc == 0) rc = parse_int(dots + 2, 1, ROLES_MAX_NODES, &hi, err, len);
            if (rc == 0 && hi < lo) {
                snprintf(err, len, "'%ld..%ld' is an empty range", lo, hi);
                rc = -1;
            }
        } else {
            rc = parse_int(tok, 0, ROLES_MAX_NODES, &lo, err, len);
            hi = lo;
        }
        free(tok);
        if (rc) return -1;
        for (long v = lo; v <= hi; v++) {
            if (*n == max) {
                snprintf(err, len, "more than %d node counts", max);
                return -1;
            }
            counts[(*n)++] = (int)v;
        }
        if (!comma) break;
        p = comma + 1;
    }
    for (int i = 0; i < *n; i++)
        if (counts[i] == 0 && *n > 1) {
            snprintf(err, len, "0 (one node per rank) cannot be part of a list");
            return -1;
        }
    return 0;
}

int roles_validate_nodes(const char *text, char *err, size_t len) {
    int *counts = malloc(ROLES_MAX_COUNTS * sizeof *counts), n;
    if (!counts) {
        snprintf(err, len, "out of memory");
        return -1;
    }
    int rc = roles_node_counts(text, counts, ROLES_MAX_COUNTS, &n, err, len);
    free(counts);
    return rc;
}
