/* Unit tests of the simulated clock model (model/clock.h):
 * C(t) = t + theta + rho*1e-6*t + adjustments (docs/design.md, "The clock model"), with
 * adjtime(3) semantics for slews. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "unit.h"

#include "model/clock.h"

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

/* A clock C = (1 + r) t + theta has offset C - t = theta / (1 + r) + C r / (1 + r)
 * as a function of its own reading C: the linear model of Jones & Koenig
 * (2013), intercept theta / (1 + r), slope r / (1 + r). Corrected with it,
 * the clock reads t. */
static void exact_linear_model_cancels_offset_and_drift(void **st) {
    (void)st;
    struct sim_clock c;
    double theta = 0.0375, r = 40e-6;
    clock_init(&c, theta, r * 1e6, 0.0);
    assert_int_equal(clock_set_model(&c, 2.0, theta / (1 + r), r / (1 + r)), 0);
    for (double t = 2.0; t < 100.0; t += 7.3)
        assert_near(clock_offset(&c, t), 0.0, 1e-14);
    assert_near(clock_read(&c, 50.0), 50.0, 1e-12);
    /* before the model: the uncorrected clock */
    assert_near(clock_offset(&c, 1.0), theta + r * 1.0, 1e-15);
    clock_free(&c);
}

/* Two models in turn: the first takes the offset out at t = 1 (intercept
 * only), the second the remaining drift as seen on the corrected clock. */
static void second_model_corrects_the_first_keeping_history(void **st) {
    (void)st;
    struct sim_clock c;
    double theta = -0.002, r = -25e-6;
    clock_init(&c, theta, r * 1e6, 0.0);
    /* At t = 1 the offset is theta + r; a reading L = (1 + r) t + theta. */
    clock_set_model(&c, 1.0, theta + r, 0.0);
    assert_near(clock_offset(&c, 1.0), 0.0, 1e-15);
    assert_near(clock_offset(&c, 11.0), 10 * r, 1e-14); /* the drift remains */
    /* Corrected reading L' = (1 + r) t - r: its offset as a function of L'
     * is r (L' + 1) / (1 + r) - ... ; exactly: t = (L' + r) / (1 + r), so
     * L' - t = (r L' - r) / (1 + r): intercept -r / (1 + r), slope r / (1 + r). */
    clock_set_model(&c, 11.0, -r / (1 + r), r / (1 + r));
    for (double t = 11.0; t < 60.0; t += 4.9)
        assert_near(clock_offset(&c, t), 0.0, 1e-14);
    assert_near(clock_offset(&c, 6.0), 5 * r, 1e-14); /* history under the first model */
    clock_free(&c);
}

/* Under a model a step of delta moves the corrected reading by delta. */
static void step_under_a_model_moves_the_reading_by_delta(void **st) {
    (void)st;
    struct sim_clock c;
    clock_init(&c, 0.5, 0.0, 0.0);
    clock_set_model(&c, 1.0, 0.1, 0.01); /* L -> 0.99 L - 0.1 */
    double before = clock_read(&c, 3.0);
    assert_near(before, 0.99 * 3.5 - 0.1, 1e-12);
    clock_step(&c, 3.0, -0.25);
    assert_near(clock_read(&c, 3.0), before - 0.25, 1e-12);
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
        cmocka_unit_test(exact_linear_model_cancels_offset_and_drift),
        cmocka_unit_test(second_model_corrects_the_first_keeping_history),
        cmocka_unit_test(step_under_a_model_moves_the_reading_by_delta),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
