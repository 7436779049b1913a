#include "output/recorder.h"

#include "api/node.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int rec_init(struct recorder *r, int node, int nodes, int ntypes) {
    memset(r, 0, sizeof *r);
    r->node = node;
    r->nodes = nodes;
    r->ntypes = ntypes;
    size_t t = ntypes > 0 ? (size_t)ntypes : 1;
    r->sent = calloc(4 * t, sizeof(uint64_t));
    r->received = r->sent ? r->sent + t : NULL;
    r->bytes_sent = r->sent ? r->sent + 2 * t : NULL;
    r->dropped = r->sent ? r->sent + 3 * t : NULL;
    r->results.elem = sizeof(struct result_row);
    r->rounds.elem = sizeof(struct round_row);
    r->models.elem = sizeof(struct model_row);
    r->history.elem = sizeof(struct history_row);
    r->events.elem = sizeof(struct event_row);
    r->vectors.elem = sizeof(uint32_t) * (size_t)(nodes > 0 ? nodes : 1);
    r->stages.elem = sizeof(struct request_stage_row);
    r->queue.elem = sizeof(struct queue_row);
    r->sections.elem = sizeof(struct section_row);
    return r->sent ? 0 : -1;
}

void rec_free(struct recorder *r) {
    free(r->sent);
    vec_free(&r->results);
    vec_free(&r->rounds);
    vec_free(&r->models);
    vec_free(&r->history);
    vec_free(&r->events);
    vec_free(&r->vectors);
    vec_free(&r->stages);
    vec_free(&r->queue);
    vec_free(&r->sections);
    memset(r, 0, sizeof *r);
}

int rec_event(struct recorder *r, const struct event_row *row, const uint32_t *vector) {
    if (vector) {
        /* Rows without a vector before the first one get zero vectors. */
        while (r->vectors.n < r->events.n) {
            uint32_t *zero = calloc((size_t)r->nodes, sizeof *zero);
            if (!zero || vec_push(&r->vectors, zero)) {
                free(zero);
                return -1;
            }
            free(zero);
        }
        r->vector_width = r->nodes;
        if (vec_push(&r->vectors, vector)) return -1;
    } else if (r->vector_width) {
        uint32_t *zero = calloc((size_t)r->nodes, sizeof *zero);
        int rc = zero ? vec_push(&r->vectors, zero) : -1;
        free(zero);
        if (rc) return -1;
    }
    return vec_push(&r->events, row);
}

int rec_result(struct recorder *r, const char *name, double value) {
    struct result_row *rows = r->results.data;
    for (size_t i = 0; i < r->results.n; i++)
        if (strncmp(rows[i].name, name, REC_RESULT_NAME - 1) == 0) {
            rows[i].value = value;
            return 0;
        }
    if (r->results.n == REC_MAX_RESULTS) return -1;
    struct result_row row = {r->node, "", value};
    snprintf(row.name, sizeof row.name, "%s", name);
    return vec_push(&r->results, &row);
}

static int by_id_then_time(const void *a, const void *b) {
    const struct request_stage_row *x = a, *y = b;
    if (x->id != y->id) return x->id < y->id ? -1 : 1;
    if (x->time != y->time) return x->time < y->time ? -1 : 1;
    return x->stage - y->stage;
}

/* One request from its stage rows (sorted by time). */
static void join_one(const struct request_stage_row *s, size_t k, struct request_row *o) {
    memset(o, 0, sizeof *o);
    o->id = s[0].id;
    o->client = o->coordinator = o->server = -1;
    o->status = REQUEST_LOST;
    o->sent = o->dispatched = o->arrived = o->started = o->finished = o->received = NAN;
    o->response_local = NAN;
    double sent_local = NAN, received_local = NAN;
    const struct request_stage_row *last_dispatch = NULL;
    for (size_t i = 0; i < k; i++) {
        switch (s[i].stage) {
        case REQUEST_SENT:
            o->client = s[i].node;
            o->sent = s[i].time;
            sent_local = s[i].local_time;
            break;
        case REQUEST_DISPATCHED:
            o->dispatches++;
            last_dispatch = &s[i];
            break;
        case REQUEST_ARRIVED:
            o->server = s[i].node;
            o->arrived = s[i].time;
            break;
        case REQUEST_STARTED:
            o->started = s[i].time;
            break;
        case REQUEST_FINISHED:
            if (o->served++ == 0) o->finished = s[i].time;
            break;
        case REQUEST_RECEIVED:
            if (isnan(o->received)) {
                o->received = s[i].time;
                received_local = s[i].local_time;
            }
            break;
        case REC_STAGE_OUTCOME:
            o->status = s[i].status;
            o->attempts = s[i].attempts;
            break;
        }
    }
    for (size_t i = 0; i < k; i++) /* the dispatch to the server that accepted it */
        if (s[i].stage == REQUEST_DISPATCHED && s[i].peer == o->server && o->server >= 0)
            last_dispatch = &s[i];
    if (last_dispatch) {
        o->coordinator = last_dispatch->node;
        o->dispatched = last_dispatch->time;
        if (o->server < 0) o->server = last_dispatch->peer;
    }
    o->response_local = received_local - sent_local;
}

