#include "util/vqueue.h"

#include <math.h>
#include <stdlib.h>

static int before(const struct vevent *a, const struct vevent *b) {
    if (a->time != b->time) return a->time < b->time;
    if (a->dst != b->dst) return a->dst < b->dst;
    if (a->src != b->src) return a->src < b->src;
    return a->seq < b->seq;
}

int vqueue_push(struct vqueue *q, const struct vevent *e) {
    if (q->n == q->cap) {
        size_t cap = q->cap ? 2 * q->cap : 1024;
        struct vevent *p = realloc(q->ev, cap * sizeof *p);
        if (!p) return -1;
        q->ev = p;
        q->cap = cap;
    }
    size_t i = q->n++;
    while (i > 0) {
        size_t parent = (i - 1) / 4;
        if (!before(e, &q->ev[parent])) break;
        q->ev[i] = q->ev[parent];
        i = parent;
    }
    q->ev[i] = *e;
    return 0;
}

double vqueue_next_time(const struct vqueue *q) {
    return q->n ? q->ev[0].time : INFINITY;
}

int vqueue_pop(struct vqueue *q, struct vevent *e) {
    if (q->n == 0) return -1;
    *e = q->ev[0];
    struct vevent last = q->ev[--q->n];
    size_t i = 0, n = q->n;
    for (;;) {
        size_t c = 4 * i + 1, best = c;
        if (c >= n) break;
        for (size_t k = c + 1; k < c + 4 && k < n; k++)
            if (before(&q->ev[k], &q->ev[best])) best = k;
        if (!before(&q->ev[best], &last)) break;
        q->ev[i] = q->ev[best];
        i = best;
    }
    if (n) q->ev[i] = last;
    return 0;
}

void vqueue_free(struct vqueue *q) {
    free(q->ev);
    q->ev = NULL;
    q->n = q->cap = 0;
}
