/* Unit tests of configuration parsing and checking (config/config.h,
 * config/schema.h, model/faults.h, model/roles.h): every error names
 * the file, line and key; nothing is cut off or guessed; every accepted
 * value reads back identically from the saved (resolved) configuration. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "unit.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"
#include "config/schema.h"
#include "model/faults.h"
#include "model/roles.h"
#include "plan.h"
#include "util/units.h"

static char err[CONFIG_ERR_LEN];

static int load(struct config *c, const char *text) {
    config_init(c, plan_schema());
    int rc = config_parse(c, text, "x.ini", err, sizeof err);
    if (rc == 0) rc = config_validate(c, err, sizeof err);
    return rc;
}

/* text is refused with one message containing every string in the NULL-terminated list. */
static void refused(const char *text, ...) {
    struct config c;
    int rc = load(&c, text);
    config_free(&c);
    if (rc == 0) fail_msg("accepted: %s", text);
    va_list ap;
    va_start(ap, text);
    for (const char *want = va_arg(ap, const char *); want; want = va_arg(ap, const char *))
        if (!strstr(err, want)) fail_msg("message '%s' lacks '%s'", err, want);
    va_end(ap);
}

/* A --set assignment is refused (on an empty file), naming every string given. */
static void set_refused(const char *assignment, ...) {
    struct config c;
    config_init(&c, plan_schema());
    int rc = config_set(&c, assignment, err, sizeof err);
    config_free(&c);
    if (rc == 0) fail_msg("accepted: --set %s", assignment);
    va_list ap;
    va_start(ap, assignment);
    for (const char *want = va_arg(ap, const char *); want; want = va_arg(ap, const char *))
        if (!strstr(err, want)) fail_msg("message '%s' lacks '%s'", err, want);
    va_end(ap);
}

static void defaults_make_an_empty_file_valid(void **st) {
    (void)st;
    struct config c;
    assert_int_equal(load(&c, ""), 0);
    assert_string_equal(config_get(&c, "experiment", "algorithm"), "berkeley");
    assert_near(config_time(&c, "experiment", "duration"), 2.0, 0);
    assert_near(config_time(&c, "clock", "sample_interval"), 0.01, 1e-15);
    assert_string_equal(config_origin(&c, "clock", "offset"), "default");
    config_free(&c);
}

static void values_parse_and_set_overrides_the_file(void **st) {
    (void)st;
    struct config c;
    assert_int_equal(load(&c, "; comment\n[experiment]\nduration = 500ms ; inline\nseed = 7\n"
                              "[network]\ndelay = lognormal(1ms, 0.3)\n"),
                     0);
    assert_near(config_time(&c, "experiment", "duration"), 0.5, 1e-15);
    assert_int_equal(config_int(&c, "experiment", "seed"), 7);
    assert_string_equal(config_origin(&c, "experiment", "seed"), "x.ini:4");
    assert_int_equal(config_set(&c, "experiment.seed=9", err, sizeof err), 0);
    assert_int_equal(config_int(&c, "experiment", "seed"), 9);
    assert_string_equal(config_origin(&c, "experiment", "seed"), "--set");
    config_free(&c);
}

static void errors_name_file_line_and_key(void **st) {
    (void)st;
    refused("[experiment]\n\nduraton = 2s\n", "x.ini:3", "duraton", NULL);
    refused("[experimnt]\nseed = 1\n", "x.ini:1", "experimnt", NULL);
    refused("[experiment]\nduration = 2 parsecs\n", "x.ini:2", "duration", NULL);
    refused("[experiment]\nduration = -1s\n", "x.ini:2", "negative", NULL);
    refused("[network]\nloss = 1.5\n", "x.ini:2", "[network] loss", NULL);
    refused("[faults]\ncrash = coordinator@soon\n", "x.ini:2", "[faults] crash", NULL);
    refused("[election]\nids = sorted\n", "x.ini:2", "[election] ids", NULL);
    refused("\nnot an ini line\n", "x.ini:2", "not an INI line", NULL);
    refused("seed = 1\n", "x.ini:1", "outside any [section]", NULL);
    set_refused("clock.skew=1", "--set", "skew", NULL);
    set_refused("clock=1", "--set", "section.key=value", NULL);
}

