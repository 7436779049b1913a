/* Unit tests of checkpoints on rank 0 (output/ckpt_accum.h, outfile.h):
 * increments of several ranks are added up to a cut common to all ranks
 * and assembled in gather_run's layout (nodes in order, each node's rows in
 * the order recorded; a node's critical sections as they were at the cut,
 * requests without an outcome pending); the result file takes every change through its
 * shadow copy, so that its own name always holds a whole file. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "unit.h"

#include "api/node.h"
#include "output/ckpt_accum.h"
#include "output/outfile.h"

#include <hdf5.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define NODES 4
#define TYPES 2

/* An increment of the rank owning nodes first, first+1 (two per rank):
 * counters all equal to `count`, samples [from, from + ns) of value
 * node + k / 1000, one round row per node at each time of `times`, and an
 * event row (vector of width `width`) per node at each time too. */
static void *increment(int rank, double until, uint64_t from, uint64_t ns, const double *times,
                       int ntimes, int width, uint64_t count, size_t *len) {
    struct ckpt_header h;
    memset(&h, 0, sizeof h);
    h.magic = CKPT_MAGIC;
    h.rank = rank;
    h.first = 2 * rank;
    h.count = 2;
    h.nodes = NODES;
    h.ntypes = TYPES;
    h.width = width;
    h.until = until;
    h.sample_from = from;
    h.nsamples = ns;
    h.nrounds = h.nevents = 2 * (uint64_t)ntimes;
    *len = ckpt_size(&h);
    char *buf = calloc(1, *len), *p = buf;
    memcpy(p, &h, sizeof h);
    p += sizeof h;
    for (int i = 0; i < 2; i++) {
        struct node_summary s;
        memset(&s, 0, sizeof s);
        s.id = h.first + i;
        s.leader = (int32_t)count;
        s.crashed_at = s.recovered_at = s.decided_at = NAN;
        memcpy(p, &s, sizeof s);
        p += sizeof s;
    }
    for (int i = 0; i < 2 * 4 * TYPES; i++, p += sizeof count)
        memcpy(p, &count, sizeof count);
    for (int i = 0; i < 2; i++)
        for (uint64_t k = 0; k < ns; k++, p += sizeof(double)) {
            double v = h.first + i + (double)(from + k) / 1000;
            memcpy(p, &v, sizeof v);
        }
    for (int j = 0; j < ntimes; j++) /* rows as a rank records them: in time order */
        for (int i = 0; i < 2; i++, p += sizeof(struct round_row)) {
            struct round_row r = {h.first + i, 0, times[j], 0, 0, 0, 0, 0};
            memcpy(p, &r, sizeof r);
        }
    for (int j = 0; j < ntimes; j++)
        for (int i = 0; i < 2; i++, p += sizeof(struct event_row)) {
            struct event_row e;
            memset(&e, 0, sizeof e);
            e.node = h.first + i;
            e.time = times[j];
            memcpy(p, &e, sizeof e);
        }
    for (int j = 0; j < 2 * ntimes * width; j++, p += sizeof(uint32_t)) {
        uint32_t one = 1;
        memcpy(p, &one, sizeof one);
    }
    return buf;
}

/* Build an increment with increment() and offer it; returns what
 * ckpt_accum_offer does. */
static int offer(struct ckpt_accum *a, int rank, double until, uint64_t from, uint64_t ns,
                 const double *times, int ntimes, int width, uint64_t count) {
    size_t len;
    void *buf = increment(rank, until, from, ns, times, ntimes, width, count, &len);
    return ckpt_accum_offer(a, buf, len);
}

