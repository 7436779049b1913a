#include "output/gather.h"

#include "api/node.h"

#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

/* Gather nbytes from every rank, concatenated in rank order, on rank 0.
 * *out is malloc'd on rank 0 (NULL elsewhere); *total is its size.
 * Returns 0, or -1 on rank 0 when out of memory or above MPI's int counts. */
static int gather_bytes(MPI_Comm comm, const void *buf, size_t nbytes, void **out, size_t *total) {
    int rank, size;
    MPI_Comm_rank(comm, &rank);
    MPI_Comm_size(comm, &size);
    long long mine = (long long)nbytes;
    long long *counts = rank == 0 ? malloc((size_t)size * sizeof *counts) : NULL;
    MPI_Gather(&mine, 1, MPI_LONG_LONG, counts, 1, MPI_LONG_LONG, 0, comm);
    int *icounts = NULL, *displs = NULL;
    char *data = NULL;
    int ok = 1;
    if (rank == 0) {
        icounts = malloc((size_t)size * sizeof *icounts);
        displs = malloc((size_t)size * sizeof *displs);
        long long sum = 0;
        for (int i = 0; i < size; i++)
            sum += counts[i];
        ok = icounts && displs && sum < (1LL << 31);
        data = ok ? malloc(sum > 0 ? (size_t)sum : 1) : NULL;
        ok = ok && data;
        for (int i = 0, at = 0; ok && i < size; i++) {
            icounts[i] = (int)counts[i];
            displs[i] = at;
            at += icounts[i];
        }
        *total = ok ? (size_t)sum : 0;
    }
    MPI_Bcast(&ok, 1, MPI_INT, 0, comm);
    if (ok) MPI_Gatherv(buf, (int)nbytes, MPI_BYTE, data, icounts, displs, MPI_BYTE, 0, comm);
    free(counts);
    free(icounts);
    free(displs);
    if (rank == 0) *out = data;
    return ok ? 0 : -1;
}

/* Concatenate one vec of each local node into one buffer. */
static void *concat(const struct recorder *const *recs, int nlocal, size_t off, size_t *bytes) {
    size_t total = 0;
    for (int i = 0; i < nlocal; i++) {
        const struct vec *v = (const struct vec *)((const char *)recs[i] + off);
        total += v->n * v->elem;
    }
    char *buf = calloc(total ? total : 1, 1);
    if (!buf) return NULL;
    size_t at = 0;
    for (int i = 0; i < nlocal; i++) {
        const struct vec *v = (const struct vec *)((const char *)recs[i] + off);
        if (v->n) memcpy(buf + at, v->data, v->n * v->elem);
        at += v->n * v->elem;
    }
    *bytes = total;
    return buf;
}

static int gather_vec(MPI_Comm comm, const struct recorder *const *recs, int nlocal, size_t off,
                      void **out, size_t *total) {
    size_t bytes = 0;
    void *buf = concat(recs, nlocal, off, &bytes);
    int ok = buf != NULL;
    int rc = gather_bytes(comm, buf, ok ? bytes : 0, out, total);
    free(buf);
    return ok ? rc : -1;
}

/* events/vector rows of every local node: a node that recorded no vectors
 * contributes zero rows for its events. */
static int gather_vectors(MPI_Comm comm, const struct recorder *const *recs, int nlocal, int width,
                          void **out, size_t *total) {
    size_t rows = 0;
    for (int i = 0; i < nlocal; i++)
        rows += recs[i]->events.n;
    size_t row_bytes = (size_t)width * sizeof(uint32_t), at = 0;
    char *buf = calloc(rows ? rows : 1, row_bytes ? row_bytes : 1);
    if (!buf) return -1;
    for (int i = 0; i < nlocal; i++) {
        size_t n = recs[i]->events.n * row_bytes;
        if (recs[i]->vector_width) memcpy(buf + at, recs[i]->vectors.data, n);
        at += n;
    }
    int rc = gather_bytes(comm, buf, width ? rows * row_bytes : 0, out, total);
    free(buf);
    return rc;
}

/* results/: the union of names, NaN where a node recorded nothing. */
static void assemble_results(const struct result_row *rows, size_t nrows, size_t n,
                             struct run_result *out) {
    for (size_t r = 0; r < nrows; r++) {
        int j = 0;
        while (j < out->nresults && strcmp(out->result_name[j], rows[r].name) != 0)
            j++;
        if (j == out->nresults) {
            if (j == REC_MAX_RESULTS) continue;
            out->result_value[j] = malloc(n * sizeof(double));
            if (!out->result_value[j]) continue;
            memcpy(out->result_name[j], rows[r].name, REC_RESULT_NAME);
            for (size_t q = 0; q < n; q++)
                out->result_value[j][q] = NAN;
            out->nresults++;
        }
        out->result_value[j][rows[r].node] = rows[r].value;
    }
}

