#include "plan.h"

#include "api/algorithm.h"
#include "config/schema.h"
#include "engine/engines.h"
#include "model/faults.h"
#include "model/roles.h"
#include "output/recorder.h"
#include "runtime/reliable.h"
#include "util/units.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SEED_MAX 2147483647L
#define MAX_ALGORITHMS 64

const struct section_schema *const *plan_schema(void) {
    static struct section_schema algs[MAX_ALGORITHMS];
    static const struct section_schema *list[SCHEMA_CORE_COUNT + MAX_ALGORITHMS + 1];
    if (list[0]) return list;
    size_t k = 0;
    for (size_t i = 0; schema_core[i]; i++)
        list[k++] = schema_core[i];
    for (size_t i = 0; algorithm_registry[i] && i < MAX_ALGORITHMS; i++) {
        algs[i].name = algorithm_registry[i]->name;
        algs[i].params = algorithm_registry[i]->params;
        list[k++] = &algs[i];
    }
    list[k] = NULL;
    return list;
}

/* Resolve one stack "a + b" into plan (names trimmed, joined by '+'). */
static int plan_stack(const struct config *cfg, const char *stack, size_t len,
                      struct run_plan *plan, char *err, size_t n) {
    char why[CONFIG_ERR_LEN], joined[sizeof plan->algorithm] = "";
    const struct algorithm *layers[RUNTIME_MAX_LAYERS];
    int nlayers = 0;
    for (const char *p = stack, *end = stack + len; p <= end;) {
        const char *plus = memchr(p, '+', (size_t)(end - p));
        const char *stop = plus ? plus : end;
        char *name = trim_dup(p, (size_t)(stop - p));
        if (!name) return config_fail(cfg, "experiment", "algorithm", err, n, "out of memory");
        const struct algorithm *a = algorithm_find(name);
        if (!a) {
            char names[512] = "", q[80];
            for (size_t i = 0; algorithm_registry[i]; i++) {
                size_t l = strlen(names);
                snprintf(names + l, sizeof names - l, "%s%s", l ? ", " : "",
                         algorithm_registry[i]->name);
            }
            quote_text(name, 60, q, sizeof q);
            snprintf(why, sizeof why, "unknown algorithm %s (known: %s)", q, names);
            free(name);
            return config_fail(cfg, "experiment", "algorithm", err, n, "%s", why);
        }
        free(name);
        for (int i = 0; i < nlayers; i++)
            if (layers[i] == a) {
                snprintf(why, sizeof why, "'%s' twice in the stack", a->name);
                return config_fail(cfg, "experiment", "algorithm", err, n, "%s", why);
            }
        if (nlayers == RUNTIME_MAX_LAYERS) {
            snprintf(why, sizeof why, "at most %d algorithms in one stack", RUNTIME_MAX_LAYERS);
            return config_fail(cfg, "experiment", "algorithm", err, n, "%s", why);
        }
        layers[nlayers++] = a;
        size_t l = strlen(joined);
        snprintf(joined + l, sizeof joined - l, "%s%s", l ? "+" : "", a->name);
        p = stop + 1;
    }
    for (int i = 0; i < nlayers; i++) {
        plan->layers[i] = layers[i];
        /* a count whose 0 means "until the run ends" needs a duration */
        if (config_check_duration(cfg, layers[i]->name, err, n)) return -1;
    }
    plan->nlayers = nlayers;
    snprintf(plan->algorithm, sizeof plan->algorithm, "%s", joined);
    return 0;
}

/* A key given (in the file or with --set) in an algorithm's section that no
 * run of the configuration uses would be silently ignored: refuse it,
 * naming the first such key. Returns 0 or -1. */
static int check_unused_sections(const struct config *cfg, const struct run_plan *plans, int nplans,
                                 char *err, size_t n) {
    if (!strcmp(config_get(cfg, "experiment", "unused_keys"), "ignore")) return 0;
    for (size_t e = 0; e < cfg->n; e++) {
        const struct config_entry *entry = &cfg->entries[e];
        if (entry->source == SOURCE_PROGRAM || !algorithm_find(entry->section)) continue;
        int used = 0;
        for (int i = 0; i < nplans && !used; i++)
            for (int l = 0; l < plans[i].nlayers; l++)
                used |= !strcmp(plans[i].layers[l]->name, entry->section);
        if (!used)
            return config_fail(cfg, entry->section, entry->key, err, n,
                               "no run uses %s ([experiment] algorithm = %s): remove the key, "
                               "add %s to the algorithm, or set [experiment] unused_keys = "
                               "ignore",
                               entry->section, config_get(cfg, "experiment", "algorithm"),
                               entry->section);
    }
    return 0;
}