static void added_only_up_to_the_cut(void **st) {
    (void)st;
    struct ckpt_accum a;
    assert_int_equal(ckpt_accum_init(&a, NODES, TYPES, 2), 0);
    double t1[] = {0.5}, t2[] = {1.5};
    assert_int_equal(offer(&a, 0, 1.0, 0, 10, t1, 1, 0, 3), 0); /* rank 1 has sent nothing */
    assert_true(ckpt_accum_until(&a) < 0);
    assert_int_equal(offer(&a, 1, 1.0, 0, 10, t1, 1, 0, 3), 2);
    assert_near(ckpt_accum_until(&a), 1.0, 0);
    assert_int_equal(offer(&a, 0, 2.0, 10, 10, t2, 1, 0, 5), 0); /* ahead of rank 1: waits */
    struct run_result r;
    memset(&r, 0, sizeof r);
    assert_int_equal(ckpt_accum_assemble(&a, 0.1, &r), 0);
    assert_int_equal(r.nsamples, 10);
    assert_int_equal(r.nrounds, 4);
    assert_int_equal(r.sent[0], 3); /* the counters of the cut, not rank 0's newer ones */
    run_result_free_arrays(&r);
    assert_int_equal(offer(&a, 1, 2.0, 10, 10, t2, 1, 0, 5), 2);
    assert_near(ckpt_accum_until(&a), 2.0, 0);
    ckpt_accum_free(&a);
}

static void assembled_in_node_order(void **st) {
    (void)st;
    struct ckpt_accum a;
    assert_int_equal(ckpt_accum_init(&a, NODES, TYPES, 2), 0);
    double t1[] = {0.2, 0.7}, t2[] = {1.1};
    /* vectors from the second increment on: earlier rows get zero vectors */
    for (int rank = 0; rank < 2; rank++) {
        assert_int_equal(offer(&a, rank, 1.0, 0, 10, t1, 2, 0, 1), rank ? 2 : 0);
    }
    for (int rank = 0; rank < 2; rank++) {
        assert_int_equal(offer(&a, rank, 2.0, 10, 10, t2, 1, NODES, 2), rank ? 2 : 0);
    }
    struct run_result r;
    memset(&r, 0, sizeof r);
    assert_int_equal(ckpt_accum_assemble(&a, 0.1, &r), 0);
    assert_int_equal(r.nodes, NODES);
    assert_int_equal(r.nsamples, 20);
    assert_near(r.sample_time[19], 1.9, 1e-12);
    for (int i = 0; i < NODES; i++) {
        assert_int_equal(r.ids[i], i);
        assert_int_equal(r.sent[i * TYPES], 2);
        assert_int_equal(r.dropped[i * TYPES + 1], 2);
        assert_near(r.offset[15 * NODES + i], i + 0.015, 1e-12); /* [S, N] */
    }
    assert_int_equal(r.nevents, 3 * NODES);
    for (size_t k = 0; k < r.nevents; k++) {
        assert_int_equal(r.events[k].node, (int)(k / 3)); /* each node's rows together */
        assert_near(r.events[k].time, k % 3 == 0 ? 0.2 : k % 3 == 1 ? 0.7 : 1.1, 0);
        for (int j = 0; j < NODES; j++)
            assert_int_equal(r.vectors[k * NODES + (size_t)j], k % 3 == 2);
    }
    assert_int_equal(r.nrounds, 3 * NODES);
    assert_int_equal(r.rounds[3].node, 1);
    run_result_free_arrays(&r);
    ckpt_accum_free(&a);
}