/* Issue table rows 2 and 6: lines and values of any length are read whole. */
static void long_lines_are_read_whole(void **st) {
    (void)st;
    struct config c;
    char text[8192];
    /* 179 spaces between two assignments: one value, not a second key */
    snprintf(text, sizeof text, "[experiment]\nalgorithm = berkeley%179sseed = 7\n", "");
    assert_int_equal(load(&c, text), 0);
    assert_non_null(strstr(config_get(&c, "experiment", "algorithm"), "seed = 7"));
    assert_int_equal(config_int(&c, "experiment", "seed"), 42);
    config_free(&c);
    /* a 5,000-byte line on line 3, and the lines after it still counted right */
    char labels[5001];
    for (int i = 0; i < 5000; i++)
        labels[i] = i % 50 == 49 ? ',' : 'a' + (char)(i % 26);
    labels[4999] = 'z';
    labels[5000] = '\0';
    snprintf(text, sizeof text, "[experiment]\n\nalgorithm = %s\nseed = x\n", labels);
    refused(text, "x.ini:4", "seed", NULL);
    snprintf(text, sizeof text, "[experiment]\n\nalgorithm = %s\n", labels);
    assert_int_equal(load(&c, text), 0);
    assert_int_equal(strlen(config_get(&c, "experiment", "algorithm")), 5000);
    config_free(&c);
    snprintf(text, sizeof text, "[nodes]\n\nlabels = %.3999s\n", labels);
    assert_int_equal(load(&c, text), 0);
    assert_int_equal(strlen(config_get(&c, "nodes", "labels")), 3999);
    config_free(&c);
    /* trailing junk 130 spaces after a value is part of the value: refused */
    snprintf(text, sizeof text, "[experiment]\nduration = 300ms%130sjunk\n", "");
    refused(text, "x.ini:2", "duration", NULL);
    /* 64 zeros before a 5: the number 5, not 0 */
    snprintf(text, sizeof text, "[experiment]\nseed = %064d5\n", 0);
    assert_int_equal(load(&c, text), 0);
    assert_int_equal(config_int(&c, "experiment", "seed"), 5);
    /* a --set value longer than any buffer */
    char set[2048];
    snprintf(set, sizeof set, "experiment.seed=%01300d7", 0);
    assert_int_equal(config_set(&c, set, err, sizeof err), 0);
    assert_int_equal(config_int(&c, "experiment", "seed"), 7);
    config_free(&c);
    snprintf(set, sizeof set, "experiment.duration=1s%1300sx", "");
    set_refused(set, "--set", "duration", NULL);
    /* a 40-value distribution */
    strcpy(text, "[clock]\noffset = values(");
    for (int i = 0; i < 40; i++)
        snprintf(text + strlen(text), sizeof text - strlen(text), "%s%dms", i ? ", " : "", i - 20);
    strcat(text, ")\n");
    assert_int_equal(load(&c, text), 0);
    struct dist d;
    config_dist(&c, "clock", "offset", &d);
    assert_int_equal(d.nvalues, 40);
    assert_near(d.values[39], 0.019, 1e-15);
    config_free(&c);
}

/* Issue table row 3. */
static void nul_bytes_are_refused(void **st) {
    (void)st;
    struct config c;
    config_init(&c, plan_schema());
    static const char text[] = "[experiment]\nseed = 7\n\0[experiment]\nseed = x\n";
    assert_int_equal(config_parse_n(&c, text, sizeof text - 1, "x.ini", err, sizeof err), -1);
    assert_non_null(strstr(err, "x.ini:3"));
    assert_non_null(strstr(err, "NUL"));
    config_free(&c);
}

/* Issue table row 7 and numbers in general: decimal only, nothing wraps. */
static void numbers_are_strict(void **st) {
    (void)st;
    double v;
    long l;
    assert_int_equal(parse_time("0x1p-2s", &v, err, sizeof err), -1);
    assert_int_equal(parse_real("0x10", 0, &v, err, sizeof err), -1);
    assert_int_equal(parse_real("inf", 0, &v, err, sizeof err), -1);
    assert_int_equal(parse_real("nan", 0, &v, err, sizeof err), -1);
    assert_int_equal(parse_real("1e999", 0, &v, err, sizeof err), -1);
    assert_non_null(strstr(err, "out of range"));
    assert_int_equal(parse_int("99999999999999999999", 0, 10, &l, err, sizeof err), -1);
    assert_int_equal(parse_int("4294967338", -2147483647L, 2147483647L, &l, err, sizeof err), -1);
    assert_int_equal(parse_int("1.0", 0, 10, &l, err, sizeof err), -1);
    assert_int_equal(parse_int("007", 0, 10, &l, err, sizeof err), 0);
    assert_int_equal(l, 7);
    assert_int_equal(parse_time("10us", &v, err, sizeof err), 0);
    assert_true(v == 10e-6); /* the nearest double to 10 us, as the literal */
    assert_int_equal(parse_time(" .5 ms ", &v, err, sizeof err), 0);
    assert_true(v == 0.5e-3);
    assert_int_equal(parse_time("5", &v, err, sizeof err), -1); /* no unit */
    assert_int_equal(parse_time("0", &v, err, sizeof err), 0);
    assert_int_equal(parse_time("1e-400s", &v, err, sizeof err), -1);
    assert_int_equal(parse_bytes("512MiB", &v, err, sizeof err), 0);
    assert_true(v == 512.0 * 1024 * 1024);
    assert_int_equal(parse_bytes("2GB", &v, err, sizeof err), 0);
    assert_true(v == 2e9);
    assert_int_equal(parse_bytes("2", &v, err, sizeof err), -1);
    assert_int_equal(parse_bytes("0GiB", &v, err, sizeof err), -1);
    refused("[experiment]\nduration = 0x1p-2s\n", "x.ini:2", "duration", NULL);
    refused("[network]\nloss = 0x0.8p0\n", "x.ini:2", "loss", NULL);
}

