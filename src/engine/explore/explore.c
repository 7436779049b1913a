/* The exploring engine ([experiment] time = explore): a configuration run
 * as virtual time runs it, over and over, once for every combination of
 * the choices the network and the scheduler could make, each execution
 * checked against the safety property of its algorithms' family after
 * every event (explore_check.c).
 *
 * Choice points (explore.h):
 *   delay  each message's one-way delay is one of [explore] delays (FIFO
 *          per channel kept: a message is never due before the one sent
 *          before it on its channel);
 *   loss   with [network] loss > 0, whether each message is lost;
 *   ties   the order of the events due at one instant at one node (with
 *          [explore] reduction = on; off: at any node).
 * Time stays exact: timers fire at their times and the clocks keep their
 * true offsets and drifts.
 *
 * The search is stateless (Godefroid, "Model checking for programming
 * languages using VeriSoft", POPL 1997): every execution starts from the
 * nodes as set up (rt_reset_nodes) and follows a prefix of choices, then
 * takes the first alternative at every later choice point; the next prefix
 * is the last one's with its deepest choice that has an alternative left
 * moved to it (depth-first, in lexicographic order of the choices). An
 * execution stops at its first violation; the violation with the fewest
 * events is kept, and when the search ends the engine runs it once more,
 * as the run the file records (events/ traced), with its choices in the
 * run's `explore_schedule` attribute ([explore] schedule replays it).
 *
 * Events at one instant at different nodes touch disjoint node states and
 * commute when every delay is > 0 (nothing sent at an instant arrives at
 * it), so with reduction = on only the order at each node is a choice:
 * a persistent-set reduction in the sense of Godefroid (LNCS 1032, 1996). */
#include "engine/explore/explore.h"

#include "runtime/event_core.h"
#include "runtime/node_events.h"
#include "runtime/node_state.h"
#include "runtime/run_control.h"
#include "util/units.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TIE_MAX 256 /* events due at one instant that one choice can order */

static struct xstate *xs_of(struct runtime *rt) {
    return rt->xs;
}

/* The choice at the next choice point among n alternatives (0 .. n-1). */
static int choose(struct xstate *x, int n) {
    if (n <= 1) return 0;
    if (x->depth >= x->cap_path) {
        size_t cap = x->cap_path ? 2 * x->cap_path : 64;
        struct explore_choice *p = realloc(x->path, cap * sizeof *p);
        if (!p) rt_out_of_memory();
        x->path = p;
        x->cap_path = cap;
    }
    int pick = 0;
    if (x->depth < x->nprefix) pick = x->prefix[x->depth].pick;
    if (pick >= n) pick = n - 1; /* a replayed schedule of another configuration */
    x->path[x->depth++] = (struct explore_choice){(uint16_t)pick, (uint16_t)n};
    return pick;
}

/* The due times the delays give, each once: a delay that would put the
 * message before the channel's previous one gives that one's due time
 * (FIFO), so two such delays are one choice. */
static double x_due(struct runtime *rt, struct node_state *src, int dst, double base, double last) {
    (void)src, (void)dst;
    struct xstate *x = xs_of(rt);
    double due[EXPLORE_MAX_DELAYS];
    int n = 0;
    for (int i = 0; i < x->ndelays; i++) { /* delays ascending: dues non-decreasing */
        double d = fmax(base + x->delays[i], last);
        if (n == 0 || d > due[n - 1]) due[n++] = d;
    }
    return due[choose(x, n)];
}

static int x_lost(struct runtime *rt, struct node_state *src, int dst) {
    (void)src, (void)dst;
    return rt->loss > 0 ? choose(xs_of(rt), 2) : 0;
}

static double x_now(struct runtime *rt) {
    return rt->now;
}

static void x_send(struct runtime *rt, struct node_state *src, const struct wire_header *h,
                   const void *payload, size_t len) {
    (void)src;
    core_push_message(rt, h, payload, len);
}

/* May event b be taken before a, both due now? Only one of a node's events
 * (reduction on) and never a message ahead of an earlier one on its
 * channel. */
static int candidate(const struct xstate *x, const struct vevent *tie, int n, int k, int node) {
    const struct vevent *e = &tie[k];
    if (x->reduction && e->dst != node) return 0;
    if (e->kind != VEV_MESSAGE) return 1;
    for (int j = 0; j < n; j++)
        if (j != k && tie[j].kind == VEV_MESSAGE && tie[j].dst == e->dst && tie[j].src == e->src &&
            tie[j].seq < e->seq)
            return 0;
    return 1;
}

/* Take the next event, choosing among those due at the same instant.
 * Timer events that do nothing now (moved later, or replaced) are set
 * aside while the others are gathered, and go back unchosen. */
