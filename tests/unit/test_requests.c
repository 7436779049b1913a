/* Unit tests of the pieces behind requests/table: the join of per-node
 * stage rows (output/recorder.h), node lists and the id map used by
 * dispatch (algorithms/service/nodelist.h, idmap.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "unit.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "algorithms/service/idmap.h"
#include "algorithms/service/nodelist.h"
#include "api/node.h"
#include "output/recorder.h"

static struct request_stage_row stage(uint64_t id, int node, int stage, int peer, double t) {
    struct request_stage_row r = {id, node, stage, peer, -1, 0, t, 100 + 2 * t};
    return r;
}

static struct request_stage_row outcome(uint64_t id, int node, int status, int attempts, double t) {
    struct request_stage_row r = {id, node, REC_STAGE_OUTCOME, -1, status, attempts, t, 100 + t};
    return r;
}

/* Rows of three requests from three nodes, shuffled: a plain one, one that a
 * crashed coordinator dispatched to server 3 (never accepted) before the new
 * one sent it to server 4, and one whose client crashed (no outcome). */
static void join_merges_stage_rows_into_one_row_per_request(void **st) {
    (void)st;
    struct request_stage_row rows[] = {
        stage(7, 2, REQUEST_FINISHED, 5, 0.40),   stage(9, 5, REQUEST_SENT, -1, 1.0),
        stage(7, 5, REQUEST_SENT, -1, 0.10),      stage(8, 1, REQUEST_DISPATCHED, 4, 2.5),
        stage(7, 0, REQUEST_DISPATCHED, 2, 0.15), outcome(7, 5, REQUEST_SERVED, 1, 0.45),
        stage(7, 2, REQUEST_ARRIVED, 5, 0.20),    stage(7, 2, REQUEST_STARTED, 5, 0.30),
        stage(7, 5, REQUEST_RECEIVED, 2, 0.45),   stage(8, 6, REQUEST_SENT, -1, 2.0),
        stage(8, 0, REQUEST_DISPATCHED, 3, 2.1),  stage(8, 4, REQUEST_ARRIVED, 6, 2.6),
        stage(8, 4, REQUEST_STARTED, 6, 2.6),     stage(8, 4, REQUEST_FINISHED, 6, 2.7),
        stage(8, 6, REQUEST_RECEIVED, 4, 2.8),    outcome(8, 6, REQUEST_SERVED, 2, 2.8),
    };
    struct request_row *out = NULL;
    size_t n = 0;
    assert_int_equal(rec_join_requests(rows, sizeof rows / sizeof rows[0], &out, &n), 0);
    assert_int_equal(n, 3);
    /* sorted by id */
    assert_true(out[0].id == 7 && out[1].id == 8 && out[2].id == 9);
    const struct request_row *a = &out[0], *b = &out[1], *c = &out[2];
    assert_int_equal(a->client, 5);
    assert_int_equal(a->coordinator, 0);
    assert_int_equal(a->server, 2);
    assert_int_equal(a->status, REQUEST_SERVED);
    assert_int_equal(a->attempts, 1);
    assert_int_equal(a->dispatches, 1);
    assert_int_equal(a->served, 1);
    assert_near(a->sent, 0.10, 0);
    assert_near(a->dispatched, 0.15, 0);
    assert_near(a->arrived, 0.20, 0);
    assert_near(a->started, 0.30, 0);
    assert_near(a->finished, 0.40, 0);
    assert_near(a->received, 0.45, 0);
    assert_near(a->response_local, 2 * (0.45 - 0.10), 1e-12); /* local time runs at 2x */
    /* the dispatch that counts is the one to the server that accepted it */
    assert_int_equal(b->dispatches, 2);
    assert_int_equal(b->server, 4);
    assert_int_equal(b->coordinator, 1);
    assert_near(b->dispatched, 2.5, 0);
    assert_int_equal(b->attempts, 2);
    /* no outcome: the client crashed */
    assert_int_equal(c->status, REQUEST_LOST);
    assert_int_equal(c->server, -1);
    assert_int_equal(c->coordinator, -1);
    assert_true(isnan(c->dispatched) && isnan(c->received) && isnan(c->response_local));
    free(out);
}

