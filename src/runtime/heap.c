#include "heap.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static int before(const struct heap_slot *a, const struct heap_slot *b) {
    return a->due < b->due || (a->due == b->due && a->order < b->order);
}

static void swap(struct heap_slot *a, struct heap_slot *b) {
    struct heap_slot t = *a;
    *a = *b;
    *b = t;
}

int heap_push(struct heap *h, double due, const void *item, size_t item_size) {
    if (item_size > sizeof h->slots[0].item) return -1;
    if (h->n == h->cap) {
        size_t cap = h->cap ? 2 * h->cap : 64;
        struct heap_slot *s = realloc(h->slots, cap * sizeof *s);
        if (!s) return -1;
        h->slots = s;
        h->cap = cap;
    }
    size_t i = h->n++;
    h->slots[i].due = due;
    h->slots[i].order = h->next_order++;
    memcpy(h->slots[i].item, item, item_size);
    while (i > 0 && before(&h->slots[i], &h->slots[(i - 1) / 2])) {
        swap(&h->slots[i], &h->slots[(i - 1) / 2]);
        i = (i - 1) / 2;
    }
    return 0;
}

double heap_next_due(const struct heap *h) {
    return h->n ? h->slots[0].due : INFINITY;
}

int heap_pop(struct heap *h, void *item, size_t item_size) {
    if (h->n == 0) return -1;
    memcpy(item, h->slots[0].item, item_size);
    h->slots[0] = h->slots[--h->n];
    size_t i = 0;
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, m = i;
        if (l < h->n && before(&h->slots[l], &h->slots[m])) m = l;
        if (r < h->n && before(&h->slots[r], &h->slots[m])) m = r;
        if (m == i) break;
        swap(&h->slots[i], &h->slots[m]);
        i = m;
    }
    return 0;
}

void heap_free(struct heap *h) {
    free(h->slots);
    memset(h, 0, sizeof *h);
}