static void rows_after_the_cut_wait(void **st) {
    (void)st;
    /* Rank 0 skipped the checkpoint at 2 s: its increment up to 3 s waits
     * until rank 1 has one as far, and the run is complete up to 1 s only
     * (rank 0's part) meanwhile, without rank 1's rows after 1 s. */
    struct ckpt_accum a;
    assert_int_equal(ckpt_accum_init(&a, NODES, TYPES, 2), 0);
    double t1[] = {0.5}, t2[] = {1.5}, t3[] = {2.5}, both[] = {1.5, 2.5};
    assert_int_equal(offer(&a, 0, 1.0, 0, 0, t1, 1, 0, 1), 0);
    assert_int_equal(offer(&a, 1, 1.0, 0, 0, t1, 1, 0, 1), 2);
    assert_int_equal(offer(&a, 1, 2.0, 0, 0, t2, 1, 0, 1), 0);
    assert_int_equal(offer(&a, 0, 3.0, 0, 0, both, 2, 0, 1), 1); /* rank 1's, up to 2 s */
    assert_near(ckpt_accum_until(&a), 1.0, 0);
    struct run_result r;
    memset(&r, 0, sizeof r);
    assert_int_equal(ckpt_accum_assemble(&a, 0.1, &r), 0);
    assert_int_equal(r.nrounds, 4);
    for (size_t k = 0; k < r.nrounds; k++)
        assert_true(r.rounds[k].time < 1.0);
    run_result_free_arrays(&r);
    assert_int_equal(offer(&a, 1, 3.0, 0, 0, t3, 1, 0, 1), 2);
    assert_near(ckpt_accum_until(&a), 3.0, 0);
    memset(&r, 0, sizeof r);
    assert_int_equal(ckpt_accum_assemble(&a, 0.1, &r), 0);
    assert_int_equal(r.nrounds, 12);
    run_result_free_arrays(&r);
    ckpt_accum_free(&a);
}

/* An increment of rank `rank` (one node, node = rank, of two) with no rows
 * but the given request stages and critical sections. */
static void *table_increment(int rank, double until, const struct request_stage_row *stages,
                             int nstages, const struct section_row *sections, int nsections,
                             size_t *len) {
    struct ckpt_header h;
    memset(&h, 0, sizeof h);
    h.magic = CKPT_MAGIC;
    h.rank = rank;
    h.first = rank;
    h.count = 1;
    h.nodes = 2;
    h.ntypes = TYPES;
    h.until = until;
    h.nstages = (uint64_t)nstages;
    h.nsections = (uint64_t)nsections;
    h.tables = NODE_TABLE_REQUESTS | NODE_TABLE_SECTIONS;
    *len = ckpt_size(&h);
    char *buf = calloc(1, *len), *p = buf;
    memcpy(p, &h, sizeof h);
    p += sizeof h + sizeof(struct node_summary) + 4 * TYPES * sizeof(uint64_t);
    if (nstages) memcpy(p, stages, (size_t)nstages * sizeof *stages);
    p += (size_t)nstages * sizeof *stages;
    if (nsections) memcpy(p, sections, (size_t)nsections * sizeof *sections);
    return buf;
}

static int offer_tables(struct ckpt_accum *a, int rank, double until,
                        const struct request_stage_row *stages, int nstages,
                        const struct section_row *sections, int nsections) {
    size_t len;
    void *buf = table_increment(rank, until, stages, nstages, sections, nsections, &len);
    return ckpt_accum_offer(a, buf, len);
}

