/* Unit tests of the simulated clock model (runtime/clock.h):
 * C(t) = t + theta + rho*1e-6*t + adjustments (docs/design.md, "The clock model"), with
 * adjtime(3) semantics for slews. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "unit.h"

#include "runtime/clock.h"

static void offset_follows_offset_and_drift(void **st) {
    (void)st;
    struct sim_clock c;
    clock_init(&c, 0.020, 50.0, 0.0);
    assert_near(clock_offset(&c, 0.0), 0.020, 1e-15);
    /* 50 ppm over 10 s is 0.5 ms */
    assert_near(clock_offset(&c, 10.0), 0.0205, 1e-12);
    assert_near(clock_read(&c, 10.0), 10.0205, 1e-12);
    clock_free(&c);
}

static void step_applies_at_once(void **st) {
    (void)st;
    struct sim_clock c;
    clock_init(&c, 0.100, 0.0, 0.0);
    assert_int_equal(clock_step(&c, 1.0, -0.100), 0);
    assert_near(clock_offset(&c, 0.999), 0.100, 1e-15);
    assert_near(clock_offset(&c, 1.0), 0.0, 1e-15);
    assert_near(clock_offset(&c, 5.0), 0.0, 1e-15);
    clock_free(&c);
}

static void slew_is_linear_over_its_span(void **st) {
    (void)st;
    struct sim_clock c;
    clock_init(&c, 0.0, 0.0, 0.0);
    clock_slew(&c, 2.0, 0.010, 0.5);
    assert_near(clock_offset(&c, 2.0), 0.0, 1e-15);
    assert_near(clock_offset(&c, 2.25), 0.005, 1e-12);
    assert_near(clock_offset(&c, 2.5), 0.010, 1e-12);
    assert_near(clock_offset(&c, 9.0), 0.010, 1e-12);
    /* a slew never makes the clock run backwards when |delta| < span */
    double prev = clock_read(&c, 1.9);
    for (double t = 1.9; t < 2.7; t += 0.01) {
        double r = clock_read(&c, t);
        assert_true(r >= prev);
        prev = r;
    }
    clock_free(&c);
}

static void large_slew_keeps_the_clock_monotonic(void **st) {
    (void)st;
    struct sim_clock c;
    clock_init(&c, 2.0, 0.0, 0.0);
    clock_slew(&c, 1.0, -3.0, 1.0); /* asked for -3 s within 1 s: would run backwards */
    double prev = clock_read(&c, 1.0);
    for (double t = 1.0; t < 9.0; t += 0.01) {
        double r = clock_read(&c, t);
        assert_true(r >= prev);
        prev = r;
    }
    assert_near(clock_offset(&c, 1.0 + 3.0 / CLOCK_MAX_SLEW), -1.0, 1e-12);
    clock_free(&c);
}

static void new_adjustment_cancels_rest_of_slew(void **st) {
    (void)st;
    struct sim_clock c;
    clock_init(&c, 0.0, 0.0, 0.0);
    clock_slew(&c, 0.0, 0.010, 1.0); /* half applied by t = 0.5 */
    clock_step(&c, 0.5, 0.001);      /* replaces what remains, as adjtime does */
    assert_near(clock_offset(&c, 0.5), 0.006, 1e-12);
    assert_near(clock_offset(&c, 2.0), 0.006, 1e-12);
    /* history before the second adjustment is still exact */
    assert_near(clock_offset(&c, 0.25), 0.0025, 1e-12);
    clock_free(&c);
}

static void history_is_exact_for_earlier_times(void **st) {
    (void)st;
    struct sim_clock c;
    clock_init(&c, -0.050, -20.0, 0.0);
    for (int k = 1; k <= 100; k++)
        clock_step(&c, 0.1 * k, 0.0005);
    /* at t = 5.05: 50 steps applied */
    double want = -0.050 - 20e-6 * 5.05 + 50 * 0.0005;
    assert_near(clock_offset(&c, 5.05), want, 1e-12);
    clock_free(&c);
}

static void granularity_floors_readings(void **st) {
    (void)st;
    struct sim_clock c;
    clock_init(&c, 0.0, 0.0, 0.001);
    assert_near(clock_read(&c, 1.2345), 1.234, 1e-12);
    /* the true offset is not affected by the reading resolution */
    assert_near(clock_offset(&c, 1.2345), 0.0, 1e-15);
    clock_free(&c);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(offset_follows_offset_and_drift),
        cmocka_unit_test(step_applies_at_once),
        cmocka_unit_test(slew_is_linear_over_its_span),
        cmocka_unit_test(large_slew_keeps_the_clock_monotonic),
        cmocka_unit_test(new_adjustment_cancels_rest_of_slew),
        cmocka_unit_test(history_is_exact_for_earlier_times),
        cmocka_unit_test(granularity_floors_readings),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
