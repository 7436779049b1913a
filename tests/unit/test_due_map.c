/* The FIFO map of the due times of each channel (util/due_map.h): a
 * node's last due time per destination is kept while a message is on its
 * way, and an entry due at or before the send time is dropped when the
 * table fills, which must never change the due time a send gets: with
 * due = max(now + delay, last), every entry with last <= now is irrelevant
 * (Coulouris et al., section 4.2: reliable, ordered channels). */
// clang-format off
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
// clang-format on
#include "unit.h"

#include "util/due_map.h"

#include <math.h>
#include <stdlib.h>

/* The runtime's rule (node_api.c, due_time): never before the previous one. */
static double send(struct due_map *m, int dst, double now, double delay) {
    double due = now + delay, last = due_map_get(m, dst);
    if (due < last) due = last;
    assert_int_equal(due_map_set(m, dst, due, now), 0);
    return due;
}

static void later_send_waits_behind_earlier_on_its_channel(void **state) {
    (void)state;
    struct due_map m = {0};
    assert_true(isinf(due_map_get(&m, 3)) && due_map_get(&m, 3) < 0);
    assert_true(send(&m, 3, 0.0, 5.0) == 5.0);
    assert_true(send(&m, 3, 1.0, 1.0) == 5.0); /* held back behind the first */
    assert_true(send(&m, 4, 1.0, 1.0) == 2.0); /* another channel is not */
    assert_true(due_map_get(&m, 3) == 5.0);
    due_map_free(&m);
}

/* Sends to ever new destinations with short delays, as PHOLD's random
 * destinations do: the table stays as small as the messages in flight,
 * and every due time equals the one a map that never forgets gives. */
static void stale_entries_are_dropped(void **state) {
    (void)state;
    struct due_map pruned = {0};
    double *last = malloc(100000 * sizeof *last); /* the never-forgetting map */
    assert_non_null(last);
    for (int i = 0; i < 100000; i++)
        last[i] = -INFINITY;
    unsigned x = 12345;
    uint32_t largest = 0;
    for (int k = 0; k < 200000; k++) {
        double now = k * 1e-3;
        x = x * 1103515245u + 12345u;
        int dst = (int)((x >> 8) % 100000);
        double delay = ((x >> 4) % 16) * 1e-3; /* 0..15 ms: at most 16 in flight */
        double want = now + delay > last[dst] ? now + delay : last[dst];
        last[dst] = want;
        assert_true(send(&pruned, dst, now, delay) == want);
        if (pruned.cap > largest) largest = pruned.cap;
    }
    /* 2^16 entries if nothing were dropped; 16 in flight need 32 slots */
    assert_true(largest <= 64);
    free(last);
    due_map_free(&pruned);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(later_send_waits_behind_earlier_on_its_channel),
        cmocka_unit_test(stale_entries_are_dropped),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