static int next_event(struct runtime *rt, struct xstate *x, struct vevent *out) {
    if (core_pop(rt, out)) return -1;
    if (!x->ties || out->kind == VEV_FAULTS || !core_event_acts(rt, out)) return 0;
    struct vevent tie[TIE_MAX], aside[TIE_MAX];
    int n = 0, na = 0;
    tie[n++] = *out;
    /* host-level crash events sort first at their instant: none is left */
    while (n < TIE_MAX && na < TIE_MAX && core_next_time(rt) == out->time) {
        struct vevent e;
        core_pop(rt, &e);
        if (core_event_acts(rt, &e))
            tie[n++] = e;
        else
            aside[na++] = e;
    }
    int cand[TIE_MAX], m = 0;
    for (int k = 0; k < n; k++)
        if (candidate(x, tie, n, k, tie[0].dst)) cand[m++] = k;
    int k = cand[choose(x, m)];
    *out = tie[k];
    for (int j = 0; j < n; j++)
        if (j != k) core_push_back(rt, &tie[j]);
    for (int j = 0; j < na; j++)
        core_push_back(rt, &aside[j]);
    return 0;
}

/* One execution from the start, following x->prefix; stops at the first
 * violation. */
static void execution(struct runtime *rt, struct xstate *x) {
    core_free(rt);
    rt_reset_nodes(rt);
    if (core_init(rt)) rt_out_of_memory();
    x->depth = 0;
    x->events = 0;
    x->violated = x->cut = x->live_failed = 0;
    explore_check_reset(rt, &x->check);
    double end = rt->duration > 0 ? rt->duration : rt->timeout;
    for (int k = 0; k < rt->count; k++)
        core_apply_faults(rt, &rt->local[k]);
    for (int k = 0; k < rt->count; k++)
        rt_start_node(&rt->local[k]);
    struct vevent e;
    for (;;) {
        if (rt->duration <= 0 && rt->not_done == 0 && core_messages(rt) == 0) break;
        if (core_next_time(rt) >= end) {
            if (rt->duration <= 0) rt->timed_out = 1;
            rt->now = end;
            break;
        }
        if (x->events >= x->limit) {
            x->cut = 1; /* events are left: the horizon in events cut it */
            break;
        }
        if (next_event(rt, x, &e)) break;
        rt->now = e.time;
        core_dispatch(rt, &e);
        if (e.kind != VEV_FAULTS) x->events++;
        /* the state at the end of each instant (every order of its events
         * at one node is explored; events at different nodes commute) */
        if (core_next_time(rt) > e.time &&
            explore_check_event(rt, &x->check, x->what, sizeof x->what)) {
            x->violated = 1;
            break;
        }
    }
    if (!x->violated && !x->cut) x->live_failed = explore_check_end(rt, &x->check);
    rt->stopped = 1;
}

/* The next prefix: the deepest choice with an alternative left, moved on. */
static int advance(struct xstate *x) {
    size_t d = x->depth;
    while (d > 0 && x->path[d - 1].pick + 1 >= x->path[d - 1].of)
        d--;
    if (d == 0) return 0;
    if (d > x->cap_prefix) {
        struct explore_choice *p = realloc(x->prefix, d * sizeof *p);
        if (!p) rt_out_of_memory();
        x->prefix = p;
        x->cap_prefix = d;
    }
    memcpy(x->prefix, x->path, d * sizeof *x->prefix);
    x->prefix[d - 1].pick++;
    x->nprefix = d;
    return 1;
}

static void keep_counterexample(struct xstate *x) {
    if (x->has_best && x->best_events <= x->events) return;
    free(x->best);
    x->best = malloc((x->depth ? x->depth : 1) * sizeof *x->best);
    if (!x->best) rt_out_of_memory();
    memcpy(x->best, x->path, x->depth * sizeof *x->best);
    x->nbest = x->depth;
    x->has_best = 1;
    x->best_events = x->events;
}

/* Depth-first over every prefix, executions cut at `limit` events.
 * Returns 0 when the tree was walked whole, 1 when max_executions or a
 * stop request ended it. */
static int search(struct runtime *rt, struct xstate *x, unsigned long long limit, double wall0) {
    x->nprefix = 0;
    x->level_cut = 0;
    x->level_executions = 0;
    for (;;) {
        x->limit = limit;
        execution(rt, x);
        x->executions++;
        x->level_executions++;
        x->total_events += x->events;
        x->level_cut |= x->cut;
        if (x->depth > x->max_depth) x->max_depth = x->depth;
        if (x->violated) {
            if (!x->violations++) x->first_violation = MPI_Wtime() - wall0;
            keep_counterexample(x);
        }
        if (x->live_failed) x->liveness_failures++;
        if (!advance(x)) return 0;
        if (x->executions >= (unsigned long long)x->max_executions) return 1;
        if (runtime_stop_signal()) {
            rt->interrupted = 1;
            return 1;
        }
        if (rt->progress_next < INFINITY && MPI_Wtime() - wall0 >= rt->progress_next) {
            double w = MPI_Wtime() - wall0;
            fprintf(stderr,
                    "clocklab: %s: explored %llu executions (%.0f/s), up to %llu events each, "
                    "deepest %zu choices, %llu violations, %.1f s\n",
                    rt->progress_label, x->executions, x->executions / w, limit, x->max_depth,
                    x->violations, w);
            rt->progress_next = w + rt->progress_every;
        }
    }
}