/* Issue table rows 9 and 10: no empty list elements anywhere. */
static void lists_have_no_empty_elements(void **st) {
    (void)st;
    refused("[nodes]\nlabels = a,,b\n", "x.ini:2", "[nodes] labels", NULL);
    refused("[nodes]\nlabels = a,b,\n", "x.ini:2", "[nodes] labels", NULL);
    refused("[faults]\ncrash = ,\n", "x.ini:2", "[faults] crash", "empty", NULL);
    refused("[faults]\ncrash = 1@1s,\n", "x.ini:2", "[faults] crash", NULL);
    refused("[election]\ninitiators = ,\n", "x.ini:2", "[election] initiators", NULL);
    refused("[election]\ninitiators = 1,,2\n", "x.ini:2", "[election] initiators", NULL);
    const char *algs[] = {",berkeley", "berkeley,",       "berkeley+",
                          "+berkeley", "bully++berkeley", "bully+ ,berkeley"};
    for (size_t i = 0; i < sizeof algs / sizeof algs[0]; i++) {
        char text[128];
        snprintf(text, sizeof text, "[experiment]\nalgorithm = %s\n", algs[i]);
        refused(text, "x.ini:2", "[experiment] algorithm", "empty", NULL);
    }
    refused("[clock]\noffset = values(1ms,,2ms)\n", "x.ini:2", "[clock] offset", NULL);
    refused("[clock]\noffset = values(1ms,)\n", "x.ini:2", "[clock] offset", NULL);
    refused("[clock]\noffset = uniform(1ms, 2ms) x\n", "x.ini:2", "[clock] offset", NULL);
}

/* Issue table row 14. */
static void duplicate_keys_are_refused(void **st) {
    (void)st;
    refused("[experiment]\nseed = 1\nduration = 1s\nseed = 2\n", "x.ini:4", "[experiment] seed",
            "x.ini:2", NULL);
    refused("[experiment]\nseed = oops\n[clock]\n[experiment]\nseed = 2\n", "x.ini:2", "seed",
            NULL);
    struct config c;
    assert_int_equal(load(&c, "[experiment]\nseed = 1\n"), 0);
    assert_int_equal(config_set(&c, "experiment.seed=2", err, sizeof err), 0); /* overrides */
    assert_int_equal(config_set(&c, "experiment.seed=3", err, sizeof err), -1);
    assert_non_null(strstr(err, "twice"));
    config_free(&c);
}

static void sections_are_checked_whole(void **st) {
    (void)st;
    refused("[experiment] seed = 7\n", "x.ini:1", "after the section", NULL);
    refused("[clocks]\n", "x.ini:1", "[clocks]", NULL); /* unknown, even without keys */
    refused("[ experiment ]\nseed = 1\n", "x.ini:1", "unknown section", NULL);
    refused("[]\n", "x.ini:1", "empty section", NULL);
    struct config c;
    assert_int_equal(load(&c, "\xEF\xBB\xBF[experiment] ; the experiment\r\nseed = 3\r\n"), 0);
    assert_int_equal(config_int(&c, "experiment", "seed"), 3);
    config_free(&c);
}

/* Values that would not read back from the saved configuration. */
static void values_stay_one_line(void **st) {
    (void)st;
    set_refused("nodes.labels=a\nb", "--set", "[nodes] labels", "control character", NULL);
    set_refused("nodes.labels=a ;b", "--set", "[nodes] labels", "comment", NULL);
    set_refused("nodes.labels=;b", "--set", "[nodes] labels", "comment", NULL);
    set_refused("experiment.algorithm=berkeley\r[experiment]", "--set", "algorithm", NULL);
    struct config c;
    config_init(&c, plan_schema());
    assert_int_equal(config_set(&c, "nodes.labels=a;b,c#d", err, sizeof err), 0);
    config_free(&c);
}

