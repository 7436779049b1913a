/* Unit tests of the distribution parser and sampler (model/distribution.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "unit.h"
#include <gsl/gsl_rng.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>
#include <math.h>
#include <string.h>

#include "model/distribution.h"

static char err[512];

static void parses_the_documented_forms(void **st) {
    (void)st;
    struct dist d;
    assert_int_equal(dist_parse("uniform(-100ms, 100ms)", DIST_TIME, &d, err, sizeof err), 0);
    assert_int_equal(d.kind, DIST_UNIFORM);
    assert_near(d.a, -0.1, 1e-15);
    assert_near(d.b, 0.1, 1e-15);
    assert_int_equal(dist_parse("lognormal(1ms, 0.3)", DIST_TIME_NONNEG, &d, err, sizeof err), 0);
    assert_near(d.a, 0.001, 1e-15);
    assert_near(d.b, 0.3, 1e-15);
    assert_int_equal(dist_parse("constant(0)", DIST_TIME_NONNEG, &d, err, sizeof err), 0);
    assert_true(dist_is_zero(&d));
    assert_int_equal(dist_parse("exponential(2us)", DIST_TIME_NONNEG, &d, err, sizeof err), 0);
    assert_near(d.a, 2e-6, 1e-18);
    assert_int_equal(dist_parse("uniform(-50, 50)", DIST_PLAIN, &d, err, sizeof err), 0);
    assert_int_equal(dist_parse("values(0, 5ms, -3ms)", DIST_TIME, &d, err, sizeof err), 0);
    assert_int_equal(d.nvalues, 3);
    assert_near(dist_min(&d), -0.003, 1e-15);
    assert_int_equal(dist_parse("25ms", DIST_TIME, &d, err, sizeof err), 0);
    assert_int_equal(d.kind, DIST_CONSTANT);
}

static void rejects_bad_input_with_a_reason(void **st) {
    (void)st;
    struct dist d;
    assert_int_equal(dist_parse("uniform(1, 2)", DIST_TIME, &d, err, sizeof err), -1);
    assert_non_null(strstr(err, "unit"));
    assert_int_equal(dist_parse("uniform(2ms, 1ms)", DIST_TIME, &d, err, sizeof err), -1);
    assert_int_equal(dist_parse("gauss(1ms)", DIST_TIME, &d, err, sizeof err), -1);
    assert_non_null(strstr(err, "gauss"));
    assert_int_equal(dist_parse("uniform(-1ms, 1ms)", DIST_TIME_NONNEG, &d, err, sizeof err), -1);
    assert_int_equal(dist_parse("lognormal(0, 0.3)", DIST_TIME_NONNEG, &d, err, sizeof err), -1);
    assert_int_equal(dist_parse("uniform(1ms", DIST_TIME, &d, err, sizeof err), -1);
    assert_int_equal(dist_parse("10 parsecs", DIST_TIME, &d, err, sizeof err), -1);
}

static void samples_have_the_documented_laws(void **st) {
    (void)st;
    enum { N = 20000 };
    static double x[N];
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, 1);
    struct dist d;
    dist_parse("uniform(1ms, 3ms)", DIST_TIME, &d, err, sizeof err);
    for (int i = 0; i < N; i++) {
        x[i] = dist_sample(&d, r, i);
        assert_true(x[i] >= 0.001 && x[i] <= 0.003);
    }
    assert_near(gsl_stats_mean(x, 1, N), 0.002, 2e-5);
    /* lognormal(m, s): median m, mean m*exp(s^2/2) */
    dist_parse("lognormal(1ms, 0.3)", DIST_TIME_NONNEG, &d, err, sizeof err);
    for (int i = 0; i < N; i++)
        x[i] = dist_sample(&d, r, i);
    assert_near(gsl_stats_mean(x, 1, N), 0.001 * exp(0.045), 1e-5);
    gsl_sort(x, 1, N);
    assert_near(gsl_stats_median_from_sorted_data(x, 1, N), 0.001, 2e-5);
    dist_parse("exponential(2ms)", DIST_TIME_NONNEG, &d, err, sizeof err);
    for (int i = 0; i < N; i++)
        x[i] = dist_sample(&d, r, i);
    assert_near(gsl_stats_mean(x, 1, N), 0.002, 6e-5);
    /* values(): node i gets value i, cycling */
    dist_parse("values(1s, 2s, 3s)", DIST_TIME, &d, err, sizeof err);
    assert_near(dist_sample(&d, r, 1), 2.0, 0);
    assert_near(dist_sample(&d, r, 4), 2.0, 0);
    gsl_rng_free(r);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(parses_the_documented_forms),
        cmocka_unit_test(rejects_bad_input_with_a_reason),
        cmocka_unit_test(samples_have_the_documented_laws),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