struct id_index {
    uint64_t id;
    size_t row;
};

/* Stable LSD radix sort of a[0..n) by id, 16 bits a pass, passes whose
 * digit is the same in every key left out (Knuth, TAOCP vol. 3, 5.2.5).
 * tmp holds n entries, count 2^16. Returns the array that holds the result. */
static struct id_index *radix_by_id(struct id_index *a, struct id_index *tmp, size_t *count,
                                    size_t n) {
    uint64_t all_or = 0, all_and = ~(uint64_t)0;
    for (size_t i = 0; i < n; i++) {
        all_or |= a[i].id;
        all_and &= a[i].id;
    }
    for (int shift = 0; shift < 64; shift += 16) {
        if ((((all_or ^ all_and) >> shift) & 0xFFFF) == 0) continue; /* one digit value */
        memset(count, 0, ((size_t)1 << 16) * sizeof *count);
        for (size_t i = 0; i < n; i++)
            count[(a[i].id >> shift) & 0xFFFF]++;
        size_t sum = 0;
        for (size_t d = 0; d < (1 << 16); d++) {
            size_t c = count[d];
            count[d] = sum;
            sum += c;
        }
        for (size_t i = 0; i < n; i++)
            tmp[count[(a[i].id >> shift) & 0xFFFF]++] = a[i];
        struct id_index *swap = a;
        a = tmp;
        tmp = swap;
    }
    return a;
}

int rec_join_requests(const struct request_stage_row *rows, size_t n, struct request_row **out,
                      size_t *nout) {
    *out = NULL;
    *nout = 0;
    if (n == 0) return 0;
    /* rows by id (stably: equal rows keep their order), then each request's
     * few rows by time and stage: the order qsort by_id_then_time gave,
     * in O(n) for the ids */
    struct id_index *a = malloc(n * sizeof *a), *tmp = malloc(n * sizeof *tmp);
    size_t *count = malloc(((size_t)1 << 16) * sizeof *count);
    struct request_row *o = NULL;
    size_t k = 0, cap = 16;
    struct request_stage_row *group = malloc(cap * sizeof *group);
    if (!a || !tmp || !count || !group) goto fail;
    for (size_t i = 0; i < n; i++)
        a[i] = (struct id_index){rows[i].id, i};
    struct id_index *sorted = radix_by_id(a, tmp, count, n);
    size_t groups = 0;
    for (size_t i = 0; i < n; i++)
        groups += i == 0 || sorted[i].id != sorted[i - 1].id;
    if (!(o = malloc(groups * sizeof *o))) goto fail;
    for (size_t i = 0; i < n;) {
        size_t j = i;
        for (; j < n && sorted[j].id == sorted[i].id; j++) {
            if (j - i == cap) {
                struct request_stage_row *p = realloc(group, 2 * cap * sizeof *p);
                if (!p) goto fail;
                group = p;
                cap *= 2;
            }
            struct request_stage_row x = rows[sorted[j].row];
            size_t m = j - i; /* insertion sort, stable */
            for (; m > 0 && by_id_then_time(&group[m - 1], &x) > 0; m--)
                group[m] = group[m - 1];
            group[m] = x;
        }
        join_one(group, j - i, &o[k++]);
        i = j;
    }
    free(a);
    free(tmp);
    free(count);
    free(group);
    *out = o;
    *nout = k;
    return 0;
fail:
    free(a);
    free(tmp);
    free(count);
    free(group);
    free(o);
    return -1;
}
