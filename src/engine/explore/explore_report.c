/* The exploring engine's schedules and report (explore.h). */
#include "engine/explore/explore.h"

#include "runtime/node_state.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int explore_schedule_parse(const char *text, struct explore_choice **out, size_t *n, char *err,
                           size_t errlen) {
    size_t count = 0, cap = 0;
    struct explore_choice *picks = NULL;
    const char *p = text;
    while (*p == ' ' || *p == '\t')
        p++;
    while (*p) {
        if (*p < '0' || *p > '9') {
            snprintf(err, errlen, "'%s': a comma list of choices (0, 1, ...) expected", text);
            free(picks);
            return -1;
        }
        errno = 0;
        char *end;
        unsigned long v = strtoul(p, &end, 10);
        if (errno || v > 65534) {
            snprintf(err, errlen, "'%s': a choice above 65534", text);
            free(picks);
            return -1;
        }
        if (out) {
            if (count == cap) {
                cap = cap ? 2 * cap : 64;
                struct explore_choice *q = realloc(picks, cap * sizeof *q);
                if (!q) {
                    snprintf(err, errlen, "out of memory");
                    free(picks);
                    return -1;
                }
                picks = q;
            }
            picks[count] = (struct explore_choice){(uint16_t)v, (uint16_t)(v + 1)};
        }
        count++;
        p = end;
        while (*p == ' ' || *p == '\t')
            p++;
        if (*p == ',') {
            p++;
            while (*p == ' ' || *p == '\t')
                p++;
            if (!*p) {
                snprintf(err, errlen, "'%s': an empty element", text);
                free(picks);
                return -1;
            }
        } else if (*p) {
            snprintf(err, errlen, "'%s': a comma list of choices (0, 1, ...) expected", text);
            free(picks);
            return -1;
        }
    }
    if (out) {
        *out = picks;
        *n = count;
    }
    return 0;
}

void explore_report(struct runtime *rt, const struct xstate *x) {
    struct explore_result *r = &rt->explored;
    free(r->schedule);
    memset(r, 0, sizeof *r);
    r->executions = x->executions;
    r->distinct = x->level_executions;
    r->violations = x->violations;
    r->liveness_failures = x->liveness_failures;
    r->events = x->total_events;
    r->max_choices = x->max_depth;
    r->counterexample_events = x->replayed_events;
    r->exhausted = x->exhausted;
    r->wall_time = x->wall_time;
    r->first_violation = x->violations ? x->first_violation : NAN;
    snprintf(r->violation, sizeof r->violation, "%s", x->replayed_what);
    /* the recorded execution's picks, up to its last non-zero one */
    size_t last = 0;
    for (size_t i = 0; i < x->depth; i++)
        if (x->path[i].pick) last = i + 1;
    r->schedule = malloc(6 * last + 1);
    if (!r->schedule) rt_out_of_memory();
    size_t at = 0;
    r->schedule[0] = '\0';
    for (size_t i = 0; i < last; i++)
        at += (size_t)sprintf(r->schedule + at, i ? ",%u" : "%u", (unsigned)x->path[i].pick);
    if (rt->rank == 0)
        fprintf(stderr,
                "clocklab: %s: explored %llu executions, %llu distinct at the last depth (%s) in "
                "%.2f s, %llu events, deepest %zu choices; %llu violate safety, %llu miss "
                "liveness within the horizon%s%s\n",
                rt->progress_label, x->executions, x->level_executions,
                x->replay                    ? "the schedule given"
                : x->exhausted               ? "the whole space"
                : x->has_best && !x->bounded ? "the first depth with a violation"
                : rt->interrupted            ? "stopped"
                                             : "a bound cut the search",
                x->wall_time, x->total_events, x->max_depth, x->violations, x->liveness_failures,
                !x->replayed_violation       ? ""
                : x->replay                  ? "; the violation: "
                : x->has_best && !x->bounded ? "; the shortest: "
                                             : "; the fewest events found: ",
                x->replayed_violation ? x->replayed_what : "");
}
