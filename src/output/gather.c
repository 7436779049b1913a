#include "gather.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Gather nbytes from every rank, concatenated in rank order, on rank 0.
 * *out is malloc'd on rank 0 (NULL elsewhere); *total is its size. */
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
        for (int i = 0; i < size; i++) {
            icounts[i] = (int)counts[i];
            displs[i] = (int)sum;
            sum += counts[i];
        }
        data = malloc(sum > 0 ? (size_t)sum : 1);
        ok = icounts && displs && data && sum < (1LL << 31);
        *total = (size_t)sum;
    }
    MPI_Gatherv(buf, (int)nbytes, MPI_BYTE, data, icounts, displs, MPI_BYTE, 0, comm);
    free(counts);
    free(icounts);
    free(displs);
    if (rank == 0) *out = data;
    return ok ? 0 : -1;
}

int gather_run(MPI_Comm comm, const struct node_summary *mine, const struct recorder *rec,
               const struct fidelity_summary *fidelity, const double *offsets, size_t nsamples,
               struct run_result *out) {
    int rank, size;
    MPI_Comm_rank(comm, &rank);
    MPI_Comm_size(comm, &size);
    size_t total = 0;
    void *fid = NULL, *sums = NULL, *offs = NULL, *counters = NULL, *rounds = NULL, *hist = NULL,
         *events = NULL, *vectors = NULL, *results = NULL;
    int rc = 0;
    rc |= gather_bytes(comm, mine, sizeof *mine, &sums, &total);
    rc |= gather_bytes(comm, fidelity, sizeof *fidelity, &fid, &total);
    rc |= gather_bytes(comm, offsets, nsamples * sizeof(double), &offs, &total);
    size_t t = (size_t)rec->ntypes;
    uint64_t *cnt = malloc(4 * (t ? t : 1) * sizeof *cnt);
    if (!cnt) return -1;
    memcpy(cnt, rec->sent, t * sizeof *cnt);
    memcpy(cnt + t, rec->received, t * sizeof *cnt);
    memcpy(cnt + 2 * t, rec->bytes_sent, t * sizeof *cnt);
    memcpy(cnt + 3 * t, rec->dropped, t * sizeof *cnt);
    rc |= gather_bytes(comm, cnt, 4 * t * sizeof *cnt, &counters, &total);
    free(cnt);
    rc |= gather_bytes(comm, rec->rounds.data, rec->rounds.n * rec->rounds.elem, &rounds, &total);
    out->nrounds = total / sizeof(struct round_row);
    void *models = NULL;
    rc |= gather_bytes(comm, rec->models.data, rec->models.n * rec->models.elem, &models, &total);
    out->nmodels = total / sizeof(struct model_row);
    rc |= gather_bytes(comm, rec->history.data, rec->history.n * rec->history.elem, &hist, &total);
    out->nhistory = total / sizeof(struct history_row);
    rc |= gather_bytes(comm, rec->events.data, rec->events.n * rec->events.elem, &events, &total);
    out->nevents = total / sizeof(struct event_row);
    int width = 0, w = rec->vector_width;
    MPI_Allreduce(&w, &width, 1, MPI_INT, MPI_MAX, comm);
    /* A node that recorded no vectors contributes zero rows for its events. */
    size_t vbytes = rec->events.n * (size_t)width * sizeof(uint32_t);
    uint32_t *vbuf = width ? calloc(vbytes ? vbytes : 1, 1) : NULL;
    if (width && rec->vector_width) memcpy(vbuf, rec->vectors.data, vbytes);
    rc |= gather_bytes(comm, vbuf, width ? vbytes : 0, &vectors, &total);
    free(vbuf);
    struct {
        int n;
        char name[REC_MAX_RESULTS][REC_RESULT_NAME];
        double value[REC_MAX_RESULTS];
    } res;
    memset(&res, 0, sizeof res);
    res.n = rec->nresults;
    memcpy(res.name, rec->result_name, sizeof res.name);
    memcpy(res.value, rec->result_value, sizeof res.value);
    rc |= gather_bytes(comm, &res, sizeof res, &results, &total);
    if (rank != 0) return 0;

    out->fidelity = fid;
    size_t n = (size_t)size;
    out->nodes = size;
    out->ntypes = rec->ntypes;
    out->initial_offset = malloc(n * sizeof(double));
    out->drift = malloc(n * sizeof(double));
    out->crashed_at = malloc(n * sizeof(double));
    out->recovered_at = malloc(n * sizeof(double));
    out->decided_at = malloc(n * sizeof(double));
    out->ids = malloc(n * sizeof(int32_t));
    out->leader = malloc(n * sizeof(int32_t));
    out->labels = malloc(n * LABEL_LEN);
    out->sent = malloc(n * t * sizeof(uint64_t) + 1);
    out->received = malloc(n * t * sizeof(uint64_t) + 1);
    out->bytes_sent = malloc(n * t * sizeof(uint64_t) + 1);
    out->dropped = malloc(n * t * sizeof(uint64_t) + 1);
    out->nsamples = nsamples;
    out->offset = malloc(nsamples * n * sizeof(double) + 1);
    if (!out->initial_offset || !out->drift || !out->crashed_at || !out->recovered_at ||
        !out->decided_at || !out->ids || !out->leader || !out->labels || !out->sent ||
        !out->received || !out->bytes_sent || !out->dropped || !out->offset)
        rc = -1;
    if (rc == 0) {
        const struct node_summary *s = sums;
        const double *o = offs;
        const uint64_t *c = counters;
        for (size_t i = 0; i < n; i++) {
            out->initial_offset[i] = s[i].initial_offset;
            out->drift[i] = s[i].drift;
            out->crashed_at[i] = s[i].crashed_at;
            out->recovered_at[i] = s[i].recovered_at;
            out->decided_at[i] = s[i].decided_at;
            out->ids[i] = s[i].id;
            out->leader[i] = s[i].leader;
            memcpy(out->labels[i], s[i].label, LABEL_LEN);
            for (size_t k = 0; k < nsamples; k++)
                out->offset[k * n + i] = o[i * nsamples + k];
            const uint64_t *ci = c + i * 4 * t;
            memcpy(out->sent + i * t, ci, t * sizeof(uint64_t));
            memcpy(out->received + i * t, ci + t, t * sizeof(uint64_t));
            memcpy(out->bytes_sent + i * t, ci + 2 * t, t * sizeof(uint64_t));
            memcpy(out->dropped + i * t, ci + 3 * t, t * sizeof(uint64_t));
        }
        /* results: union of names, NaN where a node recorded nothing */
        const char *rb = results;
        for (size_t i = 0; i < n; i++) {
            memcpy(&res, rb + i * sizeof res, sizeof res);
            for (int k = 0; k < res.n; k++) {
                int j = 0;
                while (j < out->nresults && strcmp(out->result_name[j], res.name[k]) != 0)
                    j++;
                if (j == out->nresults) {
                    if (j == REC_MAX_RESULTS) continue;
                    memcpy(out->result_name[j], res.name[k], REC_RESULT_NAME);
                    out->result_value[j] = malloc(n * sizeof(double));
                    if (!out->result_value[j]) continue;
                    for (size_t q = 0; q < n; q++)
                        out->result_value[j][q] = NAN;
                    out->nresults++;
                }
                out->result_value[j][i] = res.value[k];
            }
        }
    }
    free(sums);
    free(offs);
    free(counters);
    free(results);
    out->rounds = rounds;
    out->models = models;
    out->history = hist;
    out->events = events;
    if (width) {
        out->vectors = vectors;
    } else {
        free(vectors);
        out->vectors = NULL;
    }
    return rc;
}

void run_result_free(struct run_result *r) {
    free(r->config_text);
    free(r->fidelity);
    free((void *)r->type_names);
    free(r->initial_offset);
    free(r->drift);
    free(r->crashed_at);
    free(r->recovered_at);
    free(r->labels);
    free(r->sample_time);
    free(r->offset);
    free(r->rounds);
    free(r->models);
    free(r->evaluation);
    free(r->sent);
    free(r->received);
    free(r->bytes_sent);
    free(r->dropped);
    free(r->ids);
    free(r->leader);
    free(r->decided_at);
    free(r->history);
    free(r->events);
    free(r->vectors);
    for (int i = 0; i < r->nresults; i++)
        free(r->result_value[i]);
    memset(r, 0, sizeof *r);
}
