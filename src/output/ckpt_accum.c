/* Rank 0's collection of checkpoint increments. See ckpt_accum.h. */
#include "output/ckpt_accum.h"

#include "api/node.h"

#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#define SECTIONS 11

/* Section sizes of an increment, in order. */
static void sections(const struct ckpt_header *h, size_t out[SECTIONS]) {
    size_t count = (size_t)h->count, t = (size_t)h->ntypes;
    out[0] = count * sizeof(struct node_summary);
    out[1] = count * 4 * t * sizeof(uint64_t);
    out[2] = count * (size_t)h->nsamples * sizeof(double);
    out[3] = (size_t)h->nrounds * sizeof(struct round_row);
    out[4] = (size_t)h->nhistory * sizeof(struct history_row);
    out[5] = (size_t)h->nevents * sizeof(struct event_row);
    out[6] = (size_t)h->nevents * (size_t)h->width * sizeof(uint32_t);
    out[7] = (size_t)h->nresults * sizeof(struct result_row);
    out[8] = (size_t)h->nstages * sizeof(struct request_stage_row);
    out[9] = (size_t)h->nqueue * sizeof(struct queue_row);
    out[10] = (size_t)h->nsections * sizeof(struct section_row);
}

size_t ckpt_size(const struct ckpt_header *h) {
    size_t s[SECTIONS], total = sizeof *h;
    sections(h, s);
    for (int i = 0; i < SECTIONS; i++)
        total += s[i];
    return total;
}

int ckpt_accum_init(struct ckpt_accum *a, int nodes, int ntypes, int ranks) {
    memset(a, 0, sizeof *a);
    a->nodes = nodes;
    a->ntypes = ntypes;
    a->ranks = ranks;
    size_t n = (size_t)nodes, t = (size_t)ntypes;
    a->until = malloc((size_t)ranks * sizeof *a->until);
    a->samples = calloc((size_t)ranks, sizeof *a->samples);
    a->summaries = calloc(n ? n : 1, sizeof *a->summaries);
    a->counters = calloc(n * 4 * t + 1, sizeof *a->counters);
    a->results = calloc((size_t)ranks, sizeof *a->results);
    a->pending = calloc((size_t)ranks, sizeof *a->pending);
    if (!a->until || !a->samples || !a->summaries || !a->counters || !a->results || !a->pending) {
        ckpt_accum_free(a);
        return -1;
    }
    for (int r = 0; r < ranks; r++) {
        a->until[r] = -1.0;
        a->results[r].elem = sizeof(struct result_row);
    }
    a->rounds.elem = sizeof(struct round_row);
    a->history.elem = sizeof(struct history_row);
    a->events.elem = sizeof(struct event_row);
    a->stages.elem = sizeof(struct request_stage_row);
    a->queue.elem = sizeof(struct queue_row);
    a->vectors.elem = n * sizeof(uint32_t);
    return 0;
}

void ckpt_accum_free(struct ckpt_accum *a) {
    for (int r = 0; a->results && r < a->ranks; r++)
        vec_free(&a->results[r]);
    for (int r = 0; a->pending && r < a->ranks; r++) {
        for (size_t i = 0; i < a->pending[r].n; i++)
            free(a->pending[r].items[i].buf);
        free(a->pending[r].items);
    }
    free(a->pending);
    free(a->results);
    free(a->until);
    free(a->samples);
    free(a->summaries);
    free(a->counters);
    free(a->offsets);
    vec_free(&a->rounds);
    vec_free(&a->history);
    vec_free(&a->events);
    vec_free(&a->vectors);
    vec_free(&a->stages);
    vec_free(&a->queue);
    for (int i = 0; a->sections && i < a->nodes; i++)
        vec_free(&a->sections[i]);
    free(a->sections);
    memset(a, 0, sizeof *a);
}

/* A node's critical sections from row seq on are replaced by `row` and the
 * ones after it (rows come in seq order per node). */
static int add_section(struct ckpt_accum *a, const struct section_row *row) {
    if (row->node < 0 || row->node >= a->nodes) return -1;
    if (!a->sections) {
        a->sections = calloc((size_t)a->nodes, sizeof *a->sections);
        if (!a->sections) return -1;
        for (int i = 0; i < a->nodes; i++)
            a->sections[i].elem = sizeof(struct section_row);
    }
    struct vec *v = &a->sections[row->node];
    if (row->seq > v->n) return -1; /* a gap */
    v->n = (size_t)row->seq;
    return vec_push(v, row);
}

