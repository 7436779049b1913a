/* Unit tests of configuration parsing and checking (config/config.h,
 * config/schema.h, runtime/faults.h, runtime/roles.h): every error names
 * the file, line and key. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "unit.h"
#include <math.h>
#include <string.h>

#include "config/config.h"
#include "config/schema.h"
#include "runtime/faults.h"
#include "runtime/roles.h"

static const struct section_schema *const core[] = {
    &schema_experiment, &schema_clock, &schema_network, &schema_faults, &schema_election,
    &schema_nodes,      NULL};
static char err[CONFIG_ERR_LEN];

static int load(struct config *c, const char *text) {
    config_init(c, core);
    int rc = config_parse(c, text, "x.ini", err, sizeof err);
    if (rc == 0) rc = config_validate(c, err, sizeof err);
    return rc;
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

static void values_and_overrides(void **st) {
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
    struct config c;
    assert_int_equal(load(&c, "[experiment]\n\nduraton = 2s\n"), -1);
    assert_non_null(strstr(err, "x.ini:3"));
    assert_non_null(strstr(err, "duraton"));
    config_free(&c);
    assert_int_equal(load(&c, "[experimnt]\nseed = 1\n"), -1);
    assert_non_null(strstr(err, "x.ini:2"));
    assert_non_null(strstr(err, "experimnt"));
    config_free(&c);
    assert_int_equal(load(&c, "[experiment]\nduration = 2 parsecs\n"), -1);
    assert_non_null(strstr(err, "x.ini:2"));
    assert_non_null(strstr(err, "duration"));
    config_free(&c);
    assert_int_equal(load(&c, "[experiment]\nduration = -1s\n"), -1);
    assert_non_null(strstr(err, "negative"));
    config_free(&c);
    assert_int_equal(load(&c, "[network]\nloss = 1.5\n"), -1);
    assert_non_null(strstr(err, "loss"));
    config_free(&c);
    assert_int_equal(load(&c, "[faults]\ncrash = coordinator@soon\n"), -1);
    assert_non_null(strstr(err, "crash"));
    config_free(&c);
    assert_int_equal(load(&c, "[election]\nids = sorted\n"), -1);
    assert_non_null(strstr(err, "ids"));
    config_free(&c);
    assert_int_equal(load(&c, "not an ini line\n"), -1);
    config_free(&c);
    config_init(&c, core);
    assert_int_equal(config_set(&c, "clock.skew=1", err, sizeof err), -1);
    assert_non_null(strstr(err, "--set"));
    assert_non_null(strstr(err, "skew"));
    config_free(&c);
}

static void crash_schedules(void **st) {
    (void)st;
    struct crash_schedule s;
    assert_int_equal(faults_parse("none", &s, err, sizeof err), 0);
    assert_int_equal(s.n, 0);
    assert_int_equal(faults_parse("coordinator@1s, 7@0.5s-1.5s", &s, err, sizeof err), 0);
    assert_int_equal(s.n, 2);
    assert_int_equal(s.ev[0].node, CRASH_COORDINATOR);
    assert_near(s.ev[0].at, 1.0, 0);
    assert_true(isinf(s.ev[0].recover));
    assert_int_equal(s.ev[1].node, 7);
    assert_near(s.ev[1].at, 0.5, 0);
    assert_near(s.ev[1].recover, 1.5, 0);
    assert_int_equal(faults_parse("7@2s-1s", &s, err, sizeof err), -1);
    assert_int_equal(faults_parse("seven@1s", &s, err, sizeof err), -1);
}

static void election_ids_and_initiators(void **st) {
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
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(defaults_make_an_empty_file_valid), cmocka_unit_test(values_and_overrides),
        cmocka_unit_test(errors_name_file_line_and_key),     cmocka_unit_test(crash_schedules),
        cmocka_unit_test(election_ids_and_initiators),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
