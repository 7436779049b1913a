/* Unit tests of the offset estimators (algorithms/estimators.h) against
 * Cristian 1989, RFC 5905 section 8 and Gusella & Zatti's fault-tolerant
 * average. Clocks are simulated by hand: local = true + theta. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "unit.h"
#include <math.h>

#include "algorithms/estimators.h"

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

static void ntp_rfc5905_offset_and_delay(void **st) {
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

static void median_odd_and_even(void **st) {
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

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(cristian_exact_for_symmetric_delay),
        cmocka_unit_test(cristian_error_within_bound),
        cmocka_unit_test(ntp_rfc5905_offset_and_delay),
        cmocka_unit_test(min_index_picks_first_smallest),
        cmocka_unit_test(median_odd_and_even),
        cmocka_unit_test(ft_average_leaves_out_outliers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
