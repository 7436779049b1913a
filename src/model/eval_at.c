/* See eval_at.h. */
#include "model/eval_at.h"

#include "util/units.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define QUOTE_MAX 60

int evaluation_parse_at(const char *text, double *out, int *n, char *err, size_t errlen) {
    *n = 0;
    char *all = trim_dup(text, strlen(text));
    if (!all) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    int rc = 0;
    if (strcmp(all, "none") == 0) goto done;
    for (const char *p = all;;) {
        const char *comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);
        char *item = trim_dup(p, len);
        double v = 0;
        if (!item) {
            snprintf(err, errlen, "out of memory");
            rc = -1;
        } else if (item[0] == '\0') {
            snprintf(err, errlen, "an empty delay in the list (none, or delays such as 0s, 1s)");
            rc = -1;
        } else if (*n == EVAL_MAX_AT) {
            snprintf(err, errlen, "at most %d delays", EVAL_MAX_AT);
            rc = -1;
        } else if (parse_time(item, &v, err, errlen) == 0) {
            char q[QUOTE_MAX + 8];
            quote_text(item, QUOTE_MAX, q, sizeof q);
            if (v < 0 || v > EVAL_MAX_DELAY) {
                snprintf(err, errlen, "%s: a delay is between 0 and %.0fs", q, EVAL_MAX_DELAY);
                rc = -1;
            } else if (*n > 0 && v < out[*n - 1]) {
                snprintf(err, errlen, "%s: delays go in increasing order", q);
                rc = -1;
            } else {
                out[(*n)++] = v;
            }
        } else {
            rc = -1;
        }
        free(item);
        if (rc || !comma) break;
        p = comma + 1;
    }
done:
    free(all);
    if (rc) *n = 0;
    return rc;
}

int evaluation_validate_at(const char *text, char *err, size_t errlen) {
    double at[EVAL_MAX_AT];
    int n;
    return evaluation_parse_at(text, at, &n, err, errlen);
}