static void sections_and_requests_as_at_the_cut(void **st) {
    (void)st;
    struct ckpt_accum a;
    assert_int_equal(ckpt_accum_init(&a, 2, TYPES, 2), 0);
    /* Up to 1 s: node 0 is in its first critical section (not left yet);
     * request 7 was sent by node 1 and not answered. */
    struct section_row open = {0, 0, 0, 0.5, 0.6, NAN, 0.5, 0.6, NAN};
    struct request_stage_row sent = {7, 1, REQUEST_SENT, -1, -1, 0, 0.8, 0.8};
    assert_int_equal(offer_tables(&a, 0, 1.0, NULL, 0, &open, 1), 0);
    assert_int_equal(offer_tables(&a, 1, 1.0, &sent, 1, NULL, 0), 2);
    struct run_result r;
    memset(&r, 0, sizeof r);
    assert_int_equal(ckpt_accum_assemble(&a, 0.1, &r), 0);
    assert_true(r.has_requests && r.has_sections);
    assert_int_equal(r.nsections, 1);
    assert_true(isnan(r.sections[0].exited));
    assert_int_equal(r.nrequests, 1);
    assert_int_equal(r.requests[0].status, REQUEST_PENDING); /* no outcome yet */
    run_result_free_arrays(&r);
    /* Up to 2 s: the section was left and a second one requested; the
     * request was answered. The first row is sent again, settled. */
    struct section_row two[] = {{0, 0, 0, 0.5, 0.6, 1.2, 0.5, 0.6, 1.2},
                                {0, 1, 0, 1.5, NAN, NAN, 1.5, NAN, NAN}};
    struct request_stage_row done[] = {{7, 1, REQUEST_RECEIVED, -1, -1, 0, 1.1, 1.1},
                                       {7, 1, REC_STAGE_OUTCOME, -1, REQUEST_SERVED, 1, 1.1, 1.1}};
    assert_int_equal(offer_tables(&a, 0, 2.0, NULL, 0, two, 2), 0);
    assert_int_equal(offer_tables(&a, 1, 2.0, done, 2, NULL, 0), 2);
    memset(&r, 0, sizeof r);
    assert_int_equal(ckpt_accum_assemble(&a, 0.1, &r), 0);
    assert_int_equal(r.nsections, 2);
    assert_near(r.sections[0].exited, 1.2, 0);
    assert_int_equal(r.sections[1].seq, 1);
    assert_int_equal(r.nrequests, 1);
    assert_int_equal(r.requests[0].status, REQUEST_SERVED);
    assert_near(r.requests[0].received, 1.1, 0);
    run_result_free_arrays(&r);
    ckpt_accum_free(&a);
}

static void malformed_increments_are_refused(void **st) {
    (void)st;
    struct ckpt_accum a;
    assert_int_equal(ckpt_accum_init(&a, NODES, TYPES, 2), 0);
    double t[] = {0.5};
    size_t len;
    char *b = increment(0, 1.0, 0, 4, t, 1, 0, 1, &len);
    assert_int_equal(ckpt_accum_add(&a, b, len - 1), -1); /* size */
    b[0] ^= 1;
    assert_int_equal(ckpt_accum_add(&a, b, len), -1); /* magic */
    free(b);
    b = increment(0, 1.0, 3, 4, t, 1, 0, 1, &len); /* samples from 3, none before */
    assert_int_equal(ckpt_accum_add(&a, b, len), -1);
    free(b);
    ckpt_accum_free(&a);
}

/* A run of two nodes and one message type, with `sent` messages each. */
static void small_run(struct run_result *r, const char *name, uint64_t sent) {
    static double zeros[2], nans[2] = {NAN, NAN};
    static char labels[2][LABEL_LEN];
    static uint64_t counts[2];
    static const char *types[] = {"PING", NULL};
    memset(r, 0, sizeof *r);
    snprintf(r->name, sizeof r->name, "%s", name);
    snprintf(r->algorithm, sizeof r->algorithm, "lamport");
    snprintf(r->family, sizeof r->family, "logical_clock");
    snprintf(r->status, sizeof r->status, "complete");
    snprintf(r->time, sizeof r->time, "virtual");
    r->config_text = "[experiment]\n";
    r->nodes = 2;
    r->ntypes = 1;
    r->type_names = types;
    r->initial_offset = r->drift = zeros;
    r->crashed_at = r->recovered_at = nans;
    r->labels = labels;
    counts[0] = counts[1] = sent;
    r->sent = r->received = r->bytes_sent = r->dropped = counts;
}

/* The runs of an HDF5 file and the status of each ("name:status,..."), or
 * "unreadable". */