/* requests/ and mutex/ rows of every local node; rank 0 joins the request
 * stages into requests/table. */
static int gather_tables(MPI_Comm comm, const struct recorder *const *recs, int nlocal,
                         struct run_result *out) {
    int rank, mine = 0, tables = 0, rc = 0;
    MPI_Comm_rank(comm, &rank);
    for (int i = 0; i < nlocal; i++)
        mine |= recs[i]->tables;
    MPI_Allreduce(&mine, &tables, 1, MPI_INT, MPI_BOR, comm);
    size_t total = 0;
    void *stages = NULL, *queue = NULL, *sections = NULL;
    rc |= gather_vec(comm, recs, nlocal, offsetof(struct recorder, stages), &stages, &total);
    size_t nstages = total / sizeof(struct request_stage_row);
    rc |= gather_vec(comm, recs, nlocal, offsetof(struct recorder, queue), &queue, &total);
    size_t nqueue = total / sizeof(struct queue_row);
    rc |= gather_vec(comm, recs, nlocal, offsetof(struct recorder, sections), &sections, &total);
    size_t nsections = total / sizeof(struct section_row);
    if (rank != 0) return 0;
    out->has_requests = (tables & NODE_TABLE_REQUESTS) != 0;
    out->has_sections = (tables & NODE_TABLE_SECTIONS) != 0;
    if (rc == 0) rc = rec_join_requests(stages, nstages, &out->requests, &out->nrequests);
    free(stages);
    out->queue = queue;
    out->nqueue = nqueue;
    out->sections = sections;
    out->nsections = nsections;
    return rc;
}

int gather_run(MPI_Comm comm, int nlocal, const struct node_summary *summaries,
               const struct recorder *const *recs, const struct recorder *events,
               const struct fidelity_summary *fidelity, const double *offsets, size_t nsamples,
               struct run_result *out) {
    int rank;
    MPI_Comm_rank(comm, &rank);
    size_t total = 0, t = (size_t)(nlocal ? recs[0]->ntypes : 0);
    int ntypes = (int)t, all_types = 0;
    MPI_Allreduce(&ntypes, &all_types, 1, MPI_INT, MPI_MAX, comm);
    t = (size_t)all_types;
    void *fid = NULL, *sums = NULL, *offs = NULL, *counters = NULL, *rounds = NULL, *hist = NULL,
         *rows = NULL, *vectors = NULL, *results = NULL;
    int rc = 0, any_fidelity = fidelity != NULL, fidelity_everywhere = 0;
    MPI_Allreduce(&any_fidelity, &fidelity_everywhere, 1, MPI_INT, MPI_LAND, comm);
    rc |= gather_bytes(comm, summaries, (size_t)nlocal * sizeof *summaries, &sums, &total);
    size_t nodes = total / sizeof(struct node_summary);
    if (fidelity_everywhere)
        rc |= gather_bytes(comm, fidelity, (size_t)nlocal * sizeof *fidelity, &fid, &total);
    rc |= gather_bytes(comm, offsets, (size_t)nlocal * nsamples * sizeof(double), &offs, &total);
    uint64_t *cnt = malloc((size_t)nlocal * 4 * (t ? t : 1) * sizeof *cnt);
    for (int i = 0; cnt && i < nlocal; i++)
        memcpy(cnt + (size_t)i * 4 * t, recs[i]->sent, 4 * t * sizeof *cnt);
    rc |=
        cnt ? gather_bytes(comm, cnt, (size_t)nlocal * 4 * t * sizeof *cnt, &counters, &total) : -1;
    free(cnt);
    rc |= gather_vec(comm, recs, nlocal, offsetof(struct recorder, rounds), &rounds, &total);
    out->nrounds = total / sizeof(struct round_row);
    void *models = NULL;
    rc |= gather_vec(comm, recs, nlocal, offsetof(struct recorder, models), &models, &total);
    out->nmodels = total / sizeof(struct model_row);
    rc |= gather_vec(comm, recs, nlocal, offsetof(struct recorder, history), &hist, &total);
    out->nhistory = total / sizeof(struct history_row);
    /* events: from each node's recorder, or from one table of them all */
    const struct recorder *const *erecs = events ? &events : recs;
    int enodes = events ? 1 : nlocal;
    rc |= gather_vec(comm, erecs, enodes, offsetof(struct recorder, events), &rows, &total);
    out->nevents = total / sizeof(struct event_row);
    int width = 0, w = 0;
    for (int i = 0; i < enodes; i++)
        if (erecs[i]->vector_width > w) w = erecs[i]->vector_width;
    MPI_Allreduce(&w, &width, 1, MPI_INT, MPI_MAX, comm);
    if (width) rc |= gather_vectors(comm, erecs, enodes, width, &vectors, &total);
    rc |= gather_vec(comm, recs, nlocal, offsetof(struct recorder, results), &results, &total);
    size_t nresult_rows = total / sizeof(struct result_row);
    rc |= gather_tables(comm, recs, nlocal, out);
    if (rank != 0) return 0;

    size_t n = nodes;
    out->fidelity = fid;
    if (rc == 0 && run_result_nodes(out, n, t, nsamples, sums, counters)) rc = -1;
    if (rc == 0) {
        for (size_t i = 0; i < n; i++)
            for (size_t k = 0; k < nsamples; k++)
                out->offset[k * n + i] = ((const double *)offs)[i * nsamples + k];
        assemble_results(results, nresult_rows, n, out);
    }
    free(sums);
    free(offs);
    free(counters);
    free(results);
    out->rounds = rounds;
    out->models = models;
    out->history = hist;
    out->events = rows;
    out->vectors = vectors;
    return rc;
}