/* Make room for n more elements. */
static int reserve(struct vec *v, size_t n) {
    if (v->n + n <= v->cap) return 0;
    size_t cap = v->cap ? v->cap : 16;
    while (cap < v->n + n)
        cap *= 2;
    void *p = realloc(v->data, cap * v->elem);
    if (!p) return -1;
    v->data = p;
    v->cap = cap;
    return 0;
}

static int append(struct vec *v, const char *src, size_t n) {
    if (n == 0) return 0;
    if (reserve(v, n)) return -1;
    memcpy((char *)v->data + v->n * v->elem, src, n * v->elem);
    v->n += n;
    return 0;
}

/* Zero vector rows up to the event rows held (rows recorded before the
 * first vector, or by nodes without vectors). */
static int pad_vectors(struct ckpt_accum *a) {
    if (!a->width || a->vectors.n >= a->events.n) return 0;
    size_t k = a->events.n - a->vectors.n;
    if (reserve(&a->vectors, k)) return -1;
    memset((char *)a->vectors.data + a->vectors.n * a->vectors.elem, 0, k * a->vectors.elem);
    a->vectors.n += k;
    return 0;
}

int ckpt_accum_add(struct ckpt_accum *a, const void *buf, size_t len) {
    struct ckpt_header h;
    if (len < sizeof h) return -1;
    memcpy(&h, buf, sizeof h);
    if (h.magic != CKPT_MAGIC || h.rank < 0 || h.rank >= a->ranks || h.first < 0 || h.count < 0 ||
        h.first > a->nodes - h.count || h.nodes != a->nodes || h.ntypes != a->ntypes ||
        (h.width != 0 && h.width != a->nodes) || h.sample_from != a->samples[h.rank] ||
        ckpt_size(&h) != len)
        return -1;
    size_t s[SECTIONS];
    sections(&h, s);
    const char *p = (const char *)buf + sizeof h;
    size_t count = (size_t)h.count, first = (size_t)h.first, n = (size_t)a->nodes;
    memcpy(a->summaries + first, p, s[0]);
    p += s[0];
    memcpy(a->counters + first * 4 * (size_t)a->ntypes, p, s[1]);
    p += s[1];
    size_t need = (size_t)(h.sample_from + h.nsamples);
    if (need > a->cap_samples) {
        size_t cap = a->cap_samples ? a->cap_samples : 64;
        while (cap < need)
            cap *= 2;
        double *o = realloc(a->offsets, cap * n * sizeof *o + 1);
        if (!o) return -1;
        a->offsets = o;
        a->cap_samples = cap;
    }
    for (size_t i = 0; i < count; i++)
        for (size_t k = 0; k < h.nsamples; k++)
            memcpy(&a->offsets[(h.sample_from + k) * n + first + i],
                   p + (i * h.nsamples + k) * sizeof(double), sizeof(double));
    p += s[2];
    a->samples[h.rank] = need;
    if (append(&a->rounds, p, h.nrounds)) return -1;
    p += s[3];
    if (append(&a->history, p, h.nhistory)) return -1;
    p += s[4];
    if (h.width && !a->width) a->width = h.width;
    if (pad_vectors(a) || append(&a->events, p, h.nevents)) return -1;
    p += s[5];
    if (h.width && append(&a->vectors, p, h.nevents)) return -1;
    if (pad_vectors(a)) return -1;
    p += s[6];
    a->results[h.rank].n = 0;
    if (append(&a->results[h.rank], p, h.nresults)) return -1;
    p += s[7];
    if (append(&a->stages, p, h.nstages)) return -1;
    p += s[8];
    if (append(&a->queue, p, h.nqueue)) return -1;
    p += s[9];
    for (uint64_t i = 0; i < h.nsections; i++) {
        struct section_row row;
        memcpy(&row, p + i * sizeof row, sizeof row);
        if (add_section(a, &row)) return -1;
    }
    a->tables |= h.tables;
    a->until[h.rank] = h.until;
    return 0;
}