/* Issue table row 1 (configuration side), 4 and 5: periods the runtime cannot honour. */
static void periods_have_a_minimum(void **st) {
    (void)st;
    refused("[berkeley]\nperiod = 1ns\n", "x.ini:2", "[berkeley] period", "10us", NULL);
    refused("[berkeley]\ntimeout = 0\n", "x.ini:2", "[berkeley] timeout", NULL);
    refused("[cristian]\nperiod = 9us\n", "x.ini:2", "[cristian] period", NULL);
    refused("[cristian]\ntimeout = 1ns\n", "x.ini:2", "[cristian] timeout", NULL);
    refused("[ntp]\npoll = 1ns\n", "x.ini:2", "[ntp] poll", NULL);
    refused("[bully]\ntimeout = 1ns\n", "x.ini:2", "[bully] timeout", NULL);
    refused("[bully]\nheartbeat = 1ns\n", "x.ini:2", "[bully] heartbeat", NULL);
    refused("[ring]\ntimeout = 0\n", "x.ini:2", "[ring] timeout", NULL);
    refused("[vector]\ninterval = constant(1ns)\n", "x.ini:2", "[vector] interval", NULL);
    refused("[tom]\ninterval = exponential(1us)\n", "x.ini:2", "[tom] interval", NULL);
    refused("[clock]\nsample_interval = 0\n", "x.ini:2", "[clock] sample_interval", NULL);
    refused("[clock]\nsample_interval = 1ns\n", "x.ini:2", "[clock] sample_interval", NULL);
    refused("[clock]\ndrift = exponential(5)\n", "x.ini:2", "[clock] drift", "no upper", NULL);
    refused("[clock]\ndrift = constant(-1000000)\n", "x.ini:2", "[clock] drift", NULL);
    struct config c;
    assert_int_equal(load(&c, "[berkeley]\nperiod = 10us\ntimeout = 10us\n[bully]\nheartbeat = 0\n"
                              "[tom]\ninterval = uniform(0, 20us)\n[clock]\nsample_interval = "
                              "10us\n"),
                     0);
    config_free(&c);
}

static void crash_schedules_parse_and_bad_ones_are_refused(void **st) {
    (void)st;
    struct crash_schedule s;
    assert_int_equal(faults_parse("none", &s, err, sizeof err), 0);
    assert_int_equal(s.n, 0);
    assert_int_equal(faults_parse("coordinator@1s, 7@0.5s-1.5s, 3@ 2s - 2.5s", &s, err, sizeof err),
                     0);
    assert_int_equal(s.n, 3);
    assert_int_equal(s.ev[0].node, CRASH_COORDINATOR);
    assert_near(s.ev[0].at, 1.0, 0);
    assert_true(isinf(s.ev[0].recover));
    assert_int_equal(s.ev[1].node, 7);
    assert_near(s.ev[1].at, 0.5, 0);
    assert_near(s.ev[1].recover, 1.5, 0);
    assert_near(s.ev[2].recover, 2.5, 0);
    assert_true(faults_has_coordinator(&s));
    assert_int_equal(faults_parse("7@2s-1s", &s, err, sizeof err), -1);
    assert_int_equal(faults_parse("seven@1s", &s, err, sizeof err), -1);
    assert_int_equal(faults_parse("7@1s@2s", &s, err, sizeof err), -1);
    assert_int_equal(faults_parse("1@", &s, err, sizeof err), -1); /* found by the fuzzer */
    assert_int_equal(faults_parse("1@ ", &s, err, sizeof err), -1);
    assert_int_equal(faults_parse("7@1e-3s", &s, err, sizeof err), 0);
    assert_near(s.ev[0].at, 1e-3, 1e-18);
    char many[1024] = "";
    for (int i = 0; i <= FAULTS_MAX; i++)
        snprintf(many + strlen(many), sizeof many - strlen(many), "%s1@%ds", i ? "," : "", i);
    assert_int_equal(faults_parse(many, &s, err, sizeof err), -1);
}

static void election_roles_parse_ids_initiators_and_labels(void **st) {
    (void)st;
    int ids[10], init[10], seen[10] = {0};
    assert_int_equal(roles_ids("reverse", 10, 1, ids, err, sizeof err), 0);
    assert_int_equal(ids[0], 9);
    assert_int_equal(roles_ids("random", 10, 3, ids, err, sizeof err), 0);
    for (int i = 0; i < 10; i++)
        seen[ids[i]]++;
    for (int i = 0; i < 10; i++)
        assert_int_equal(seen[i], 1); /* a permutation */
    assert_int_equal(roles_initiators("highest", 10, ids, init, err, sizeof err), 0);
    for (int i = 0; i < 10; i++)
        assert_int_equal(init[i], ids[i] == 9);
    assert_int_equal(roles_initiators("4, 7", 10, ids, init, err, sizeof err), 0);
    assert_true(init[4] && init[7] && !init[0]);
    assert_int_equal(roles_initiators("12", 10, ids, init, err, sizeof err), -1);
    assert_int_equal(roles_validate_initiators("5000", err, sizeof err), 0);
    assert_int_equal(roles_check_initiators("5", 3, err, sizeof err), -1);
    assert_non_null(strstr(err, "node 5"));
    char label[ROLES_LABEL_LEN];
    assert_int_equal(roles_label_count("master, KMC,MIT"), 3);
    assert_int_equal(roles_label("master, KMC,MIT", 1, label, sizeof label), 0);
    assert_string_equal(label, "KMC");
    assert_int_equal(roles_label("master, KMC,MIT", 3, label, sizeof label), -1);
    char longer[100];
    memset(longer, 'x', 70);
    longer[70] = '\0';
    assert_int_equal(roles_validate_labels(longer, err, sizeof err), -1);
}

