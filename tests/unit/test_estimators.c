/* Unit tests of the offset estimators (model/estimators.h) against
 * Cristian 1989, RFC 5905 section 8 and Gusella & Zatti's fault-tolerant
 * average. Clocks are simulated by hand: local = true + theta. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "unit.h"
#include <math.h>

#include "model/estimators.h"

/* A request at true time 10 s, one-way delays d1 (request) and d2 (reply),
 * client clock ahead of the server by theta. */
static double cristian_error(double theta, double d1, double d2) {
    double t_send = 10.0 + theta, server = 10.0 + d1, t_recv = 10.0 + d1 + d2 + theta;
    return cristian_offset(t_send, server, t_recv) - theta;
}

static void cristian_exact_for_symmetric_delay(void **st) {
    (void)st;
    assert_near(cristian_error(0.0375, 0.002, 0.002), 0.0, 1e-12);
    assert_near(cristian_error(-1.5, 0.0001, 0.0001), 0.0, 1e-12);
}

static void cristian_error_within_bound(void **st) {
    (void)st;
    /* error <= RTT/2 - d_min for any split of the RTT with both delays >= d_min */
    double dmin = 0.001;
    for (double d1 = dmin; d1 < 0.010; d1 += 0.0007)
        for (double d2 = dmin; d2 < 0.010; d2 += 0.0011) {
            double err = fabs(cristian_error(0.25, d1, d2));
            assert_true(err <= (d1 + d2) / 2 - dmin + 1e-12);
            /* and the bound is reached by the most asymmetric split */
            if (d1 == dmin) assert_near(err, (d1 + d2) / 2 - dmin, 1e-12);
        }
}

static void ntp_offset_and_delay_follow_rfc5905(void **st) {
    (void)st;
    /* server ahead of client by 1 s; 5 ms each way; 1 ms server processing */
    double t1 = 0.0, t2 = 1.005, t3 = 1.006, t4 = 0.011;
    assert_near(ntp_offset(t1, t2, t3, t4), 1.0, 1e-12);
    assert_near(ntp_delay(t1, t2, t3, t4), 0.010, 1e-12);
    /* asymmetric: 2 ms out, 8 ms back: error = (2 - 8)/2 ms = -3 ms, |err| <= delay/2 */
    t2 = 1.002, t3 = 1.003, t4 = 0.011;
    assert_near(ntp_offset(t1, t2, t3, t4), 1.0 - 0.003, 1e-12);
    assert_true(fabs(ntp_offset(t1, t2, t3, t4) - 1.0) <= ntp_delay(t1, t2, t3, t4) / 2);
}

static void min_index_picks_first_smallest(void **st) {
    (void)st;
    double v[] = {3.0, 1.0, 2.0, 1.0};
    assert_int_equal(min_index(v, 4), 1);
    assert_int_equal(min_index(v, 1), 0);
}

static void median_is_the_middle_or_mean_of_the_two(void **st) {
    (void)st;
    double odd[] = {5, 1, 3};
    double even[] = {4, 1, 3, 2};
    assert_near(median(odd, 3), 3.0, 0);
    assert_near(median(even, 4), 2.5, 0);
}

static void ft_average_leaves_out_outliers(void **st) {
    (void)st;
    /* four good clocks and one 2 s off: the average is that of the good ones */
    double v[] = {0.0, 0.004, -0.002, 0.002, 2.0};
    int ex[5];
    double avg = ft_average(v, 5, 0.050, ex);
    assert_near(avg, 0.001, 1e-12);
    assert_int_equal(ex[4], 1);
    for (int i = 0; i < 4; i++)
        assert_int_equal(ex[i], 0);
    /* with a threshold that admits every reading it is the plain mean */
    avg = ft_average(v, 5, 10.0, ex);
    assert_near(avg, 0.4008, 1e-12);
}

/* Ping-pongs against a server whose clock is theta behind: with one-way
 * delays (d1, d2) per exchange, the exchange's offset is theta + (d2 - d1) / 2
 * (Cristian 1989) and its interval [t_send - remote, t_recv - remote] holds
 * theta. The min-RTT exchange is kept whatever the order; SKaMPI's
 * intersection of the intervals is [theta - min d1, theta + min d2]. */
static void pingpong_keeps_min_rtt_and_intersects_intervals(void **st) {
    (void)st;
    double theta = 0.004;
    double d[][2] = {{3e-6, 9e-6}, {1e-6, 1.5e-6}, {1.5e-6, 0.5e-6}, {0.2e-6, 40e-6}};
    struct pingpong p;
    double bound;
    pingpong_reset(&p);
    assert_true(isinf(p.rtt));
    assert_true(isnan(pingpong_offset(&p, &bound)));
    double t = 1.0;
    for (int k = 0; k < 4; k++) {
        double t_send = t + theta, server = t + d[k][0], t_recv = t + d[k][0] + d[k][1] + theta;
        pingpong_add(&p, t_send, server, t_recv);
        t += 1e-3;
    }
    assert_int_equal(p.n, 4);
    assert_near(p.rtt, 2e-6, 1e-15); /* the third exchange: 1.5 + 0.5 us */
    assert_near(p.offset, theta + (0.5e-6 - 1.5e-6) / 2, 1e-15);
    assert_near(p.time, 1.002 + theta + 1e-6, 1e-12);
    /* intersection: lo = theta - min d1 ... written as local - remote */
    assert_near(p.lo, theta - 0.2e-6, 1e-15);
    assert_near(p.hi, theta + 0.5e-6, 1e-15);
    double est = pingpong_offset(&p, &bound);
    assert_near(est, theta + 0.15e-6, 1e-15);
    assert_near(bound, 0.35e-6, 1e-15);
    assert_true(fabs(est - theta) <= bound && bound <= p.rtt / 2);
    /* intervals that do not meet (a clock stepped in between): the min-RTT one */
    pingpong_add(&p, 2.0 + theta + 1e-3, 2.0, 2.0 + theta + 1e-3 + 5e-6);
    est = pingpong_offset(&p, &bound);
    assert_near(est, p.offset, 0);
    assert_near(bound, p.rtt / 2, 0);
}

