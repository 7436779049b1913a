#include "recorder.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int vec_push(struct vec *v, const void *elem) {
    if (v->n == v->cap) {
        size_t cap = v->cap ? 2 * v->cap : 64;
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

int rec_init(struct recorder *r, int nodes, int ntypes) {
    memset(r, 0, sizeof *r);
    r->nodes = nodes;
    r->ntypes = ntypes;
    size_t t = ntypes > 0 ? (size_t)ntypes : 1;
    r->sent = calloc(t, sizeof(uint64_t));
    r->received = calloc(t, sizeof(uint64_t));
    r->bytes_sent = calloc(t, sizeof(uint64_t));
    r->dropped = calloc(t, sizeof(uint64_t));
    r->rounds.elem = sizeof(struct round_row);
    r->models.elem = sizeof(struct model_row);
    r->history.elem = sizeof(struct history_row);
    r->events.elem = sizeof(struct event_row);
    r->vectors.elem = sizeof(uint32_t) * (size_t)(nodes > 0 ? nodes : 1);
    return (r->sent && r->received && r->bytes_sent && r->dropped) ? 0 : -1;
}

void rec_free(struct recorder *r) {
    free(r->sent);
    free(r->received);
    free(r->bytes_sent);
    free(r->dropped);
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
    for (int i = 0; i < r->nresults; i++)
        if (strcmp(r->result_name[i], name) == 0) {
            r->result_value[i] = value;
            return 0;
        }
    if (r->nresults == REC_MAX_RESULTS) return -1;
    snprintf(r->result_name[r->nresults], REC_RESULT_NAME, "%s", name);
    r->result_value[r->nresults++] = value;
    return 0;
}