static void join_counts_services(void **st) {
    (void)st;
    struct request_stage_row rows[] = {
        stage(3, 1, REQUEST_SENT, -1, 0.0),     stage(3, 0, REQUEST_DISPATCHED, 2, 0.1),
        stage(3, 2, REQUEST_ARRIVED, 1, 0.2),   stage(3, 2, REQUEST_FINISHED, 1, 0.3),
        stage(3, 2, REQUEST_ARRIVED, 1, 0.5),   stage(3, 2, REQUEST_FINISHED, 1, 0.6),
        outcome(3, 1, REQUEST_TIMEOUT, 4, 0.9),
    };
    struct request_row *out = NULL;
    size_t n = 0;
    assert_int_equal(rec_join_requests(rows, 7, &out, &n), 0);
    assert_int_equal(n, 1);
    assert_int_equal(out[0].served, 2); /* visible, so a test can refuse it */
    assert_near(out[0].finished, 0.3, 0);
    assert_near(out[0].arrived, 0.5, 0);
    assert_int_equal(out[0].status, REQUEST_TIMEOUT);
    assert_true(isnan(out[0].received));
    free(out);
    assert_int_equal(rec_join_requests(rows, 0, &out, &n), 0);
    assert_int_equal(n, 0);
    assert_null(out);
}

static void node_lists_parse_ranges_and_refuse_bad_ones(void **st) {
    (void)st;
    int m[10];
    char err[200];
    assert_int_equal(nodelist_parse("", 10, m, err, sizeof err), 0);
    assert_int_equal(nodelist_parse(" 1, 3-5 ,9", 10, m, err, sizeof err), 5);
    int want[10] = {0, 1, 0, 1, 1, 1, 0, 0, 0, 1};
    for (int i = 0; i < 10; i++)
        assert_int_equal(m[i], want[i]);
    assert_int_equal(nodelist_parse("1, 10", 10, m, err, sizeof err), -1);
    assert_non_null(strstr(err, "node 10"));
    assert_int_equal(nodelist_parse("2, 1-3", 10, m, err, sizeof err), -1);
    assert_non_null(strstr(err, "twice"));
    assert_int_equal(nodelist_parse("5-3", 10, m, err, sizeof err), -1);
    assert_int_equal(nodelist_parse("1,,2", 10, m, err, sizeof err), -1);
    assert_int_equal(nodelist_parse("a", 10, m, err, sizeof err), -1);
    assert_int_equal(nodelist_validate("0-4096, 7", err, sizeof err), 0);
    assert_int_equal(nodelist_validate("x", err, sizeof err), -1);
}

static void id_map_finds_replaces_and_clears_entries(void **st) {
    (void)st;
    struct idmap m = {0};
    int v = 0;
    assert_int_equal(idmap_get(&m, 5, &v), 0);
    for (uint64_t k = 1; k <= 5000; k++)
        assert_int_equal(idmap_put(&m, k * 0x100000001ULL, (int)k), 0);
    assert_int_equal(m.n, 5000);
    for (uint64_t k = 1; k <= 5000; k++) {
        assert_int_equal(idmap_get(&m, k * 0x100000001ULL, &v), 1);
        assert_int_equal(v, (int)k);
    }
    assert_int_equal(idmap_get(&m, 3, &v), 0);
    assert_int_equal(idmap_put(&m, 0x100000001ULL, -7), 0); /* replace */
    assert_int_equal(m.n, 5000);
    assert_int_equal(idmap_get(&m, 0x100000001ULL, &v), 1);
    assert_int_equal(v, -7);
    assert_true(2 * m.n <= m.cap);
    idmap_clear(&m);
    assert_int_equal(idmap_get(&m, 0x100000001ULL, &v), 0);
    idmap_free(&m);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(join_merges_stage_rows_into_one_row_per_request),
        cmocka_unit_test(join_counts_services),
        cmocka_unit_test(node_lists_parse_ranges_and_refuse_bad_ones),
        cmocka_unit_test(id_map_finds_replaces_and_clears_entries),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