/* Iterative deepening on the events of an execution (Korf, "Depth-first
 * iterative-deepening", Artif. Intell. 27, 1985): the whole tree of
 * executions cut at 8 events, then 16, 32, ... up to [explore] max_events.
 * The first depth at which a violation shows holds every violation with
 * fewer events, so the fewest-event one found there is the shortest of
 * all; a depth at which no execution was cut was the whole space. */
static void explore_run(struct runtime *rt, double *cpu) {
    *cpu = 0;
    struct xstate *x = xs_of(rt);
    double wall0 = MPI_Wtime();
    if (x->nprefix > 0) { /* [explore] schedule: that one execution */
        x->replay = 1;
        x->limit = x->max_events;
        rt->trace = 1;
        execution(rt, x);
        x->executions = x->level_executions = 1;
        x->total_events = x->events;
        x->max_depth = x->depth;
        x->violations = x->violated;
        x->liveness_failures = x->live_failed;
        x->exhausted = 0;
    } else {
        rt->trace = 0; /* the search records nothing; the replay below does */
        for (unsigned long long limit = x->shortest ? 8 : x->max_events;; limit *= 2) {
            if (limit > x->max_events) limit = x->max_events;
            int stopped = search(rt, x, limit, wall0);
            if (stopped) {
                x->bounded = 1; /* the depth was not searched whole */
                break;
            }
            if (!x->level_cut) {
                x->exhausted = 1;
                break;
            }
            if (x->has_best || limit >= x->max_events) break;
        }
        x->wall_time = MPI_Wtime() - wall0;
        /* the run the file records: the shortest counterexample, or the
         * first execution, traced */
        free(x->prefix);
        x->prefix = x->has_best ? x->best : NULL;
        x->nprefix = x->has_best ? x->nbest : 0;
        x->cap_prefix = x->nprefix;
        x->best = NULL;
        int interrupted = rt->interrupted;
        rt->trace = 1;
        x->limit = x->has_best ? x->best_events : x->max_events;
        execution(rt, x);
        rt->interrupted = interrupted;
    }
    rt->trace = 1; /* the recorded execution is traced (trace = on or off) */
    x->wall_time = MPI_Wtime() - wall0;
    x->replayed_violation = x->violated;
    snprintf(x->replayed_what, sizeof x->replayed_what, "%s", x->violated ? x->what : "");
    x->replayed_events = x->events;
    explore_report(rt, x);
    rt->events_processed = x->total_events;
    rt->event_time = x->wall_time;
}

static int delays_read(const struct config *cfg, double *out, int *n, char *err, size_t errlen);