/* Issue table rows 8, 11 and 15 (initiators), and seeds: checks of planned runs. */
static void planned_runs_are_checked(void **st) {
    (void)st;
    struct config c;
    struct run_plan *plans;
    int n;
    assert_int_equal(load(&c, "[experiment]\nseed = 2147483647\nrepeat = 2\n"), 0);
    assert_int_equal(plan_runs(&c, &plans, &n, err, sizeof err), -1);
    assert_non_null(strstr(err, "x.ini:3: [experiment] repeat"));
    config_free(&c);
    assert_int_equal(load(&c, "[experiment]\nalgorithm = bully+sundial\n"), 0);
    assert_int_equal(plan_runs(&c, &plans, &n, err, sizeof err), -1);
    assert_non_null(strstr(err, "x.ini:2: [experiment] algorithm"));
    assert_non_null(strstr(err, "sundial"));
    config_free(&c);
    assert_int_equal(load(&c, "[experiment]\nalgorithm = bully+bully\n"), 0);
    assert_int_equal(plan_runs(&c, &plans, &n, err, sizeof err), -1);
    config_free(&c);
    assert_int_equal(load(&c, "[experiment]\nalgorithm = bully + berkeley, lamport\nrepeat = 2\n"
                              "seed = 10\n[faults]\ncrash = coordinator@1s\n[election]\n"
                              "initiators = 5\n[nodes]\nlabels = a, b\n"),
                     0);
    assert_int_equal(plan_runs(&c, &plans, &n, err, sizeof err), 0);
    assert_int_equal(n, 4);
    assert_string_equal(plans[0].algorithm, "bully+berkeley");
    assert_int_equal(plans[1].seed, 11);
    assert_string_equal(plans[2].algorithm, "lamport");
    assert_int_equal(plans[3].seed, 11);
    assert_int_equal(plan_check_nodes(&plans[0], 3, err, sizeof err), -1);
    assert_non_null(strstr(err, "x.ini:8: [election] initiators"));
    assert_int_equal(plan_check_nodes(&plans[0], 6, err, sizeof err), -1);
    assert_non_null(strstr(err, "x.ini:10: [nodes] labels"));
    assert_int_equal(plan_check_nodes(&plans[2], 2, err, sizeof err), -1);
    assert_non_null(strstr(err, "x.ini:6: [faults] crash")); /* lamport has no coordinator */
    free(plans);
    config_free(&c);
    assert_int_equal(load(&c, "[faults]\ncrash = 3@1s\n"), 0);
    assert_int_equal(plan_runs(&c, &plans, &n, err, sizeof err), 0);
    assert_int_equal(plan_check_nodes(&plans[0], 3, err, sizeof err), -1);
    assert_non_null(strstr(err, "x.ini:2: [faults] crash"));
    assert_int_equal(plan_check_nodes(&plans[0], 4, err, sizeof err), 0);
    free(plans);
    config_free(&c);
}

/* The checks algorithms share (config.h): a count whose 0 means "until the
 * run ends" and a heartbeat need a duration, for the algorithms of the run
 * only; node indices and node counts are checked with the key named. */
/* plan_runs of text succeeds (want NULL) or fails with a message containing want. */
static void planned(const char *text, const char *want) {
    struct config c;
    struct run_plan *plans = NULL;
    int n = 0;
    assert_int_equal(load(&c, text), 0);
    int rc = plan_runs(&c, &plans, &n, err, sizeof err);
    if (want && (rc == 0 || !strstr(err, want))) fail_msg("'%s' lacks '%s'", err, want);
    if (!want && rc) fail_msg("refused: %s", err);
    free(plans);
    config_free(&c);
}

