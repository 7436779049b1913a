/* The virtual-time event queue (util/vqueue.h). Its contract, from the
 * header: events leave in the total order (time, destination, source, the
 * source's sequence number), whatever order they were pushed in, so that
 * the order of events does not depend on which rank hosts which node (the
 * deterministic tie-breaking of conservative PDES: Jha and Bagrodia,
 * "Simultaneous events and lookahead in simulation protocols", ACM TOMACS
 * 10(3), 2000). */
// clang-format off
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
// clang-format on
#include "unit.h"

#include "util/vqueue.h"

#include <math.h>
#include <stdlib.h>

/* The order as the header states it, written out field by field. */
static int precedes(const struct vevent *a, const struct vevent *b) {
    if (a->time < b->time) return 1;
    if (a->time > b->time) return 0;
    if (a->dst < b->dst) return 1;
    if (a->dst > b->dst) return 0;
    if (a->src < b->src) return 1;
    if (a->src > b->src) return 0;
    return a->seq < b->seq;
}

static uint64_t next_random(uint64_t *s) { /* xorshift64 (Marsaglia 2003) */
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

/* n events with few distinct times and nodes, so that ties on every field
 * but the last occur; seq makes each (src, seq) unique. */
static struct vevent *events(size_t n, uint64_t seed) {
    struct vevent *e = calloc(n, sizeof *e);
    assert_non_null(e);
    for (size_t i = 0; i < n; i++) {
        e[i].time = (double)(next_random(&seed) % 7) * 0.25e-3;
        e[i].dst = (int32_t)(next_random(&seed) % 5) - 1; /* -1: host-level */
        e[i].src = (int32_t)(next_random(&seed) % 5) - 1;
        e[i].seq = i;
        e[i].kind = VEV_MESSAGE;
    }
    return e;
}

static void empty_queue_has_no_next_time_and_pops_nothing(void **state) {
    (void)state;
    struct vqueue q = {0};
    struct vevent e;
    assert_true(isinf(vqueue_next_time(&q)) && vqueue_next_time(&q) > 0);
    assert_int_equal(vqueue_pop(&q, &e), -1);
    vqueue_free(&q);
}

/* Pushed in a random order, popped in the total order, each event once. */
static void pops_in_total_order(void **state) {
    (void)state;
    enum { N = 5000 };
    struct vevent *e = events(N, 12345);
    struct vqueue q = {0};
    for (size_t i = 0; i < N; i++)
        assert_int_equal(vqueue_push(&q, &e[i]), 0);
    char *seen = calloc(N, 1);
    struct vevent prev = {0}, cur;
    for (size_t i = 0; i < N; i++) {
        double t = vqueue_next_time(&q);
        assert_int_equal(vqueue_pop(&q, &cur), 0);
        assert_true(cur.time == t);
        assert_false(seen[cur.seq]);
        seen[cur.seq] = 1;
        if (i) assert_true(precedes(&prev, &cur));
        prev = cur;
    }
    assert_int_equal(vqueue_pop(&q, &cur), -1);
    free(seen);
    free(e);
    vqueue_free(&q);
}

/* Two push orders of the same events give the same pop sequence, also when
 * pops are interleaved with pushes of later events (as a run does). */
static void order_independent_of_push_order(void **state) {
    (void)state;
    enum { N = 3000 };
    struct vevent *e = events(N, 999);
    for (size_t i = 0; i < N; i++)
        e[i].time += (double)(i / 100); /* batches: later batches come after */
    struct vqueue a = {0}, b = {0};
    uint64_t s = 7;
    size_t popped = 0;
    struct vevent x, y;
    for (size_t batch = 0; batch < N / 100; batch++) {
        struct vevent *p = e + batch * 100;
        for (size_t i = 0; i < 100; i++)
            assert_int_equal(vqueue_push(&a, &p[i]), 0);
        size_t perm[100];
        for (size_t i = 0; i < 100; i++)
            perm[i] = i;
        for (size_t i = 99; i > 0; i--) { /* Fisher-Yates */
            size_t j = next_random(&s) % (i + 1), t = perm[i];
            perm[i] = perm[j];
            perm[j] = t;
        }
        for (size_t i = 0; i < 100; i++)
            assert_int_equal(vqueue_push(&b, &p[perm[i]]), 0);
        for (int k = 0; k < 60; k++, popped++) { /* pop part of it */
            assert_int_equal(vqueue_pop(&a, &x), 0);
            assert_int_equal(vqueue_pop(&b, &y), 0);
            assert_true(x.seq == y.seq);
        }
    }
    while (vqueue_pop(&a, &x) == 0) {
        assert_int_equal(vqueue_pop(&b, &y), 0);
        assert_true(x.seq == y.seq);
        popped++;
    }
    assert_int_equal(vqueue_pop(&b, &y), -1);
    assert_int_equal(popped, N);
    free(e);
    vqueue_free(&a);
    vqueue_free(&b);
}

/* Ties are broken field by field: time, then destination (host-level -1
 * first), then source, then sequence number. */
static void ties_broken_field_by_field(void **state) {
    (void)state;
    struct vevent in[] = {
        {.time = 1.0, .dst = 2, .src = 0, .seq = 0},   {.time = 1.0, .dst = 1, .src = 3, .seq = 9},
        {.time = 1.0, .dst = 1, .src = 3, .seq = 2},   {.time = 1.0, .dst = 1, .src = 0, .seq = 5},
        {.time = 1.0, .dst = -1, .src = -1, .seq = 0}, {.time = 0.5, .dst = 9, .src = 9, .seq = 9},
    };
    /* expected: (0.5), (1,-1), (1,1,0), (1,1,3,2), (1,1,3,9), (1,2) */
    const int expect[] = {5, 4, 3, 2, 1, 0};
    struct vqueue q = {0};
    for (int i = 0; i < 6; i++) {
        in[i].gen = (uint32_t)i; /* which input it was */
        assert_int_equal(vqueue_push(&q, &in[i]), 0);
    }
    struct vevent e;
    for (int i = 0; i < 6; i++) {
        assert_int_equal(vqueue_pop(&q, &e), 0);
        assert_int_equal(e.gen, expect[i]);
    }
    vqueue_free(&q);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(empty_queue_has_no_next_time_and_pops_nothing),
        cmocka_unit_test(pops_in_total_order),
        cmocka_unit_test(order_independent_of_push_order),
        cmocka_unit_test(ties_broken_field_by_field),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
