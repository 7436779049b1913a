/* Unit tests of the NTP on-wire formulas and clock filter (RFC 5905,
 * sections 8 and 10; src/algorithms/clock_sync/clock_filter.h), on hand-made
 * timestamps with a known true offset. Oracles: the on-wire offset is exact
 * for symmetric delays and errs by (d_req - d_rep)/2 otherwise, so by at
 * most delay/2 - d_min; the filter uses the minimum-delay sample of the last
 * 8, each at most once; model/clock.h's slews are what adjust_log says. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "algorithms/clock_sync/clock_filter.h"
#include "model/clock.h"
#include "model/estimators.h"

#include <gsl/gsl_rng.h>
#include <math.h>

#define assert_near(a, b, eps)                                                                     \
    do {                                                                                           \
        double a_ = (a), b_ = (b);                                                                 \
        if (!(fabs(a_ - b_) <= (eps))) {                                                           \
            print_error("%s = %.17g, expected %.17g (eps %g)\n", #a, a_, b_, (double)(eps));       \
            fail();                                                                                \
        }                                                                                          \
    } while (0)

/* Server 1 s ahead of the client, 5 ms each way, 1 ms in the server. */
static void test_symmetric_delay_gives_the_exact_offset(void **st) {
    (void)st;
    double t1 = 0.0, t2 = 1.005, t3 = 1.006, t4 = 0.011;
    assert_near(ntp_offset(t1, t2, t3, t4), 1.0, 1e-12);
    assert_near(ntp_delay(t1, t2, t3, t4), 0.010, 1e-12);
    struct ntp_sample s = ntp_sample_make(t1, 0.0, t2, t3, t4, 0.0);
    assert_near(s.offset, 1.0, 1e-12);
    assert_near(s.delay, 0.010, 1e-12);
}

/* Same clocks, 2 ms out and 8 ms back: error (2 - 8)/2 = -3 ms, which is
 * the bound delay/2 - d_min = 5 - 2 ms, reached. */
static void test_asymmetric_delay_error_reaches_the_bound(void **st) {
    (void)st;
    double t1 = 0.0, t2 = 1.002, t3 = 1.003, t4 = 0.011;
    double delay = ntp_delay(t1, t2, t3, t4), err = ntp_offset(t1, t2, t3, t4) - 1.0;
    assert_near(delay, 0.010, 1e-12);
    assert_near(err, (0.002 - 0.008) / 2, 1e-12);
    assert_near(fabs(err), delay / 2 - 0.002, 1e-12);
}

/* Any split of the delay with both legs >= d_min: |error| <= delay/2 - d_min. */
static void test_error_within_the_bound_for_every_split(void **st) {
    (void)st;
    const double theta = -0.0371, d_min = 0.001, hold = 0.0002;
    for (int i = 0; i <= 50; i++)
        for (int j = 0; j <= 50; j++) {
            double dreq = d_min + 1e-4 * i, drep = d_min + 3e-4 * j, t1 = 12.5;
            double t2 = t1 + theta + dreq, t3 = t2 + hold, t4 = t3 - theta + drep;
            double delay = ntp_delay(t1, t2, t3, t4), err = ntp_offset(t1, t2, t3, t4) - theta;
            assert_near(delay, dreq + drep, 1e-12);
            assert_true(fabs(err) <= delay / 2 - d_min + 1e-12);
        }
}

static struct ntp_sample sample(long seq, double offset, double delay) {
    struct ntp_sample s = {offset, delay, 0.0, seq};
    return s;
}

