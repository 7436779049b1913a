#include "faults.h"

#include "../config/units.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int parse_event(char *tok, struct crash_event *ev, char *err, size_t n) {
    char item[128];
    trim_copy(tok, item, sizeof item);
    char *at = strchr(item, '@');
    if (!at) {
        snprintf(err, n, "'%s': expected NODE@TIME or NODE@TIME-TIME", item);
        return -1;
    }
    *at = '\0';
    char who[64];
    trim_copy(item, who, sizeof who);
    if (strcmp(who, "coordinator") == 0) {
        ev->node = CRASH_COORDINATOR;
    } else {
        long v;
        if (parse_int(who, 0, 1 << 30, &v, err, n)) {
            snprintf(err, n, "'%s': the node is a node index or 'coordinator'", who);
            return -1;
        }
        ev->node = (int)v;
    }
    char *times = at + 1;
    /* The recovery separator is a '-' that follows a unit letter. */
    char *dash = NULL;
    for (char *p = times + 1; *p; p++)
        if (*p == '-' && (p[-1] == 's')) {
            dash = p;
            break;
        }
    if (dash) *dash = '\0';
    if (parse_time(times, &ev->at, err, n)) return -1;
    ev->recover = INFINITY;
    if (dash && parse_time(dash + 1, &ev->recover, err, n)) return -1;
    if (ev->at < 0 || ev->recover <= ev->at) {
        snprintf(err, n, "'%s': times must be >= 0 and recovery after the crash", tok);
        return -1;
    }
    return 0;
}

int faults_parse(const char *text, struct crash_schedule *out, char *err, size_t n) {
    char buf[1024];
    trim_copy(text, buf, sizeof buf);
    out->n = 0;
    if (strcmp(buf, "none") == 0 || buf[0] == '\0') return 0;
    char *save = NULL;
    for (char *tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        if (out->n == FAULTS_MAX) {
            snprintf(err, n, "at most %d crash events", FAULTS_MAX);
            return -1;
        }
        if (parse_event(tok, &out->ev[out->n], err, n)) return -1;
        out->n++;
    }
    return 0;
}

int faults_validate(const char *text, char *err, size_t n) {
    struct crash_schedule s;
    return faults_parse(text, &s, err, n);
}
