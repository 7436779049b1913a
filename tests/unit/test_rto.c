/* The retransmission timer of the reliable channel (model/rto.h) against
 * the rules of RFC 6298, worked by hand: the first sample R sets SRTT = R
 * and RTTVAR = R/2 (2.2), later ones RTTVAR = 3/4 RTTVAR + 1/4 |SRTT - R|
 * then SRTT = 7/8 SRTT + 1/8 R (2.3), RTO = SRTT + max(G, 4 RTTVAR) within
 * its bounds (2.4, 2.5), and each expiry doubles it up to the largest
 * value (5.5). */
// clang-format off
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
// clang-format on
#include "unit.h"

#include "model/rto.h"

static void initial_timeout_until_the_first_sample(void **state) {
    (void)state;
    struct rto r;
    rto_init(&r, 1.0, 1e-3, 60);
    assert_near(r.rto, 1.0, 0);
    rto_init(&r, 1.0, 2.0, 60); /* below the smallest: raised to it */
    assert_near(r.rto, 2.0, 0);
}

static void samples_follow_rfc6298_section_2(void **state) {
    (void)state;
    struct rto r;
    rto_init(&r, 1.0, 1e-3, 60);
    rto_sample(&r, 0.1, 0);
    assert_near(r.srtt, 0.1, 1e-15);
    assert_near(r.rttvar, 0.05, 1e-15);
    assert_near(r.rto, 0.1 + 4 * 0.05, 1e-15);
    rto_sample(&r, 0.2, 0);
    /* RTTVAR from the old SRTT (0.1), then SRTT */
    assert_near(r.rttvar, 0.75 * 0.05 + 0.25 * 0.1, 1e-15);
    assert_near(r.srtt, 0.875 * 0.1 + 0.125 * 0.2, 1e-15);
    assert_near(r.rto, 0.1125 + 4 * 0.0625, 1e-15);
}

static void steady_samples_leave_the_granularity(void **state) {
    (void)state;
    struct rto r;
    rto_init(&r, 1.0, 1e-6, 60);
    for (int i = 0; i < 200; i++)
        rto_sample(&r, 2e-3, 10e-6);
    /* RTTVAR shrinks by 3/4 a sample: 4 RTTVAR < G, RTO = SRTT + G */
    assert_near(r.srtt, 2e-3, 1e-15);
    assert_near(r.rto, 2e-3 + 10e-6, 1e-15);
}

static void expiry_doubles_up_to_the_largest(void **state) {
    (void)state;
    struct rto r;
    rto_init(&r, 10e-3, 1e-3, 50e-3);
    rto_backoff(&r);
    assert_near(r.rto, 20e-3, 1e-15);
    rto_backoff(&r);
    assert_near(r.rto, 40e-3, 1e-15);
    rto_backoff(&r);
    assert_near(r.rto, 50e-3, 1e-15);
    rto_sample(&r, 2e-3, 0); /* a new sample ends the back-off (5.7) */
    assert_near(r.rto, 2e-3 + 4 * 1e-3, 1e-15);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(initial_timeout_until_the_first_sample),
        cmocka_unit_test(samples_follow_rfc6298_section_2),
        cmocka_unit_test(steady_samples_leave_the_granularity),
        cmocka_unit_test(expiry_doubles_up_to_the_largest),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