/* The stage with the smallest delay of the last 8 is used, once. */
static void test_filter_uses_the_min_delay_sample_once(void **st) {
    (void)st;
    struct clock_filter f;
    struct ntp_sample used, s;
    clock_filter_reset(&f);
    s = sample(0, 0.5, 0.007);
    assert_int_equal(clock_filter_add(&f, &s, &used), 1); /* only sample */
    assert_int_equal(used.seq, 0);
    s = sample(1, 0.4, 0.009);
    assert_int_equal(clock_filter_add(&f, &s, &used), 0); /* seq 0 still best, used */
    s = sample(2, 0.3, 0.003);
    assert_int_equal(clock_filter_add(&f, &s, &used), 1);
    assert_int_equal(used.seq, 2);
    assert_near(used.offset, 0.3, 0);
    for (long k = 3; k < 10; k++) { /* seq 2 stays best while in the window */
        s = sample(k, 0.1, 0.004 + 1e-4 * (double)k);
        assert_int_equal(clock_filter_add(&f, &s, &used), 0);
    }
    /* seq 10 pushes seq 2 out; the best left is seq 3 (delay 4.3 ms). */
    s = sample(10, 0.1, 0.02);
    assert_int_equal(clock_filter_add(&f, &s, &used), 1);
    assert_int_equal(used.seq, 3);
    /* A new minimum is used at once. */
    s = sample(11, 0.2, 0.001);
    assert_int_equal(clock_filter_add(&f, &s, &used), 1);
    assert_int_equal(used.seq, 11);
}

/* A client whose clock is C(t) = t - theta0 + A (A: its adjustments), a
 * server at S(t) = t, stepping as ntp.c does. */
struct client {
    double theta0, A;
    struct adjust_log log;
    struct clock_filter filter;
    long seq;
};

static void client_init(struct client *c, double theta0) {
    c->theta0 = theta0;
    c->A = 0.0;
    adjust_log_init(&c->log);
    clock_filter_reset(&c->filter);
    c->seq = 0;
}

static double client_clock(const struct client *c, double t) {
    return t - c->theta0 + c->A;
}

/* One exchange starting at reference time t; returns 1 when the client
 * stepped, with the sample used in *used. */
static int exchange(struct client *c, double t, double dreq, double drep, struct ntp_sample *used) {
    double t1 = client_clock(c, t), t2 = t + dreq, t3 = t2, t4 = client_clock(c, t + dreq + drep);
    struct ntp_sample s =
        ntp_sample_make(t1, adjust_log_at(&c->log, t1), t2, t3, t4, adjust_log_at(&c->log, t4));
    s.seq = c->seq++;
    if (!clock_filter_add(&c->filter, &s, used)) return 0;
    double now = t4, off = ntp_sample_offset_now(used, adjust_log_at(&c->log, now));
    c->A += off;
    adjust_log_step(&c->log, now, off);
    return 1;
}

/* The filter chooses a sample taken before the last step: its offset must
 * be corrected by that step, else the step is repeated. */
static void test_older_sample_corrected_by_a_later_step(void **st) {
    (void)st;
    struct client c;
    struct ntp_sample used;
    client_init(&c, 0.010); /* the client is 10 ms behind */
    assert_int_equal(exchange(&c, 0.0, 0.0045, 0.0045, &used), 1);
    assert_near(c.A, 0.010, 1e-12);                                /* exact: symmetric delays */
    assert_int_equal(exchange(&c, 1.0, 0.0005, 0.0005, &used), 1); /* new minimum, offset 0 */
    /* seq 2: 2 ms, all outbound, reads +1 ms; seq 3: 3 ms symmetric, reads 0. */
    assert_int_equal(exchange(&c, 2.0, 0.002, 0.0, &used), 0);
    assert_int_equal(exchange(&c, 3.0, 0.0015, 0.0015, &used), 0);
    for (int k = 4; k < 9; k++)
        assert_int_equal(exchange(&c, k, 0.0045, 0.0045, &used), 0);
    /* seq 9 pushes seq 1 out: seq 2 is used and steps +1 ms (its asymmetry). */
    assert_int_equal(exchange(&c, 9.0, 0.0045, 0.0045, &used), 1);
    assert_int_equal(used.seq, 2);
    assert_near(c.A - c.theta0, 0.001, 1e-12);
    /* seq 10 pushes seq 2 out: seq 3, read as 0 before the +1 ms step, now
     * means -1 ms; the clock ends exact (uncorrected, it would stay 1 ms off). */
    assert_int_equal(exchange(&c, 10.0, 0.0045, 0.0045, &used), 1);
    assert_int_equal(used.seq, 3);
    assert_near(used.offset, 0.0, 1e-12);
    assert_near(c.A - c.theta0, 0.0, 1e-12);
}

