/* libFuzzer harness over clocklab's configuration code: the INI text,
 * --set assignments, the time, number, size, distribution, crash-schedule,
 * initiator and label parsers, the planning of runs and their size, and the
 * round trip of the saved configuration.
 *
 * Input: byte 0 picks the node count (1 + byte % 64); the rest is split at
 * each 0x01 byte: the first piece is the INI file (NUL bytes and all), every
 * further piece one --set assignment (cut at a NUL, as argv would be). Every
 * piece is also fed to each scalar parser on its own.
 *
 * Oracles, besides AddressSanitizer and UndefinedBehaviorSanitizer: a value
 * a parser accepts is finite and in its declared range, and reads back the
 * same when printed; an accepted configuration saves, for each of its runs,
 * an INI text that is accepted again with the same value of every key, the
 * same algorithm and the same seed (config attribute = the run). A broken
 * oracle aborts, which libFuzzer reports as a crash with the input. */
#include "config/config.h"
#include "config/schema.h"
#include "model/distribution.h"
#include "model/faults.h"
#include "model/roles.h"
#include "plan.h"
#include "util/units.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_SETS 16

static void oracle(int ok, const char *what, const char *detail) {
    if (ok) return;
    fprintf(stderr, "fuzz_config: oracle broken: %s\n%s\n", what, detail ? detail : "");
    abort();
}

static char *piece_string(const uint8_t *p, size_t n) {
    char *s = malloc(n + 1);
    if (!s) abort();
    memcpy(s, p, n);
    s[n] = '\0';
    return s; /* ends at its first NUL, if any */
}

static void scalar_parsers(const char *s, int nodes) {
    char err[CONFIG_ERR_LEN], again[64];
    double v, w;
    long l, m;
    int b;
    if (parse_time(s, &v, err, sizeof err) == 0) {
        oracle(isfinite(v), "parse_time gave a non-finite value", s);
        snprintf(again, sizeof again, "%.17gs", v);
        oracle(parse_time(again, &w, err, sizeof err) == 0 && w == v, "time does not read back", s);
    }
    if (parse_real(s, 1, &v, err, sizeof err) == 0) {
        oracle(isfinite(v), "parse_real gave a non-finite value", s);
        snprintf(again, sizeof again, "%.17g", v);
        oracle(parse_real(again, 0, &w, err, sizeof err) == 0 && w == v, "real does not read back",
               s);
    }
    if (parse_int(s, -1000, 2147483647L, &l, err, sizeof err) == 0) {
        oracle(l >= -1000 && l <= 2147483647L, "parse_int out of its range", s);
        snprintf(again, sizeof again, "%ld", l);
        oracle(parse_int(again, -1000, 2147483647L, &m, err, sizeof err) == 0 && m == l,
               "whole number does not read back", s);
    }
    if (parse_bytes(s, &v, err, sizeof err) == 0)
        oracle(isfinite(v) && v > 0, "parse_bytes gave a bad size", s);
    if (parse_bool(s, &b, err, sizeof err) == 0) oracle(b == 0 || b == 1, "parse_bool", s);
    static const enum dist_unit units[] = {DIST_TIME, DIST_TIME_NONNEG, DIST_PLAIN, DIST_PLAIN_POS,
                                           DIST_INTERVAL};
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
        struct dist d;
        if (dist_parse(s, units[i], &d, err, sizeof err)) continue;
        double lo, hi;
        dist_mean_range(&d, &lo, &hi);
        oracle(isfinite(d.a) && !isnan(d.b) && dist_min(&d) <= dist_max(&d) && lo <= hi,
               "distribution out of order", s);
        oracle(d.kind != DIST_VALUES || (d.nvalues >= 1 && d.nvalues <= DIST_MAX_VALUES),
               "values() count", s);
        if (units[i] == DIST_TIME_NONNEG || units[i] == DIST_INTERVAL)
            oracle(dist_min(&d) >= 0, "a non-negative distribution can draw < 0", s);
    }
    struct crash_schedule c;
    if (faults_parse(s, &c, err, sizeof err) == 0) {
        oracle(c.n >= 0 && c.n <= FAULTS_MAX, "crash count", s);
        for (int i = 0; i < c.n; i++)
            oracle(c.ev[i].at >= 0 && c.ev[i].recover > c.ev[i].at &&
                       (c.ev[i].node == CRASH_COORDINATOR || c.ev[i].node == CRASH_HIGHEST ||
                        (c.ev[i].node >= 0 && c.ev[i].node <= FAULTS_MAX_NODE)),
                   "crash event", s);
    }
    if (roles_validate_initiators(s, err, sizeof err) == 0 &&
        roles_check_initiators(s, nodes, err, sizeof err) == 0) {
        int *ids = calloc((size_t)nodes, sizeof *ids), *init = calloc((size_t)nodes, sizeof *init);
        if (!ids || !init) abort();
        for (int i = 0; i < nodes; i++)
            ids[i] = i;
        oracle(roles_initiators(s, nodes, ids, init, err, sizeof err) == 0,
               "checked initiators refused", s);
        free(ids);
        free(init);
    }
    if (roles_validate_labels(s, err, sizeof err) == 0) {
        char label[ROLES_LABEL_LEN];
        int n = roles_label_count(s);
        for (int i = 0; i < n; i++)
            oracle(roles_label(s, i, label, sizeof label) == 0 && label[0],
                   "valid labels without label i", s);
    }
}

