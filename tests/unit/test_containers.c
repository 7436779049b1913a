/* The containers of src/util: the message buffer pool (pool.h) and the
 * growable array (vec.h), against their headers' contracts. Run under
 * AddressSanitizer by the test command, which also catches a block written
 * past its size class or used after pool_free. */
// clang-format off
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
// clang-format on
#include "unit.h"

#include "util/pool.h"
#include "util/vec.h"

#include <stdlib.h>
#include <string.h>

/* A buffer holds the bytes asked for, at any size up to POOL_MAX, and is
 * aligned for any type (max_align_t). */
static void pool_buffers_hold_their_length(void **state) {
    (void)state;
    struct pool p = {0};
    size_t lens[] = {1, POOL_MIN - 1, POOL_MIN, POOL_MIN + 1, 1000, 4096, POOL_MAX};
    void *bufs[7];
    for (int i = 0; i < 7; i++) {
        bufs[i] = pool_get(&p, lens[i]);
        assert_non_null(bufs[i]);
        assert_int_equal((uintptr_t)bufs[i] % _Alignof(max_align_t), 0);
        memset(bufs[i], 0xA5, lens[i]); /* ASan: out of bounds if the block is short */
    }
    assert_int_equal(p.blocks, 7);
    for (int i = 0; i < 7; i++)
        pool_put(&p, bufs[i]);
    pool_free(&p);
    assert_int_equal(p.blocks, 0);
}

static void pool_refuses_more_than_max(void **state) {
    (void)state;
    struct pool p = {0};
    assert_null(pool_get(&p, POOL_MAX + 1));
    assert_int_equal(p.blocks, 0);
    pool_put(&p, NULL); /* a no-op */
    pool_free(&p);
}

/* A block given back is reused for the next request of its size class
 * (last in, first out) and no new block is allocated; another class gets
 * its own block. */
static void pool_reuses_blocks_by_size_class(void **state) {
    (void)state;
    struct pool p = {0};
    void *a = pool_get(&p, 100), *b = pool_get(&p, 120);
    assert_ptr_not_equal(a, b);
    pool_put(&p, a);
    pool_put(&p, b);
    assert_ptr_equal(pool_get(&p, 128), b); /* 100, 120 and 128 share the 128-byte class */
    assert_ptr_equal(pool_get(&p, 65), a);
    void *c = pool_get(&p, 129); /* the next class: a new block */
    assert_ptr_not_equal(c, a);
    assert_ptr_not_equal(c, b);
    assert_int_equal(p.blocks, 3);
    pool_put(&p, a);
    pool_put(&p, b);
    pool_put(&p, c);
    pool_free(&p);
    assert_int_equal(p.blocks, 0);
}

/* Elements come back in order with their bytes; growth keeps them. */
static void vec_keeps_elements_in_order(void **state) {
    (void)state;
    struct vec v = {.elem = sizeof(double)};
    for (int i = 0; i < 10000; i++) {
        double x = i * 0.5;
        assert_int_equal(vec_push(&v, &x), 0);
    }
    assert_int_equal(v.n, 10000);
    assert_true(v.cap >= v.n);
    const double *d = v.data;
    for (int i = 0; i < 10000; i++)
        assert_true(d[i] == i * 0.5);
    vec_free(&v);
    assert_null(v.data);
    assert_int_equal(v.n, 0);
    assert_int_equal(v.elem, sizeof(double)); /* reusable after vec_free */
    double y = 7;
    assert_int_equal(vec_push(&v, &y), 0);
    assert_true(((double *)v.data)[0] == 7);
    vec_free(&v);
}

/* Elements of an odd size are copied whole (no padding assumed). */
static void vec_copies_odd_sized_elements(void **state) {
    (void)state;
    struct vec v = {.elem = 3};
    for (int i = 0; i < 100; i++) {
        unsigned char e[3] = {(unsigned char)i, (unsigned char)(i + 1), (unsigned char)(i + 2)};
        assert_int_equal(vec_push(&v, e), 0);
    }
    const unsigned char *d = v.data;
    for (int i = 0; i < 100; i++) {
        assert_int_equal(d[3 * i], (unsigned char)i);
        assert_int_equal(d[3 * i + 2], (unsigned char)(i + 2));
    }
    vec_free(&v);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(pool_buffers_hold_their_length),
        cmocka_unit_test(pool_refuses_more_than_max),
        cmocka_unit_test(pool_reuses_blocks_by_size_class),
        cmocka_unit_test(vec_keeps_elements_in_order),
        cmocka_unit_test(vec_copies_odd_sized_elements),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