/* A crash or recovery at or after the run's end ([experiment] duration, or
 * timeout with duration 0, where the engines stop) would never happen. */
static int check_crash_times(const struct config *cfg, char *err, size_t n) {
    double duration = config_time(cfg, "experiment", "duration");
    const char *span = duration > 0 ? "duration" : "timeout";
    double end = config_time(cfg, "experiment", span);
    struct crash_schedule crashes;
    char why[CONFIG_ERR_LEN];
    if (faults_parse(config_get(cfg, "faults", "crash"), &crashes, why, sizeof why))
        return config_fail(cfg, "faults", "crash", err, n, "%s", why);
    for (int i = 0; i < crashes.n; i++) {
        const struct crash_event *e = &crashes.ev[i];
        int late_recovery = isfinite(e->recover) && e->recover >= end;
        if (e->at < end && !late_recovery) continue;
        return config_fail(cfg, "faults", "crash", err, n,
                           "%s at %g s would never happen: %s at [experiment] %s = %s (%s)",
                           late_recovery && e->at < end ? "a recovery" : "a crash",
                           late_recovery && e->at < end ? e->recover : e->at,
                           duration > 0 ? "the run ends" : "a run with duration 0 stops", span,
                           config_get(cfg, "experiment", span),
                           config_origin(cfg, "experiment", span));
    }
    return 0;
}

int plan_runs(const struct config *cfg, struct run_plan **plans, int *nplans, char *err, size_t n) {
    const char *list = config_get(cfg, "experiment", "algorithm");
    long repeat = config_int(cfg, "experiment", "repeat");
    long seed = config_int(cfg, "experiment", "seed");
    char why[CONFIG_ERR_LEN];
    *plans = NULL;
    *nplans = 0;
    if (seed > SEED_MAX - (repeat - 1)) {
        snprintf(why, sizeof why,
                 "%ld runs from seed %ld would use seeds up to %ld, beyond the largest seed %ld",
                 repeat, seed, seed + repeat - 1, SEED_MAX);
        return config_fail(cfg, "experiment", "repeat", err, n, "%s", why);
    }
    if (check_crash_times(cfg, err, n)) return -1;
    long count = 1;
    for (const char *p = list; *p; p++)
        count += *p == ',';
    int *sizes = malloc(ROLES_MAX_COUNTS * sizeof *sizes), nsizes = 0;
    if (!sizes) return config_fail(cfg, "experiment", "nodes", err, n, "out of memory");
    if (roles_node_counts(config_get(cfg, "experiment", "nodes"), sizes, ROLES_MAX_COUNTS, &nsizes,
                          why, sizeof why)) {
        free(sizes);
        return config_fail(cfg, "experiment", "nodes", err, n, "%s", why);
    }
    if (count * nsizes * repeat > PLAN_MAX_RUNS) {
        snprintf(why, sizeof why,
                 "%ld runs (%ld algorithm stacks x %d node counts x %ld repeats): at most %d runs "
                 "in one file",
                 count * nsizes * repeat, count, nsizes, repeat, PLAN_MAX_RUNS);
        free(sizes);
        /* name the key whose list makes the runs: the largest factor */
        const char *key = count >= nsizes && count >= repeat ? "algorithm"
                          : nsizes >= repeat                 ? "nodes"
                                                             : "repeat";
        return config_fail(cfg, "experiment", key, err, n, "%s", why);
    }
    count *= nsizes;
    *plans = calloc((size_t)(count * repeat), sizeof **plans);
    if (!*plans) {
        free(sizes);
        return config_fail(cfg, "experiment", "repeat", err, n, "out of memory");
    }
    for (const char *p = list;;) {
        const char *comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);
        struct run_plan first;
        memset(&first, 0, sizeof first);
        first.cfg = cfg;
        first.engine = engine_of(cfg);
        if (plan_stack(cfg, p, len, &first, err, n)) {
            free(*plans);
            free(sizes);
            *plans = NULL;
            *nplans = 0;
            return -1;
        }
        for (int s = 0; s < nsizes; s++)
            for (long k = 0; k < repeat; k++) {
                struct run_plan *r = &(*plans)[*nplans];
                *r = first;
                r->index = *nplans;
                r->seed = (unsigned long)(seed + k);
                r->nodes = sizes[s];
                (*nplans)++;
            }
        if (!comma) break;
        p = comma + 1;
    }
    free(sizes);
    if (check_unused_sections(cfg, *plans, *nplans, err, n)) {
        free(*plans);
        *plans = NULL;
        *nplans = 0;
        return -1;
    }
    return 0;
}