static void shared_checks_name_the_key(void **st) {
    (void)st;
    /* rounds left at its default: the duration the user gave is named */
    planned("[experiment]\nduration = 0\n",
            "x.ini:2: [experiment] duration: 0 (until every node is done) never ends with "
            "[berkeley] rounds = 0 (its default)");
    /* a key of an algorithm no run uses is refused, naming it, unless the
     * file says it is a base for several algorithms */
    planned("[experiment]\nalgorithm = berkeley\n[ring]\ntimeout = 1s\n",
            "x.ini:4: [ring] timeout: no run uses ring");
    planned("[experiment]\nalgorithm = berkeley, ring\n[ring]\ntimeout = 1s\n", NULL);
    planned("[experiment]\nalgorithm = bully+berkeley\n[bully]\ntimeout = 80ms\n", NULL);
    planned("[experiment]\nalgorithm = berkeley\nunused_keys = ignore\n[ring]\ntimeout = 1s\n",
            NULL);
    planned("[experiment]\nduration = 0\n[berkeley]\nrounds = 3\n", NULL);
    planned("[experiment]\nalgorithm = bully\nduration = 0\n[bully]\nheartbeat = 10ms\n",
            "x.ini:5: [bully] heartbeat");
    /* [berkeley] rounds = 0 is no concern of a bully run */
    planned("[experiment]\nalgorithm = bully\nduration = 0\n", NULL);
    struct config c;
    assert_int_equal(load(&c, "[berkeley]\nmaster = 4\n"), 0);
    assert_int_equal(config_check_node(&c, "berkeley", "master", 4, err, sizeof err), -1);
    assert_string_equal(err, "x.ini:2: [berkeley] master: node 4 does not exist in a 4-node run "
                             "(nodes 0..3)");
    assert_int_equal(config_check_node(&c, "berkeley", "master", 5, err, sizeof err), 0);
    config_free(&c);
    /* Chang-Roberts needs a ring of two nodes at least */
    struct run_plan *plans = NULL;
    int n = 0;
    assert_int_equal(load(&c, "[experiment]\nalgorithm = ring\nnodes = 1\n"), 0);
    assert_int_equal(plan_runs(&c, &plans, &n, err, sizeof err), 0);
    assert_int_equal(plan_check_nodes(&plans[0], 1, err, sizeof err), -1);
    assert_non_null(strstr(err, "x.ini:3: [experiment] nodes: ring needs at least 2 nodes"));
    assert_int_equal(plan_check_ranks(&plans[0], 1, err, sizeof err), 0);
    assert_int_equal(plan_check_ranks(&plans[0], 2, err, sizeof err), -1);
    assert_non_null(strstr(err, "[experiment] nodes: 1 nodes on 2 ranks: at least one per rank"));
    free(plans);
    config_free(&c);
}

/* Issue table row 5 and item 2: the recording's size, predicted and bounded. */
static void recordings_are_sized_before_running(void **st) {
    (void)st;
    struct config c;
    struct run_plan *plans;
    int n;
    struct plan_size size;
    assert_int_equal(load(&c, "[experiment]\nduration = 10s\n[clock]\nsample_interval = 1ms\n"), 0);
    assert_int_equal(plan_runs(&c, &plans, &n, err, sizeof err), 0);
    plan_size(&plans[0], 4, &size);
    assert_near(size.samples, 10001, 0);  /* 0, 1 ms, ..., 10 s */
    assert_near(size.rounds, 4 * 101, 0); /* every node, every 100 ms period from 0 */
    assert_true(size.bytes >= 10001.0 * 5 * 8);
    assert_int_equal(plan_check_memory(&plans[0], 4, 16e9, err, sizeof err), 0);
    free(plans);
    config_free(&c);
    /* 1e11 samples of 2 nodes: far more than any memory */
    assert_int_equal(
        load(&c, "[experiment]\nduration = 1000000s\n[clock]\nsample_interval = 10us\n"), 0);
    assert_int_equal(plan_runs(&c, &plans, &n, err, sizeof err), 0);
    assert_int_equal(plan_check_memory(&plans[0], 2, 16e9, err, sizeof err), -1);
    assert_non_null(strstr(err, "x.ini:4: [clock] sample_interval"));
    assert_non_null(strstr(err, "max_memory"));
    free(plans);
    config_free(&c);
    /* traced messages of a fast Lamport run, limited by an explicit max_memory */
    assert_int_equal(load(&c, "[experiment]\nalgorithm = lamport\nduration = 10s\ntrace = on\n"
                              "max_memory = 1MiB\n[lamport]\nrate = values(100, 1000)\n"),
                     0);
    assert_int_equal(plan_runs(&c, &plans, &n, err, sizeof err), 0);
    plan_size(&plans[0], 2, &size);
    assert_true(size.events >= 2 * 1000 * 10); /* at least one event per tick */
    assert_near(size.traced, 0, 0);            /* lamport records its own events */
    assert_int_equal(plan_check_memory(&plans[0], 2, 16e9, err, sizeof err), -1);
    assert_non_null(strstr(err, "x.ini:7: [lamport] rate"));
    free(plans);
    config_free(&c);
}