static void list_runs(const char *path, char *out, size_t n) {
    snprintf(out, n, "unreadable");
    hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    if (f < 0) return;
    out[0] = '\0';
    for (int i = 0; i < 10; i++) {
        char name[32];
        snprintf(name, sizeof name, "runs/run%03d", i);
        if (H5Lexists(f, name, H5P_DEFAULT) <= 0) break;
        hid_t g = H5Gopen2(f, name, H5P_DEFAULT);
        char *status = NULL;
        if (g >= 0) {
            hid_t a = H5Aopen(g, "status", H5P_DEFAULT);
            hid_t t = H5Tcopy(H5T_C_S1);
            H5Tset_size(t, H5T_VARIABLE);
            H5Tset_cset(t, H5T_CSET_UTF8);
            if (a >= 0 && H5Aread(a, t, &status) >= 0) {
                size_t l = strlen(out);
                snprintf(out + l, n - l, "%s%d:%s", l ? "," : "", i, status);
                H5free_memory(status);
            }
            H5Tclose(t);
            if (a >= 0) H5Aclose(a);
            H5Gclose(g);
        }
    }
    H5Fclose(f);
}

static void file_changes_through_its_shadow(void **st) {
    (void)st;
    char dir[] = "/tmp/clocklab-outfile-XXXXXX", path[256], side[300], shadow[300], have[256];
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/out.h5", dir);
    snprintf(side, sizeof side, "%s.checkpoint", path);
    snprintf(shadow, sizeof shadow, "%s.shadow", path);
    struct file_attrs attrs = {"0", "x", "clocklab", "mpi", "host", 1, NULL, NULL, NULL};
    struct outfile o;
    char err[512];
    assert_int_equal(outfile_create(&o, path, &attrs, err, sizeof err), 0);
    list_runs(path, have, sizeof have);
    assert_string_equal(have, "");
    struct run_result r;
    small_run(&r, "run000", 1);
    assert_int_equal(outfile_write_run(&o, &r, 0, err, sizeof err), 0);
    list_runs(path, have, sizeof have);
    assert_string_equal(have, "0:complete");
    list_runs(shadow, have, sizeof have);
    assert_string_equal(have, "0:complete"); /* the shadow follows */
    /* The running run: a checkpoint file, linked from the file. */
    small_run(&r, "run001", 2);
    snprintf(r.status, sizeof r.status, "interrupted");
    assert_int_equal(outfile_write_checkpoint(&o, &r, 0.5, err, sizeof err), 0);
    assert_int_equal(access(side, F_OK), 0);
    list_runs(path, have, sizeof have);
    assert_string_equal(have, "0:complete,1:interrupted");
    /* A damaged shadow (a kill in the middle of a change) is replaced. */
    FILE *f = fopen(shadow, "w");
    fputs("not HDF5", f);
    fclose(f);
    /* A reader holds the file open: the change cannot be repeated on it
     * once it is the shadow, which is then copied afresh. */
    hid_t reader = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    assert_true(reader >= 0);
    small_run(&r, "run001", 3);
    assert_int_equal(outfile_write_run(&o, &r, 0, err, sizeof err), 0);
    H5Fclose(reader);
    list_runs(path, have, sizeof have);
    assert_string_equal(have, "0:complete,1:complete");
    assert_int_equal(access(side, F_OK), -1); /* the checkpoint went with its link */
    small_run(&r, "run002", 4);
    assert_int_equal(outfile_write_run(&o, &r, 1, err, sizeof err), 0);
    list_runs(path, have, sizeof have);
    assert_string_equal(have, "0:complete,1:complete,2:complete");
    outfile_close(&o);
    assert_int_equal(access(shadow, F_OK), -1);
    list_runs(path, have, sizeof have);
    assert_string_equal(have, "0:complete,1:complete,2:complete");
    unlink(path);
    rmdir(dir);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(added_only_up_to_the_cut),
        cmocka_unit_test(assembled_in_node_order),
        cmocka_unit_test(rows_after_the_cut_wait),
        cmocka_unit_test(sections_and_requests_as_at_the_cut),
        cmocka_unit_test(malformed_increments_are_refused),
        cmocka_unit_test(file_changes_through_its_shadow),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
