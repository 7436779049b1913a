/* The workload every mutual-exclusion algorithm runs: each node asks for
 * the critical section `interval` after its start or its previous exit,
 * holds it for `hold` (both distributions, drawn per entry), `entries`
 * times (0 = until the run ends), and records REQUEST, ENTER and EXIT in
 * mutex/sections (node_record_section). */
#ifndef CLOCKLAB_CS_WORKLOAD_H
#define CLOCKLAB_CS_WORKLOAD_H

#include "api/algorithm.h"

#include <math.h>

/* The three workload keys, for an algorithm's parameter table. */
#define CS_WORKLOAD_PARAMS                                                                         \
    {.key = "entries",                                                                             \
     .type = PARAM_INT,                                                                            \
     .default_value = "5",                                                                         \
     .help = "critical sections per node; 0 = until the run ends",                                 \
     .hi = 1 << 30,                                                                                \
     .needs_duration = NEEDS_DURATION_AT_ZERO},                                                    \
        {.key = "interval",                                                                        \
         .type = PARAM_DIST,                                                                       \
         .default_value = "exponential(5ms)",                                                      \
         .help = "time from the start or the previous exit to the next request",                   \
         .lo = CONFIG_MIN_PERIOD,                                                                  \
         .hi = HUGE_VAL,                                                                           \
         .zero_ok = 1,                                                                             \
         .dist_unit = DIST_INTERVAL},                                                              \
    {                                                                                              \
        .key = "hold", .type = PARAM_DIST, .default_value = "constant(1ms)",                       \
        .help = "time spent in the critical section", .lo = CONFIG_MIN_PERIOD, .hi = HUGE_VAL,     \
        .zero_ok = 1, .dist_unit = DIST_INTERVAL                                                   \
    }

struct cs_workload {
    struct dist interval, hold;
    long entries, completed;
    int request_timer, exit_timer;
    int wanting, inside; /* a request is open; the node is in the critical section */
};

/* Read [section] entries, interval and hold; the two timer ids the workload
 * uses. Declares mutex/sections. (entries = 0 needs [experiment] duration >
 * 0: CS_WORKLOAD_PARAMS declares it, the configuration checks it.) */
void cs_configure(struct node *n, struct cs_workload *w, const struct config *cfg,
                  const char *section, int request_timer, int exit_timer);

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

/* For struct algorithm.estimate: the entries of one node in `seconds`
 * (`entries`, or one per mean interval + hold when entries = 0) into
 * out->sections for `askers` nodes, 2 timers per entry and out->key; returns
 * the entries of all askers, for the algorithm's messages per entry. */
double cs_estimate(const struct config *cfg, const char *section, double seconds, int askers,
                   struct record_estimate *out);

#endif