/* The saved configuration of a run reads back to the same values and run. */
static void resolved_configuration_reproduces_the_run(void **st) {
    (void)st;
    struct config c, back;
    struct run_plan *plans, *again;
    int n, m;
    assert_int_equal(load(&c, "[experiment]\nalgorithm = bully+berkeley, ntp\nrepeat = 3\n"
                              "seed = 000100\n[nodes]\nlabels = a;b, c#d, e:f=g\n"
                              "[clock]\noffset = values( 1ms ,2ms)\n"),
                     0);
    assert_int_equal(config_set(&c, "faults.crash=coordinator@1s-1.5s", err, sizeof err), 0);
    assert_int_equal(plan_runs(&c, &plans, &n, err, sizeof err), 0);
    assert_int_equal(n, 6);
    char *text = plan_resolved_config(&plans[4]);
    assert_non_null(text);
    assert_int_equal(load(&back, text), 0);
    assert_int_equal(plan_runs(&back, &again, &m, err, sizeof err), 0);
    assert_int_equal(m, 1);
    assert_string_equal(again[0].algorithm, "ntp");
    assert_int_equal(again[0].seed, 101);
    const char *keys[][2] = {{"nodes", "labels"},  {"clock", "offset"},    {"faults", "crash"},
                             {"ntp", "poll"},      {"clock", "drift"},     {"election", "ids"},
                             {"network", "delay"}, {"experiment", "trace"}};
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
        assert_string_equal(config_get(&back, keys[i][0], keys[i][1]),
                            config_get(&c, keys[i][0], keys[i][1]));
    free(again);
    free(text);
    free(plans);
    config_free(&back);
    config_free(&c);
}

/* Property: for random configurations (INI text and --set assignments built
 * from the schema's keys with awkward spacing, comments, duplicates and
 * junk), every accepted one saves to an INI text that reads back to exactly
 * the same value of every key, with the same runs. */
static unsigned long long rng_state = 0x9E3779B97F4A7C15ULL;
static unsigned next_random(void) { /* xorshift64* (Vigna 2016) */
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return (unsigned)((rng_state * 2685821657736338717ULL) >> 32);
}
static const char *pick(const char *const *list, size_t n) {
    return list[next_random() % n];
}

static void random_value(const struct param *p, char *out, size_t n) {
    static const char *pad[] = {"", " ", "  ", "\t", " \t "};
    static const char *junk[] = {";x",    "#",     "=",  ":",   "[",      "]", "a;b",
                                 "0x1p3", "1e999", ",",  "+",   "",       "é", "\\",
                                 "\"q\"", "1,2",   "-0", "000", "1ms ; c"};
    static const char *times[] = {"0",     "10us",  "1ms", "100ms", "2s", "0.5 s",
                                  "007ms", "1e-2s", "-1s", "1ns",   "5"};
    static const char *dists[] = {"constant(1ms)",
                                  "uniform(1ms, 2ms)",
                                  "exponential(3ms)",
                                  "values(1ms,2ms)",
                                  "lognormal(1ms, 0.3)",
                                  "uniform(2, 3)",
                                  "values(1, 2, 3)",
                                  "5",
                                  "values()"};
    const char *v;
    switch (next_random() % 4) {
    case 0:
        v = p->default_value;
        break;
    case 1:
        v = pick(junk, sizeof junk / sizeof junk[0]);
        break;
    case 2:
        v = p->type == PARAM_DIST ? pick(dists, sizeof dists / sizeof dists[0])
                                  : pick(times, sizeof times / sizeof times[0]);
        break;
    default: {
        static const char *ints[] = {"0", "1", "3", "0003", "2147483647", "-1", "100000"};
        static const char *strs[] = {"berkeley",
                                     "bully+berkeley",
                                     "lamport, vector",
                                     "none",
                                     "1@1s",
                                     "coordinator@1s",
                                     "all",
                                     "0, 1",
                                     "random",
                                     "a, b",
                                     "on",
                                     "off",
                                     "auto",
                                     "2GiB",
                                     "slew",
                                     "step"};
        v = p->type == PARAM_INT ? pick(ints, sizeof ints / sizeof ints[0])
                                 : pick(strs, sizeof strs / sizeof strs[0]);
    }
    }
    snprintf(out, n, "%s%s%s", pick(pad, 5), v, pick(pad, 5));
}

