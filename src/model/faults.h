/* Crash/recover schedules, from [faults] crash:
 *   none | EVENT[, EVENT...]   EVENT = WHO@TIME or WHO@TIME-TIME
 *   WHO = a node index, "coordinator" (the node that believes itself
 *   coordinator at that time) or "highest" (the node with the highest
 *   election id, whatever the node count). The second time is the recovery. */
#ifndef CLOCKLAB_FAULTS_H
#define CLOCKLAB_FAULTS_H

#include <stddef.h>

#define FAULTS_MAX 64
#define FAULTS_MAX_NODE (1 << 30) /* largest node index a schedule may name */
#define CRASH_COORDINATOR (-1)
#define CRASH_HIGHEST (-2) /* the node with the highest election id */

struct crash_event {
    int node;       /* node index, or CRASH_COORDINATOR */
    double at;      /* crash time (s) */
    double recover; /* recovery time (s), or INFINITY */
};

struct crash_schedule {
    int n;
    struct crash_event ev[FAULTS_MAX];
};

/* Parse a schedule: "none" or "" (no crash), or a comma list of events
 * without empty elements. Node ranges are checked per run (the node count).
 * Returns 0, or -1 with a message in err. */
int faults_parse(const char *text, struct crash_schedule *out, char *err, size_t errlen);

/* Config validator form of faults_parse (struct param.validate). */
int faults_validate(const char *text, char *err, size_t errlen);

/* Nonzero when an event names the coordinator (needs a run that elects or
 * names one). */
int faults_has_coordinator(const struct crash_schedule *s);

#endif