/* Random delays >= d_min: after every step the client's error is at most
 * delay/2 - d_min of the sample used (RFC 5905's bound, no drift here). */
static void test_error_within_the_bound_after_every_step(void **st) {
    (void)st;
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(rng, 7);
    const double d_min = 0.001;
    struct client c;
    struct ntp_sample used;
    client_init(&c, -0.083);
    int steps = 0;
    for (int k = 0; k < 2000; k++) {
        double dreq = d_min + 0.003 * gsl_rng_uniform(rng);
        double drep = d_min + 0.003 * gsl_rng_uniform(rng);
        if (!exchange(&c, 0.05 * k, dreq, drep, &used)) continue;
        steps++;
        assert_true(fabs(c.A - c.theta0) <= used.delay / 2 - d_min + 1e-12);
    }
    assert_true(steps > 100 && steps < 2000); /* the filter skips used samples */
    gsl_rng_free(rng);
}

/* adjust_log follows model/clock.h's steps and slews (cut short by the
 * next adjustment) from the clock's own readings. */
static void test_adjust_log_matches_clock(void **st) {
    (void)st;
    struct sim_clock clk;
    struct adjust_log log;
    clock_init(&clk, 0.25, 0.0, 0.0);
    adjust_log_init(&log);
    struct {
        double t, delta, span;
    } adj[] = {{0.1, 0.004, 0.05}, {0.12, -0.01, 0.05}, {0.3, 0.02, 0.0}, {0.35, -0.002, 0.05}};
    size_t next = 0;
    for (int i = 0; i <= 500; i++) {
        double t = 0.001 * i;
        if (next < sizeof adj / sizeof adj[0] && t >= adj[next].t) {
            double local = clock_read(&clk, t);
            clock_slew(&clk, t, adj[next].delta, adj[next].span);
            adjust_log_slew(&log, local, adj[next].delta, adj[next].span);
            next++;
        }
        double local = clock_read(&clk, t);
        assert_near(adjust_log_at(&log, local), clock_offset(&clk, t) - 0.25, 1e-12);
    }
    clock_free(&clk);
}

/* A slew running during the exchange: the sample is still exact for
 * symmetric delays, once computed on the unadjusted readings. */
static void test_sample_during_a_slew_is_exact(void **st) {
    (void)st;
    struct sim_clock clk;
    struct adjust_log log;
    const double theta0 = 0.03; /* client 30 ms ahead of the server S(t) = t */
    clock_init(&clk, theta0, 0.0, 0.0);
    adjust_log_init(&log);
    double t = 1.0, local = clock_read(&clk, t);
    clock_slew(&clk, t, -0.01, 0.05);
    adjust_log_slew(&log, local, -0.01, 0.05);
    double ts = 1.01, d = 0.004; /* the exchange starts 10 ms into the slew */
    double t1 = clock_read(&clk, ts), t2 = ts + d, t3 = t2, t4 = clock_read(&clk, ts + 2 * d);
    struct ntp_sample s =
        ntp_sample_make(t1, adjust_log_at(&log, t1), t2, t3, t4, adjust_log_at(&log, t4));
    assert_near(s.offset, -clock_offset(&clk, ts + 2 * d), 1e-12); /* server - client at t4 */
    assert_near(s.delay, 2 * d, 1e-12);
    /* The raw formula is off by half the slew applied during the exchange. */
    assert_true(fabs(ntp_offset(t1, t2, t3, t4) + clock_offset(&clk, ts + 2 * d)) > 1e-4);
    clock_free(&clk);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_symmetric_delay_gives_the_exact_offset),
        cmocka_unit_test(test_asymmetric_delay_error_reaches_the_bound),
        cmocka_unit_test(test_error_within_the_bound_for_every_split),
        cmocka_unit_test(test_filter_uses_the_min_delay_sample_once),
        cmocka_unit_test(test_older_sample_corrected_by_a_later_step),
        cmocka_unit_test(test_error_within_the_bound_after_every_step),
        cmocka_unit_test(test_adjust_log_matches_clock),
        cmocka_unit_test(test_sample_during_a_slew_is_exact),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