static void random_configurations_read_back_the_same(void **st) {
    (void)st;
    const struct section_schema *const *schema = plan_schema();
    unsigned nschema = 0;
    while (schema[nschema])
        nschema++;
    int accepted = 0, runs = 0;
    for (int trial = 0; trial < 3000; trial++) {
        char text[16384] = "", value[256];
        int nsections = 1 + (int)(next_random() % 4);
        for (int k = 0; k < nsections; k++) {
            const struct section_schema *s = schema[next_random() % nschema];
            snprintf(text + strlen(text), sizeof text - strlen(text), "%s[%s]%s\n",
                     next_random() % 5 ? "" : "  ", s->name, next_random() % 5 ? "" : " ; c");
            for (const struct param *p = s->params; p && p->key; p++) {
                if (next_random() % 3) continue;
                random_value(p, value, sizeof value);
                snprintf(text + strlen(text), sizeof text - strlen(text), "%s%s%s=%s\n",
                         next_random() % 4 ? "" : " ", p->key, next_random() % 2 ? " " : "", value);
            }
        }
        struct config c, back;
        config_init(&c, schema);
        int rc = config_parse(&c, text, "p.ini", err, sizeof err);
        /* random sections of algorithms the run does not use: allowed here
         * (the rule itself is tested in shared_checks_name_the_key) */
        if (rc == 0)
            rc = config_put(&c, "experiment", "unused_keys", "ignore", "test", err, sizeof err);
        for (int k = 0; rc == 0 && k < 2; k++) {
            const struct section_schema *s = schema[next_random() % SCHEMA_CORE_COUNT];
            unsigned nparams = 0;
            while (s->params[nparams].key)
                nparams++;
            const struct param *p = &s->params[next_random() % nparams];
            char set[512];
            random_value(p, value, sizeof value);
            snprintf(set, sizeof set, "%s.%s=%s", s->name, p->key, value);
            if (config_set(&c, set, err, sizeof err)) rc = -1;
        }
        if (rc == 0) rc = config_validate(&c, err, sizeof err);
        struct run_plan *plans = NULL;
        int n = 0;
        if (rc == 0) rc = plan_runs(&c, &plans, &n, err, sizeof err);
        if (rc == 0) {
            accepted++;
            for (int i = 0; i < n; i++) {
                if (i > 0 && i < n - 1 && strcmp(plans[i].algorithm, plans[i - 1].algorithm) == 0 &&
                    strcmp(plans[i].algorithm, plans[i + 1].algorithm) == 0)
                    continue; /* repeats differ only in the seed: the first and last will do */
                char *saved = plan_resolved_config(&plans[i]);
                assert_non_null(saved);
                config_init(&back, schema);
                if (config_parse(&back, saved, "saved.ini", err, sizeof err) ||
                    config_validate(&back, err, sizeof err))
                    fail_msg("saved configuration refused: %s\n%s", err, saved);
                struct run_plan *again;
                int m;
                if (plan_runs(&back, &again, &m, err, sizeof err))
                    fail_msg("saved configuration plans no run: %s\n%s", err, saved);
                assert_int_equal(m, 1);
                assert_string_equal(again[0].algorithm, plans[i].algorithm);
                assert_int_equal(again[0].seed, plans[i].seed);
                /* a list of node counts plans one run per count, and each
                 * saved run names its own count */
                assert_int_equal(again[0].nodes, plans[i].nodes);
                for (size_t k = 0; k < SCHEMA_CORE_COUNT; k++)
                    for (const struct param *p = schema[k]->params; p && p->key; p++)
                        if (strcmp(p->key, "algorithm") && strcmp(p->key, "seed") &&
                            strcmp(p->key, "repeat") && strcmp(p->key, "nodes"))
                            assert_string_equal(config_get(&back, schema[k]->name, p->key),
                                                config_get(&c, schema[k]->name, p->key));
                for (int l = 0; l < plans[i].nlayers; l++) {
                    const char *name = plans[i].layers[l]->name;
                    for (const struct param *p = plans[i].layers[l]->params; p && p->key; p++)
                        assert_string_equal(config_get(&back, name, p->key),
                                            config_get(&c, name, p->key));
                }
                runs++;
                free(again);
                free(saved);
                config_free(&back);
            }
        }
        free(plans);
        config_free(&c);
    }
    /* the property was tested on many configurations, not vacuously */
    assert_true(accepted >= 100);
    assert_true(runs >= accepted);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(defaults_make_an_empty_file_valid),
        cmocka_unit_test(values_parse_and_set_overrides_the_file),
        cmocka_unit_test(errors_name_file_line_and_key),
        cmocka_unit_test(long_lines_are_read_whole),
        cmocka_unit_test(nul_bytes_are_refused),
        cmocka_unit_test(numbers_are_strict),
        cmocka_unit_test(lists_have_no_empty_elements),
        cmocka_unit_test(duplicate_keys_are_refused),
        cmocka_unit_test(sections_are_checked_whole),
        cmocka_unit_test(values_stay_one_line),
        cmocka_unit_test(periods_have_a_minimum),
        cmocka_unit_test(crash_schedules_parse_and_bad_ones_are_refused),
        cmocka_unit_test(election_roles_parse_ids_initiators_and_labels),
        cmocka_unit_test(planned_runs_are_checked),
        cmocka_unit_test(shared_checks_name_the_key),
        cmocka_unit_test(recordings_are_sized_before_running),
        cmocka_unit_test(resolved_configuration_reproduces_the_run),
        cmocka_unit_test(random_configurations_read_back_the_same),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