int plan_check_ranks(const struct run_plan *plan, int ranks, char *err, size_t n) {
    int nodes = plan->nodes;
    if (nodes > 0 && nodes < ranks)
        return config_fail(plan->cfg, "experiment", "nodes", err, n,
                           "%d nodes on %d ranks: at least one per rank", nodes, ranks);
    return engine_check_ranks(plan, ranks, err, n);
}

int plan_check_nodes(const struct run_plan *plan, int nodes, char *err, size_t n) {
    const struct config *cfg = plan->cfg;
    char why[CONFIG_ERR_LEN];
    if (reliable_check(cfg, err, n)) return -1;
    for (int i = 0; i < plan->nlayers; i++)
        if (nodes < plan->layers[i]->min_nodes)
            return config_fail(cfg, "experiment", plan->nodes > 0 ? "nodes" : "algorithm", err, n,
                               "%s needs at least %d nodes, this run has %d%s",
                               plan->layers[i]->name, plan->layers[i]->min_nodes, nodes,
                               plan->nodes > 0 ? ""
                                               : " (the rank count: set [experiment] nodes, or "
                                                 "mpirun -n N, or --check --nodes N)");
    struct crash_schedule crashes;
    if (faults_parse(config_get(cfg, "faults", "crash"), &crashes, why, sizeof why))
        return config_fail(cfg, "faults", "crash", err, n, "%s", why);
    for (int i = 0; i < crashes.n; i++)
        if (crashes.ev[i].node >= nodes) {
            snprintf(why, sizeof why, "node %d does not exist in a %d-node run (nodes 0..%d)",
                     crashes.ev[i].node, nodes, nodes - 1);
            return config_fail(cfg, "faults", "crash", err, n, "%s", why);
        }
    if (faults_has_coordinator(&crashes)) {
        int named = 0;
        for (int i = 0; i < plan->nlayers; i++)
            named |= plan->layers[i]->has_coordinator;
        if (!named) {
            snprintf(why, sizeof why,
                     "coordinator@: no algorithm of the run '%s' elects or names a coordinator "
                     "(name a node index instead)",
                     plan->algorithm);
            return config_fail(cfg, "faults", "crash", err, n, "%s", why);
        }
    }
    if (roles_check_initiators(config_get(cfg, "election", "initiators"), nodes, why, sizeof why))
        return config_fail(cfg, "election", "initiators", err, n, "%s", why);
    const char *labels = config_get(cfg, "nodes", "labels");
    int nlabels = roles_label_count(labels);
    if (nlabels && nlabels != nodes) {
        snprintf(why, sizeof why, "%d labels for a %d-node run (one per node, or none)", nlabels,
                 nodes);
        return config_fail(cfg, "nodes", "labels", err, n, "%s", why);
    }
    return 0;
}

/* One request: its stage rows (sent, dispatched, arrived, started,
 * finished, received, outcome), its requests/table row and two
 * requests/queue rows (arrival and departure). */
#define PLAN_REQUEST_BYTES                                                                         \
    (7 * sizeof(struct request_stage_row) + sizeof(struct request_row) +                           \
     2 * sizeof(struct queue_row))

