#include "recorder.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int vec_push(struct vec *v, const void *elem) {
    if (v->n == v->cap) {
        size_t cap = v->cap ? 4 * v->cap : 4;
        void *p = realloc(v->data, cap * v->elem);
        if (!p) return -1;
        v->data = p;
        v->cap = cap;
    }
    memcpy((char *)v->data + v->n * v->elem, elem, v->elem);
    v->n++;
    return 0;
}

void vec_free(struct vec *v) {
    free(v->data);
    v->data = NULL;
    v->n = v->cap = 0;
}

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
