#include "model/faults.h"

#include "util/units.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define QUOTE_MAX 60

/* One event "WHO@TIME" or "WHO@TIME-TIME" (item: trimmed, non-empty). */
static int parse_event(const char *item, struct crash_event *ev, char *err, size_t n) {
    char q[QUOTE_MAX + 8];
    quote_text(item, QUOTE_MAX, q, sizeof q);
    const char *at = strchr(item, '@');
    if (!at || strchr(at + 1, '@')) {
        snprintf(err, n, "%s: expected NODE@TIME or NODE@TIME-TIME", q);
        return -1;
    }
    char *who = trim_dup(item, (size_t)(at - item));
    char *times = trim_dup(at + 1, strlen(at + 1));
    int rc = -1;
    if (!who || !times) {
        snprintf(err, n, "%s: out of memory", q);
        goto out;
    }
    if (strcmp(who, "coordinator") == 0) {
        ev->node = CRASH_COORDINATOR;
    } else if (strcmp(who, "highest") == 0) {
        ev->node = CRASH_HIGHEST;
    } else {
        long v;
        if (parse_int(who, 0, FAULTS_MAX_NODE, &v, err, n)) {
            char w[QUOTE_MAX + 8];
            quote_text(who, QUOTE_MAX, w, sizeof w);
            snprintf(err, n,
                     "%s: the node %s is not a node index (0..%d), 'coordinator' or 'highest'", q,
                     w, FAULTS_MAX_NODE);
            goto out;
        }
        ev->node = (int)v;
    }
    /* The recovery separator is a '-' whose previous non-space character is
     * the unit letter 's' of the crash time. */
    char *dash = NULL;
    for (char *p = times[0] ? times + 1 : times; *p && !dash; p++) {
        if (*p != '-') continue;
        char *b = p - 1;
        while (b > times && isspace((unsigned char)*b))
            b--;
        if (*b == 's') dash = p;
    }
    if (dash) *dash = '\0';
    if (parse_time(times, &ev->at, err, n)) goto out;
    ev->recover = INFINITY;
    if (dash && parse_time(dash + 1, &ev->recover, err, n)) goto out;
    if (ev->at < 0 || ev->recover <= ev->at) {
        snprintf(err, n, "%s: times must be >= 0 and the recovery after the crash", q);
        goto out;
    }
    rc = 0;
out:
    free(who);
    free(times);
    return rc;
}

int faults_parse(const char *text, struct crash_schedule *out, char *err, size_t n) {
    out->n = 0;
    char *all = trim_dup(text, strlen(text));
    if (!all) {
        snprintf(err, n, "out of memory");
        return -1;
    }
    int rc = 0;
    if (strcmp(all, "none") == 0 || all[0] == '\0') goto out;
    for (const char *p = all;;) {
        const char *comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);
        char *item = trim_dup(p, len);
        if (!item) {
            snprintf(err, n, "out of memory");
            rc = -1;
            break;
        }
        if (item[0] == '\0') {
            snprintf(err, n, "an empty event in the list (a ',' too many?)");
            rc = -1;
        } else if (out->n == FAULTS_MAX) {
            snprintf(err, n, "at most %d crash events", FAULTS_MAX);
            rc = -1;
        } else {
            rc = parse_event(item, &out->ev[out->n], err, n);
            if (rc == 0) out->n++;
        }
        free(item);
        if (rc || !comma) break;
        p = comma + 1;
    }
out:
    free(all);
    if (rc) out->n = 0;
    return rc;
}

int faults_validate(const char *text, char *err, size_t n) {
    struct crash_schedule s;
    return faults_parse(text, &s, err, n);
}

int faults_has_coordinator(const struct crash_schedule *s) {
    for (int i = 0; i < s->n; i++)
        if (s->ev[i].node == CRASH_COORDINATOR) return 1;
    return 0;
}