static void same_values(const struct config *a, const struct config *b, const char *section,
                        const char *saved) {
    const struct section_schema *s = config_section(a, section);
    for (const struct param *p = s->params; p && p->key; p++) {
        /* nodes: a list of node counts plans one run per count, and each
         * saved run names its own count (round_trip compares the counts) */
        if (!strcmp(section, "experiment") &&
            (!strcmp(p->key, "algorithm") || !strcmp(p->key, "seed") || !strcmp(p->key, "repeat") ||
             !strcmp(p->key, "nodes")))
            continue;
        oracle(strcmp(config_get(a, section, p->key), config_get(b, section, p->key)) == 0,
               "saved configuration reads back a different value", saved);
    }
}

/* The saved configuration of plan reproduces it. */
static void round_trip(const struct config *cfg, const struct run_plan *plan) {
    char err[CONFIG_ERR_LEN];
    char *saved = plan_resolved_config(plan);
    oracle(saved != NULL, "no saved configuration", NULL);
    struct config back;
    config_init(&back, plan_schema());
    if (config_parse(&back, saved, "saved.ini", err, sizeof err) ||
        config_validate(&back, err, sizeof err)) {
        fprintf(stderr, "%s\n", err);
        oracle(0, "saved configuration refused", saved);
    }
    struct run_plan *again;
    int n;
    if (plan_runs(&back, &again, &n, err, sizeof err)) {
        fprintf(stderr, "%s\n", err);
        oracle(0, "saved configuration plans no run", saved);
    }
    oracle(n == 1 && !strcmp(again[0].algorithm, plan->algorithm) && again[0].seed == plan->seed &&
               again[0].nodes == plan->nodes,
           "saved configuration plans another run", saved);
    for (size_t i = 0; schema_core[i]; i++)
        same_values(cfg, &back, schema_core[i]->name, saved);
    for (int i = 0; i < plan->nlayers; i++)
        same_values(cfg, &back, plan->layers[i]->name, saved);
    free(again);
    config_free(&back);
    free(saved);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size == 0) return 0;
    int nodes = 1 + data[0] % 64;
    data++, size--;
    const uint8_t *pieces[MAX_SETS + 1];
    size_t lens[MAX_SETS + 1];
    int npieces = 0;
    for (size_t start = 0, i = 0; i <= size && npieces <= MAX_SETS; i++)
        if (i == size || data[i] == 0x01) {
            pieces[npieces] = data + start;
            lens[npieces++] = i - start;
            start = i + 1;
        }
    for (int i = 0; i < npieces; i++) {
        char *s = piece_string(pieces[i], lens[i]);
        scalar_parsers(s, nodes);
        free(s);
    }
    char err[CONFIG_ERR_LEN];
    struct config cfg;
    config_init(&cfg, plan_schema());
    int rc = config_parse_n(&cfg, (const char *)pieces[0], lens[0], "fuzz.ini", err, sizeof err);
    for (int i = 1; rc == 0 && i < npieces; i++) {
        char *set = piece_string(pieces[i], lens[i]);
        rc = config_set(&cfg, set, err, sizeof err);
        free(set);
    }
    if (rc == 0) rc = config_validate(&cfg, err, sizeof err);
    struct run_plan *plans = NULL;
    int nplans = 0;
    if (rc == 0) rc = plan_runs(&cfg, &plans, &nplans, err, sizeof err);
    if (rc == 0) {
        oracle(nplans >= 1 && nplans <= PLAN_MAX_RUNS, "plan count", NULL);
        for (int i = 0; i < nplans; i++) {
            if (i > 0 && i < nplans - 1) continue; /* the first and the last seed */
            round_trip(&cfg, &plans[i]);
            if (plan_check_nodes(&plans[i], nodes, err, sizeof err) == 0) {
                struct plan_size s;
                plan_size(&plans[i], nodes, &s);
                /* clock/offset samples only for clock-sync runs (plan_size) */
                oracle(s.samples >= 0 && s.events >= 0 && s.rounds >= 0 && s.memory >= s.bytes &&
                           !isnan(s.memory),
                       "recording size", NULL);
                plan_check_memory(&plans[i], nodes, 16e9, err, sizeof err);
            }
        }
    }
    free(plans);
    config_free(&cfg);
    return 0;
}