int ckpt_accum_offer(struct ckpt_accum *a, void *buf, size_t len) {
    struct ckpt_header h;
    if (len < sizeof h) {
        free(buf);
        return -1;
    }
    memcpy(&h, buf, sizeof h);
    if (h.magic != CKPT_MAGIC || h.rank < 0 || h.rank >= a->ranks) {
        free(buf);
        return -1;
    }
    struct ckpt_pending *p = &a->pending[h.rank];
    if (p->n == p->cap) {
        size_t cap = p->cap ? 2 * p->cap : 4;
        void *items = realloc(p->items, cap * sizeof *p->items);
        if (!items) {
            free(buf);
            return -1;
        }
        p->items = items;
        p->cap = cap;
    }
    p->items[p->n].buf = buf;
    p->items[p->n].len = len;
    p->items[p->n].until = h.until;
    p->n++;
    /* The cut: every rank has offered an increment up to it. */
    double cut = INFINITY;
    for (int r = 0; r < a->ranks; r++) {
        double latest =
            a->pending[r].n ? a->pending[r].items[a->pending[r].n - 1].until : a->until[r];
        if (latest < cut) cut = latest;
    }
    int added = 0;
    for (int r = 0; r < a->ranks; r++) {
        struct ckpt_pending *q = &a->pending[r];
        size_t k = 0;
        while (k < q->n && q->items[k].until <= cut) {
            int rc = ckpt_accum_add(a, q->items[k].buf, q->items[k].len);
            free(q->items[k].buf);
            k++;
            if (rc) {
                if (k < q->n) memmove(q->items, q->items + k, (q->n - k) * sizeof *q->items);
                q->n -= k;
                return -1;
            }
            added++;
        }
        if (k && k < q->n) memmove(q->items, q->items + k, (q->n - k) * sizeof *q->items);
        q->n -= k;
    }
    return added;
}

double ckpt_accum_until(const struct ckpt_accum *a) {
    double until = INFINITY;
    for (int r = 0; r < a->ranks; r++)
        if (a->until[r] < until) until = a->until[r];
    return a->ranks ? until : -1.0;
}

/* Row i of v (elem bytes each, the node in the first int32, the time at
 * byte `at`) when it was recorded before until: its node, else -1. */
static int32_t row_node(const struct vec *v, size_t i, size_t at, double until, int nodes) {
    const char *row = (const char *)v->data + i * v->elem;
    int32_t node;
    double t;
    memcpy(&node, row, sizeof node);
    memcpy(&t, row + at, sizeof t);
    if (!(t < until)) return -1;
    return node >= 0 && node < nodes ? node : 0;
}

/* The rows of v recorded before until in node order, each node's rows in
 * the order held (a stable counting sort), and their number in *kept; the
 * matching rows of w (one per row of v) likewise when w is not NULL. */
static int by_node(const struct vec *v, size_t at, double until, int nodes, void **out,
                   size_t *kept, const struct vec *w, void **wout) {
    size_t n = v->n;
    *out = malloc(n * v->elem + 1);
    if (w) *wout = malloc(n * w->elem + 1);
    size_t *start = calloc((size_t)nodes + 1, sizeof *start);
    if (!*out || (w && !*wout) || !start) {
        free(start);
        return -1;
    }
    *kept = 0;
    for (size_t i = 0; i < n; i++) {
        int32_t node = row_node(v, i, at, until, nodes);
        if (node < 0) continue;
        start[node + 1]++;
        (*kept)++;
    }
    for (int k = 0; k < nodes; k++)
        start[k + 1] += start[k];
    const char *rows = v->data;
    for (size_t i = 0; i < n; i++) {
        int32_t node = row_node(v, i, at, until, nodes);
        if (node < 0) continue;
        size_t at_row = start[node]++;
        memcpy((char *)*out + at_row * v->elem, rows + i * v->elem, v->elem);
        if (w)
            memcpy((char *)*wout + at_row * w->elem, (const char *)w->data + i * w->elem, w->elem);
    }
    free(start);
    return 0;
}

/* results/: the union of the names in rank order, NaN where a node has none
 * (as gather_run assembles them). */
