/* The exploring engine (explore.c) and its parts: the safety properties it
 * checks after every event (explore_check.c) and its schedules and report
 * (explore_report.c). Within src/engine/: it knows the runtime's node
 * state, never an algorithm by name, only the families. */
#ifndef CLOCKLAB_EXPLORE_H
#define CLOCKLAB_EXPLORE_H

#include "runtime/engine.h"

#include <stddef.h>
#include <stdint.h>

struct runtime;

#define EXPLORE_MAX_DELAYS 16 /* values in [explore] delays */

/* One choice point of an execution: the alternative taken, of how many. */
struct explore_choice {
    uint16_t pick, of;
};

/* A set of request ids (open addressing, linear probing). */
struct id_set {
    uint64_t *slot; /* 0 = empty (ids are > 0) */
    size_t n, cap;
};

/* Which properties an execution is checked against, and what the checks
 * keep between instants of one execution. */
struct explore_check {
    int mutex, election, service; /* the families whose property is checked */
    size_t events_seen;           /* events/ rows of the runtime already read */
    uint64_t *order;              /* the one delivery order seen so far (msg ids) */
    size_t norder, cap_order;
    size_t *delivered;   /* [count]: deliveries of each node so far */
    size_t *stages_seen; /* [count]: request stage rows of each node already read */
    struct id_set sent, served;
};

struct xstate {
    /* configuration */
    double delays[EXPLORE_MAX_DELAYS];
    int ndelays, ties, reduction, shortest;
    long max_executions;
    unsigned long long max_events;
    /* the execution under way: its choices, and the prefix it follows */
    struct explore_choice *path, *prefix;
    size_t depth, cap_path, nprefix, cap_prefix;
    unsigned long long events, limit; /* its events, and where it is cut */
    int violated, live_failed, cut;
    int level_cut;  /* some execution of this depth was cut */
    int replay;     /* [explore] schedule: one execution, no search */
    int bounded;    /* max_executions or a stop ended a depth part way */
    char what[256]; /* the violation, in words */
    struct explore_check check;
    /* the search */
    unsigned long long executions, violations, liveness_failures, total_events;
    unsigned long long level_executions; /* of the last depth: each a distinct execution */
    size_t max_depth;
    int exhausted;
    double wall_time;
    double first_violation; /* wall s from the start to the first violation found */
    /* the violation with the fewest events */
    struct explore_choice *best;
    size_t nbest;
    int has_best;
    unsigned long long best_events;
    /* the execution the file records */
    int replayed_violation;
    unsigned long long replayed_events;
    char replayed_what[256];
};

/* explore_check.c: the safety property of the run's families, from the
 * literature: mutual exclusion, at most one node in the critical section
 * (Dijkstra 1965; Lamport 1978; Ricart & Agrawala 1981); election, no two
 * alive nodes that believe in alive coordinators believe in different ones
 * (Garcia-Molina 1982; Chang & Roberts 1979; Lynch, Distributed
 * Algorithms, 3.3); totally ordered delivery (DELIVER events), every node's
 * deliveries a prefix of one sequence (Lamport 1978; Defago et al., ACM
 * Computing Surveys 36(4), 2004: uniform total order); request routing,
 * no request served twice and no reply to a request never sent (at-most-
 * once, Birrell & Nelson 1984). Returns 0, or -1 (no memory). */
int explore_check_init(struct runtime *rt, struct explore_check *c);
/* Before each execution: nothing seen yet. */
void explore_check_reset(struct runtime *rt, struct explore_check *c);
void explore_check_free(struct explore_check *c);
/* At the end of an instant: 0, or 1 with the violation in words in what. */
int explore_check_event(struct runtime *rt, struct explore_check *c, char *what, size_t n);
/* At the end of an execution that kept its property: 1 when liveness
 * failed within the horizon (mutual exclusion: a request not granted;
 * election: an alive node without an alive coordinator), else 0. */
int explore_check_end(struct runtime *rt, struct explore_check *c);

/* explore_report.c: parse [explore] schedule, "" or the picks "0,2,1" of
 * an execution's choice points in order. With out NULL only checks.
 * Returns 0, or -1 with a message. */
int explore_schedule_parse(const char *text, struct explore_choice **out, size_t *n, char *err,
                           size_t errlen);
/* The search's figures into rt->explored (the run's explore_* attributes)
 * and one line on stderr. */
void explore_report(struct runtime *rt, const struct xstate *x);

extern const struct engine engine_explore;

#endif