static int ascending(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* "1ms, 2ms": the delays to choose from, each once and in ascending order,
 * else those of a [network] delay with finitely many values. */
static int delays_of(const struct config *cfg, double *out, int *n, char *err, size_t errlen) {
    if (delays_read(cfg, out, n, err, errlen)) return -1;
    qsort(out, (size_t)*n, sizeof *out, ascending);
    int listed = config_get(cfg, "explore", "delays")[0] != '\0', k = 0;
    for (int i = 0; i < *n; i++) {
        if (k && out[i] == out[k - 1]) {
            if (listed)
                return config_fail(cfg, "explore", "delays", err, errlen, "%g s is listed twice",
                                   out[i]);
            continue;
        }
        out[k++] = out[i];
    }
    *n = k;
    return 0;
}

static int delays_read(const struct config *cfg, double *out, int *n, char *err, size_t errlen) {
    const char *text = config_get(cfg, "explore", "delays");
    *n = 0;
    if (!text[0]) {
        struct dist d;
        config_dist(cfg, "network", "delay", &d);
        if (d.kind == DIST_CONSTANT) {
            out[(*n)++] = d.a;
        } else if (d.kind == DIST_UNIFORM) {
            out[(*n)++] = d.a;
            if (d.b > d.a) out[(*n)++] = d.b;
        } else if (d.kind == DIST_VALUES) {
            for (int i = 0; i < d.nvalues; i++) {
                int seen = 0;
                for (int j = 0; j < *n && !seen; j++)
                    seen = out[j] == d.values[i];
                if (seen) continue;
                if (*n == EXPLORE_MAX_DELAYS)
                    return config_fail(cfg, "network", "delay", err, errlen,
                                       "more than %d different values to explore: list at "
                                       "most %d in [explore] delays",
                                       EXPLORE_MAX_DELAYS, EXPLORE_MAX_DELAYS);
                out[(*n)++] = d.values[i];
            }
        } else {
            return config_fail(cfg, "explore", "delays", err, errlen,
                               "[network] delay = %s has no finite set of values: list the "
                               "delays to explore, e.g. delays = 1ms, 2ms",
                               config_get(cfg, "network", "delay"));
        }
        return 0;
    }
    char buf[1024];
    if (strlen(text) >= sizeof buf)
        return config_fail(cfg, "explore", "delays", err, errlen, "longer than %zu characters",
                           sizeof buf - 1);
    snprintf(buf, sizeof buf, "%s", text);
    char *save = NULL;
    for (char *tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        while (*tok == ' ' || *tok == '\t')
            tok++;
        size_t len = strlen(tok);
        while (len && (tok[len - 1] == ' ' || tok[len - 1] == '\t'))
            tok[--len] = '\0';
        char why[256];
        double v;
        if (*n == EXPLORE_MAX_DELAYS)
            return config_fail(cfg, "explore", "delays", err, errlen, "at most %d delays",
                               EXPLORE_MAX_DELAYS);
        if (parse_time(tok, &v, why, sizeof why))
            return config_fail(cfg, "explore", "delays", err, errlen, "'%s': %s", tok, why);
        if (v < 0)
            return config_fail(cfg, "explore", "delays", err, errlen, "'%s' is negative", tok);
        out[(*n)++] = v;
    }
    if (*n == 0)
        return config_fail(cfg, "explore", "delays", err, errlen, "no delay in '%s'", text);
    return 0;
}

static int explore_check(const struct run_plan *plan, int ranks, char *err, size_t n) {
    const struct config *cfg = plan->cfg;
    if (ranks > 1)
        return config_fail(cfg, "experiment", "time", err, n,
                           "explore runs on one rank (mpirun -n 1), not %d", ranks);
    double delays[EXPLORE_MAX_DELAYS];
    int nd;
    if (delays_of(cfg, delays, &nd, err, n)) return -1;
    int listed = config_get(cfg, "explore", "delays")[0] != '\0';
    for (int i = 0; i < nd; i++)
        if (!(config_time(cfg, "network", "min_delay") + delays[i] > 0))
            return config_fail(cfg, listed ? "explore" : "network", listed ? "delays" : "delay",
                               err, n,
                               "a delay of 0 (with [network] min_delay = 0) lets a message "
                               "arrive at the instant it is sent, which the order of events "
                               "at one instant cannot explore: every delay must be > 0");
    if (config_bool(cfg, "network", "reliable"))
        return config_fail(cfg, "network", "reliable", err, n,
                           "explore chooses each message's fate itself: it needs reliable = off");
    char why[CONFIG_ERR_LEN];
    if (explore_schedule_parse(config_get(cfg, "explore", "schedule"), NULL, NULL, why, sizeof why))
        return config_fail(cfg, "explore", "schedule", err, n, "%s", why);
    return 0;
}

static int explore_init(struct runtime *rt) {
    struct xstate *x = calloc(1, sizeof *x);
    if (!x) return -1;
    rt->xs = x;
    const struct config *cfg = rt->plan->cfg;
    char err[CONFIG_ERR_LEN];
    if (delays_of(cfg, x->delays, &x->ndelays, err, sizeof err)) return -1;
    x->ties = config_bool(cfg, "explore", "ties");
    x->reduction = config_bool(cfg, "explore", "reduction");
    x->shortest = config_bool(cfg, "explore", "shortest");
    x->max_executions = config_int(cfg, "explore", "max_executions");
    x->max_events = (unsigned long long)config_int(cfg, "explore", "max_events");
    if (explore_schedule_parse(config_get(cfg, "explore", "schedule"), &x->prefix, &x->nprefix, err,
                               sizeof err))
        return -1;
    x->cap_prefix = x->nprefix;
    if (explore_check_init(rt, &x->check)) return -1;
    return core_init(rt);
}

static void explore_free(struct runtime *rt) {
    struct xstate *x = xs_of(rt);
    if (!x) return;
    core_free(rt);
    explore_check_free(&x->check);
    free(x->path);
    free(x->prefix);
    free(x->best);
    free(x);
    rt->xs = NULL;
}

const struct engine engine_explore = {
    .name = "explore",
    .paced = 0,
    .explores = 1,
    .check = explore_check,
    .init = explore_init,
    .run = explore_run,
    .free = explore_free,
    .now = x_now,
    .send = x_send,
    .set_timer = core_set_timer,
    .cancel_timer = core_cancel_timer,
    .due = x_due,
    .lost = x_lost,
};