/* NIST StRD linear regression dataset "Norris" (lower difficulty, 36
 * observations) and its certified values: B0 = -0.262323073774029,
 * B1 = 1.00211681802045, standard deviation of B1 = 0.429796848199937e-3. */
static void linear_fit_matches_norris_certified_values(void **st) {
    (void)st;
    static const double x[] = {0.2,   337.4, 118.2, 884.6, 10.1,  226.5, 666.3, 996.3, 448.6,
                               777.0, 558.2, 0.4,   0.6,   775.5, 666.9, 338.0, 447.5, 11.6,
                               556.0, 228.1, 995.8, 887.6, 120.2, 0.3,   0.3,   556.8, 339.1,
                               887.2, 999.0, 779.0, 11.1,  118.3, 229.2, 669.1, 448.9, 0.5};
    static const double y[] = {0.1,   338.8, 118.1, 888.0, 9.2,   228.1, 668.5, 998.5, 449.1,
                               778.9, 559.2, 0.3,   0.1,   778.1, 668.8, 339.3, 448.9, 10.8,
                               557.7, 228.3, 998.0, 888.8, 119.6, 0.3,   0.6,   557.6, 339.3,
                               888.0, 998.5, 778.9, 10.2,  117.6, 228.9, 668.4, 449.2, 0.2};
    double b0, b1, se;
    assert_int_equal(linear_fit(x, y, 36, &b0, &b1, &se), 0);
    assert_near(b0, -0.262323073774029, 1e-10);
    assert_near(b1, 1.00211681802045, 1e-12);
    assert_near(se, 0.429796848199937e-3, 1e-12);
}

/* Offsets of a clock drifting by 30 ppm from its reference, sampled without
 * noise over a window far from the origin: the fit is the clock's model. */
static void linear_fit_recovers_a_drift(void **st) {
    (void)st;
    double x[10], y[10], b0, b1;
    for (int i = 0; i < 10; i++) {
        x[i] = 1000.0 + 0.01 * i;
        y[i] = -0.003 + 30e-6 * x[i];
    }
    assert_int_equal(linear_fit(x, y, 10, &b0, &b1, NULL), 0);
    assert_near(b1, 30e-6, 1e-12);
    assert_near(b0, -0.003, 1e-9);
    /* a single point, or points at one x, fix no line */
    assert_int_equal(linear_fit(x, y, 1, &b0, &b1, NULL), -1);
    double same[3] = {5, 5, 5};
    assert_int_equal(linear_fit(same, y, 3, &b0, &b1, NULL), -1);
}

/* The bounds are the worst case of the fit (least squares is linear in y):
 * errors of +-e_k with the signs of the weights reach them exactly, and
 * every other choice of signs stays within them. */
static void linear_fit_bounds_are_reached_and_not_exceeded(void **st) {
    (void)st;
    double x[6] = {0.0, 0.1, 0.25, 0.3, 0.5, 0.55}, e[6] = {1e-6, 2e-6, 0.5e-6, 1e-6, 3e-6, 1e-6};
    double y[6], b0, b1, vb, sb, x0 = 0.6;
    assert_int_equal(linear_fit_bounds(x, e, 6, x0, &vb, &sb), 0);
    double worst_value = 0, worst_slope = 0;
    for (int signs = 0; signs < 64; signs++) {
        for (int k = 0; k < 6; k++)
            y[k] = 0.01 + 20e-6 * x[k] + ((signs >> k) & 1 ? e[k] : -e[k]);
        assert_int_equal(linear_fit(x, y, 6, &b0, &b1, NULL), 0);
        double dv = fabs(b0 + b1 * x0 - (0.01 + 20e-6 * x0)), ds = fabs(b1 - 20e-6);
        assert_true(dv <= vb * (1 + 1e-9));
        assert_true(ds <= sb * (1 + 1e-9));
        worst_value = fmax(worst_value, dv);
        worst_slope = fmax(worst_slope, ds);
    }
    assert_near(worst_value, vb, vb * 1e-9);
    assert_near(worst_slope, sb, sb * 1e-9);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(cristian_exact_for_symmetric_delay),
        cmocka_unit_test(cristian_error_within_bound),
        cmocka_unit_test(ntp_offset_and_delay_follow_rfc5905),
        cmocka_unit_test(min_index_picks_first_smallest),
        cmocka_unit_test(median_is_the_middle_or_mean_of_the_two),
        cmocka_unit_test(ft_average_leaves_out_outliers),
        cmocka_unit_test(pingpong_keeps_min_rtt_and_intersects_intervals),
        cmocka_unit_test(linear_fit_matches_norris_certified_values),
        cmocka_unit_test(linear_fit_recovers_a_drift),
        cmocka_unit_test(linear_fit_bounds_are_reached_and_not_exceeded),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