void plan_size(const struct run_plan *plan, int nodes, struct plan_size *out) {
    const struct config *cfg = plan->cfg;
    memset(out, 0, sizeof *out);
    double duration = config_time(cfg, "experiment", "duration");
    double seconds = duration > 0 ? duration : config_time(cfg, "experiment", "timeout");
    int clock_sync = 0;
    for (int i = 0; i < plan->nlayers; i++)
        clock_sync |= plan->layers[i]->family == FAMILY_CLOCK_SYNC;
    /* clock/offset is sampled only for runs that synchronize clocks */
    out->samples =
        clock_sync ? floor(seconds / config_time(cfg, "clock", "sample_interval")) + 1.0 : 0.0;
    struct crash_schedule crashes;
    char why[CONFIG_ERR_LEN];
    if (faults_parse(config_get(cfg, "faults", "crash"), &crashes, why, sizeof why)) crashes.n = 0;
    int trace = config_bool(cfg, "experiment", "trace");
    double vector_events = 0, largest = 0, requests = 0, sections = 0, channels = 0;
    for (int i = 0; i < plan->nlayers; i++) {
        const struct algorithm *a = plan->layers[i];
        struct record_estimate e;
        memset(&e, 0, sizeof e);
        if (a->estimate) a->estimate(cfg, nodes, seconds, crashes.n, &e);
        double own = e.events + e.rounds + e.requests + e.sections +
                     (trace && !a->records_events ? 2.0 * e.messages : 0);
        if (e.key && own > largest) {
            largest = own;
            out->section = a->name;
            out->key = e.key;
        }
        out->events += e.events;
        out->rounds += e.rounds;
        requests += e.requests;
        sections += e.sections;
        if (e.vectors) vector_events += e.events;
        /* a channel carries at least one message: at most min(N p, messages)
         * channels, p the peers of a node (N - 1 when any) */
        double peers = e.peers > 0 && e.peers < nodes - 1.0 ? e.peers : nodes - 1.0;
        channels += fmin(nodes * peers, e.messages);
        if (trace && !a->records_events) out->traced += 2.0 * e.messages; /* send + receive */
        if (engine_paced(cfg)) out->timing += (e.messages + e.timers) * sizeof(double);
    }
    out->events += out->traced;
    out->requests = requests;
    out->sections = sections;
    out->bytes = out->samples * (nodes + 1.0) * sizeof(double) +
                 out->events * sizeof(struct event_row) + vector_events * nodes * sizeof(uint32_t) +
                 out->rounds * sizeof(struct round_row) + requests * PLAN_REQUEST_BYTES +
                 sections * sizeof(struct section_row);
    out->copies = config_time(cfg, "experiment", "checkpoint") > 0 ? 3.0 : 2.0;
    out->state = nodes * PLAN_NODE_BYTES;
    /* each channel has a sending and a receiving end */
    if (config_bool(cfg, "network", "reliable")) out->state += 2.0 * channels * PLAN_CHANNEL_BYTES;
    out->memory = out->copies * out->bytes + out->timing + out->state;
}