static void assemble_results(const struct ckpt_accum *a, struct run_result *out) {
    size_t n = (size_t)a->nodes;
    for (int r = 0; r < a->ranks; r++) {
        const struct result_row *rows = a->results[r].data;
        for (size_t i = 0; i < a->results[r].n; i++) {
            int j = 0;
            while (j < out->nresults && strcmp(out->result_name[j], rows[i].name) != 0)
                j++;
            if (j == out->nresults) {
                if (j == REC_MAX_RESULTS) continue;
                out->result_value[j] = malloc(n * sizeof(double) + 1);
                if (!out->result_value[j]) continue;
                memcpy(out->result_name[j], rows[i].name, REC_RESULT_NAME);
                for (size_t q = 0; q < n; q++)
                    out->result_value[j][q] = NAN;
                out->nresults++;
            }
            if (rows[i].node >= 0 && (size_t)rows[i].node < n)
                out->result_value[j][rows[i].node] = rows[i].value;
        }
    }
}

/* requests/ and mutex/ of the run before until. */
static int assemble_tables(const struct ckpt_accum *a, double until, struct run_result *out) {
    out->has_requests = (a->tables & NODE_TABLE_REQUESTS) != 0;
    out->has_sections = (a->tables & NODE_TABLE_SECTIONS) != 0;
    struct request_stage_row *stages = malloc(a->stages.n * sizeof *stages + 1);
    if (!stages) return -1;
    size_t n = 0;
    const struct request_stage_row *all = a->stages.data;
    for (size_t i = 0; i < a->stages.n; i++)
        if (all[i].time < until) stages[n++] = all[i];
    int rc = rec_join_requests(stages, n, &out->requests, &out->nrequests);
    free(stages);
    if (rc) return -1;
    for (size_t i = 0; i < out->nrequests; i++)
        if (out->requests[i].status == REQUEST_LOST) /* the join's "no outcome": none yet */
            out->requests[i].status = REQUEST_PENDING;
    void *queue = NULL, *none = NULL;
    rc = by_node(&a->queue, offsetof(struct queue_row, time), until, a->nodes, &queue, &out->nqueue,
                 NULL, &none);
    out->queue = queue;
    if (rc) return -1;
    size_t total = 0;
    for (int i = 0; a->sections && i < a->nodes; i++)
        total += a->sections[i].n;
    out->sections = malloc(total * sizeof *out->sections + 1);
    if (!out->sections) return -1;
    for (int i = 0; a->sections && i < a->nodes; i++) {
        const struct vec *v = &a->sections[i];
        if (v->n) memcpy(out->sections + out->nsections, v->data, v->n * v->elem);
        out->nsections += v->n;
    }
    return 0;
}

int ckpt_accum_assemble(const struct ckpt_accum *a, double dt, struct run_result *out) {
    size_t n = (size_t)a->nodes, t = (size_t)a->ntypes, ns = a->ranks ? SIZE_MAX : 0;
    for (int r = 0; r < a->ranks; r++)
        if (a->samples[r] < ns) ns = a->samples[r];
    out->sample_time = malloc(ns * sizeof(double) + 1);
    if (!out->sample_time || run_result_nodes(out, n, t, ns, a->summaries, a->counters)) return -1;
    for (size_t k = 0; k < ns; k++)
        out->sample_time[k] = (double)k * dt;
    if (ns) memcpy(out->offset, a->offsets, ns * n * sizeof(double));
    void *rounds = NULL, *history = NULL, *events = NULL, *vectors = NULL;
    double until = ckpt_accum_until(a);
    int rc = by_node(&a->rounds, offsetof(struct round_row, time), until, a->nodes, &rounds,
                     &out->nrounds, NULL, NULL);
    out->rounds = rounds;
    rc |= by_node(&a->history, offsetof(struct history_row, time), until, a->nodes, &history,
                  &out->nhistory, NULL, NULL);
    out->history = history;
    rc |= by_node(&a->events, offsetof(struct event_row, time), until, a->nodes, &events,
                  &out->nevents, a->width ? &a->vectors : NULL, &vectors);
    out->events = events;
    out->vectors = vectors;
    if (rc) return -1;
    assemble_results(a, out);
    return assemble_tables(a, until, out);
}
