/* The workload every mutual-exclusion algorithm runs: each node asks for
 * the critical section `interval` after its start or its previous exit,
 * holds it for `hold` (both distributions, drawn per entry), `entries`
 * times (0 = until the run ends), and records REQUEST, ENTER and EXIT in
 * mutex/sections (node_record_section). */
#ifndef CLOCKLAB_CS_WORKLOAD_H
#define CLOCKLAB_CS_WORKLOAD_H

#include "algorithm.h"

/* The three workload keys, for an algorithm's parameter table. */
#define CS_WORKLOAD_PARAMS                                                                         \
    {"entries", PARAM_INT, "5", "critical sections per node; 0 = until the run ends", 0, 1 << 30,  \
     0,         NULL,      NULL},                                                                  \
        {"interval",                                                                               \
         PARAM_DIST,                                                                               \
         "exponential(5ms)",                                                                       \
         "time from the start or the previous exit to the next request",                           \
         0,                                                                                        \
         0,                                                                                        \
         DIST_TIME_NONNEG,                                                                         \
         NULL,                                                                                     \
         NULL},                                                                                    \
    {                                                                                              \
        "hold", PARAM_DIST, "constant(1ms)", "time spent in the critical section", 0, 0,           \
            DIST_TIME_NONNEG, NULL, NULL                                                           \
    }

struct cs_workload {
    struct dist interval, hold;
    long entries, completed;
    int request_timer, exit_timer;
    int wanting, inside; /* a request is open; the node is in the critical section */
};

/* Read [section] entries, interval and hold; the two timer ids the workload
 * uses. Declares mutex/sections. Returns 0, or -1 with a message (entries
 * must be > 0 when [experiment] duration = 0). */
int cs_configure(struct node *n, struct cs_workload *w, const struct config *cfg,
                 const char *section, int request_timer, int exit_timer, char *err, size_t errlen);

/* Schedule the next request after `interval`, unless every entry is done. */
void cs_next(struct node *n, struct cs_workload *w);

/* Record the request (its ordering stamp) / the entry; cs_enter also starts
 * the hold timer. */
void cs_request(struct node *n, struct cs_workload *w, uint64_t stamp);
void cs_enter(struct node *n, struct cs_workload *w, uint64_t stamp);

/* The hold is over: record the exit and count the entry. The caller then
 * releases the section by its algorithm and calls cs_next. Returns 1 when
 * this was the node's last entry (node_done has been called). */
int cs_exit(struct node *n, struct cs_workload *w);

/* After a crash: no open request, no section held; start again. */
void cs_recover(struct node *n, struct cs_workload *w);

#endif