static void format_bytes(double b, char *out, size_t n) {
    static const char *unit[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
    int k = 0;
    while (b >= 1024.0 && k < 6)
        b /= 1024.0, k++;
    if (k == 6 && b >= 1024.0)
        snprintf(out, n, "%.3g EiB", b);
    else
        snprintf(out, n, k ? "%.1f %s" : "%.0f %s", b, unit[k]);
}

int plan_check_memory(const struct run_plan *plan, int nodes, double phys_bytes, char *err,
                      size_t n) {
    const struct config *cfg = plan->cfg;
    const char *setting = config_get(cfg, "experiment", "max_memory");
    double limit = 0.5 * phys_bytes;
    char why[CONFIG_ERR_LEN], have[64], max[64];
    if (strcmp(setting, "auto") != 0 && parse_bytes(setting, &limit, why, sizeof why))
        return config_fail(cfg, "experiment", "max_memory", err, n, "%s", why);
    struct plan_size s;
    plan_size(plan, nodes, &s);
    if (s.memory <= limit) return 0;
    /* Name the key behind the largest part. */
    double samples = s.copies * s.samples * (nodes + 1.0) * sizeof(double),
           traced = s.copies * s.traced * sizeof(struct event_row);
    double parts[4] = {samples, traced, s.memory - samples - traced - s.state, s.state};
    const char *section = "clock", *key = "sample_interval";
    if (parts[3] >= parts[0] && parts[3] >= parts[1] && parts[3] >= parts[2]) {
        section = "experiment";
        key = "nodes";
    } else if (parts[1] > parts[0] && parts[1] >= parts[2]) {
        section = "experiment";
        key = "trace";
    } else if (parts[2] > parts[0] && parts[2] > parts[1]) {
        section = s.key ? s.section : "experiment";
        key = s.key                                            ? s.key
              : config_time(cfg, "experiment", "duration") > 0 ? "duration"
                                                               : "timeout";
    }
    /* The part's key, unless the user left it at its default and set the
     * run's length: then the length is what makes the run this large. */
    const char *span = config_time(cfg, "experiment", "duration") > 0 ? "duration" : "timeout";
    if (strcmp(key, "trace") != 0 && strcmp(key, "nodes") != 0 && strcmp(key, span) != 0 &&
        strcmp(config_origin(cfg, section, key), "default") == 0 &&
        strcmp(config_origin(cfg, "experiment", span), "default") != 0) {
        section = "experiment";
        key = span;
    }
    char fix[96];
    if (strcmp(key, "nodes") == 0)
        snprintf(fix, sizeof fix, "run fewer nodes");
    else if (strcmp(key, span) == 0)
        snprintf(fix, sizeof fix, "shorten [experiment] %s", span);
    else
        snprintf(fix, sizeof fix, "change %s, shorten [experiment] %s", key, span);
    format_bytes(s.memory, have, sizeof have);
    if (strcmp(setting, "auto") == 0) {
        char phys[64];
        format_bytes(phys_bytes, phys, sizeof phys);
        snprintf(max, sizeof max, "auto, half of this machine's %s", phys);
    } else {
        snprintf(max, sizeof max, "%.40s", setting);
    }
    snprintf(why, sizeof why,
             "run '%s' on %d nodes would record %.3g clock samples, %.3g events, %.3g clock "
             "rounds, %.3g requests and %.3g critical sections, and keep %d nodes' state: about "
             "%s of memory, more than [experiment] max_memory (%s); %s or raise max_memory",
             plan->algorithm, nodes, s.samples, s.events, s.rounds, s.requests, s.sections, nodes,
             have, max, fix);
    return config_fail(cfg, section, key, err, n, "%s", why);
}

int plan_check_runs(const struct run_plan *plans, int nplans, int ranks, double phys_bytes,
                    int check_ranks,
                    int (*configure)(const struct run_plan *plan, char *err, size_t errlen),
                    char *err, size_t n) {
    /* The runs of one stack are consecutive (plan_runs): [begin, end). */
    for (int begin = 0, end; begin < nplans; begin = end) {
        int lo = -1, hi = -1; /* the plans with the smallest and largest node count */
        for (end = begin; end < nplans && !strcmp(plans[end].algorithm, plans[begin].algorithm);
             end++) {
            const struct run_plan *p = &plans[end];
            int nodes = p->nodes > 0 ? p->nodes : ranks;
            if (end > begin && p->nodes == plans[end - 1].nodes) continue;
            if ((check_ranks && plan_check_ranks(p, ranks, err, n)) ||
                plan_check_nodes(p, nodes, err, n) ||
                plan_check_memory(p, nodes, phys_bytes, err, n))
                return -1;
            if (lo < 0 || nodes < (plans[lo].nodes > 0 ? plans[lo].nodes : ranks)) lo = end;
            if (hi < 0 || nodes > (plans[hi].nodes > 0 ? plans[hi].nodes : ranks)) hi = end;
        }
        /* The algorithms' own checks (configure) at two node counts only, not
         * at each of a list's (2..100000 would set up 5 * 10^9 nodes): their
         * node rules hold for every larger count once they hold for one
         * (struct algorithm configure), so the smallest count is the
         * strictest; the largest is where a node's state sized by the node
         * count is largest. Everything else that depends on the count is
         * checked above for each. */
        if (configure(&plans[lo], err, n) || (hi != lo && configure(&plans[hi], err, n))) return -1;
    }
    return 0;
}

char *plan_resolved_config(const struct run_plan *plan) {
    struct config copy;
    if (config_copy(&copy, plan->cfg)) return NULL;
    char seed[32], nodes[32], err[CONFIG_ERR_LEN];
    snprintf(seed, sizeof seed, "%lu", plan->seed);
    snprintf(nodes, sizeof nodes, "%d", plan->nodes);
    const char *sections[SCHEMA_CORE_COUNT + RUNTIME_MAX_LAYERS + 1];
    int k = 0;
    for (; schema_core[k]; k++)
        sections[k] = schema_core[k]->name;
    for (int i = 0; i < plan->nlayers; i++)
        sections[k++] = plan->layers[i]->name;
    sections[k] = NULL;
    char *text = NULL;
    if (!config_put(&copy, "experiment", "algorithm", plan->algorithm, "run", err, sizeof err) &&
        !config_put(&copy, "experiment", "seed", seed, "run", err, sizeof err) &&
        !config_put(&copy, "experiment", "nodes", nodes, "run", err, sizeof err) &&
        !config_put(&copy, "experiment", "repeat", "1", "run", err, sizeof err))
        text = config_resolved(&copy, sections);
    config_free(&copy);
    return text;
}