int run_result_nodes(struct run_result *r, size_t n, size_t t, size_t ns,
                     const struct node_summary *summaries, const uint64_t *counters) {
    r->nodes = (int)n;
    r->ntypes = (int)t;
    r->nsamples = ns;
    r->initial_offset = malloc(n * sizeof(double) + 1);
    r->drift = malloc(n * sizeof(double) + 1);
    r->crashed_at = malloc(n * sizeof(double) + 1);
    r->recovered_at = malloc(n * sizeof(double) + 1);
    r->decided_at = malloc(n * sizeof(double) + 1);
    r->ids = malloc(n * sizeof(int32_t) + 1);
    r->leader = malloc(n * sizeof(int32_t) + 1);
    r->labels = malloc(n * LABEL_LEN + 1);
    r->sent = malloc(n * t * sizeof(uint64_t) + 1);
    r->received = malloc(n * t * sizeof(uint64_t) + 1);
    r->bytes_sent = malloc(n * t * sizeof(uint64_t) + 1);
    r->dropped = malloc(n * t * sizeof(uint64_t) + 1);
    r->offset = malloc(ns * n * sizeof(double) + 1);
    if (!r->initial_offset || !r->drift || !r->crashed_at || !r->recovered_at || !r->decided_at ||
        !r->ids || !r->leader || !r->labels || !r->sent || !r->received || !r->bytes_sent ||
        !r->dropped || !r->offset)
        return -1;
    for (size_t i = 0; i < n; i++) {
        const struct node_summary *s = &summaries[i];
        r->initial_offset[i] = s->initial_offset;
        r->drift[i] = s->drift;
        r->crashed_at[i] = s->crashed_at;
        r->recovered_at[i] = s->recovered_at;
        r->decided_at[i] = s->decided_at;
        r->ids[i] = s->id;
        r->leader[i] = s->leader;
        memcpy(r->labels[i], s->label, LABEL_LEN);
        const uint64_t *c = counters + i * 4 * t;
        memcpy(r->sent + i * t, c, t * sizeof(uint64_t));
        memcpy(r->received + i * t, c + t, t * sizeof(uint64_t));
        memcpy(r->bytes_sent + i * t, c + 2 * t, t * sizeof(uint64_t));
        memcpy(r->dropped + i * t, c + 3 * t, t * sizeof(uint64_t));
    }
    return 0;
}

void run_result_free_arrays(struct run_result *r) {
    free(r->initial_offset);
    free(r->drift);
    free(r->crashed_at);
    free(r->recovered_at);
    free(r->decided_at);
    free(r->ids);
    free(r->leader);
    free(r->labels);
    free(r->sent);
    free(r->received);
    free(r->bytes_sent);
    free(r->dropped);
    free(r->sample_time);
    free(r->offset);
    free(r->rounds);
    free(r->history);
    free(r->events);
    free(r->vectors);
    free(r->requests);
    free(r->queue);
    free(r->sections);
    for (int i = 0; i < r->nresults; i++)
        free(r->result_value[i]);
    r->initial_offset = r->drift = r->crashed_at = r->recovered_at = r->decided_at = NULL;
    r->ids = r->leader = NULL;
    r->labels = NULL;
    r->sent = r->received = r->bytes_sent = r->dropped = NULL;
    r->sample_time = r->offset = NULL;
    r->rounds = NULL;
    r->history = NULL;
    r->events = NULL;
    r->vectors = NULL;
    r->requests = NULL;
    r->queue = NULL;
    r->sections = NULL;
    r->nrequests = r->nqueue = r->nsections = 0;
    r->nresults = 0;
}

void run_result_free(struct run_result *r) {
    free(r->config_text);
    free(r->explore.schedule);
    free(r->fidelity);
    free((void *)r->type_names);
    free(r->models);
    free(r->evaluation);
    run_result_free_arrays(r);
    memset(r, 0, sizeof *r);
}
