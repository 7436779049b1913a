#include "util/pool.h"

#include <stdalign.h>
#include <stdlib.h>

struct pool_block {
    struct pool_block *next;
    size_t cls;
    alignas(max_align_t) unsigned char data[];
};

static size_t size_class(size_t len) {
    size_t cls = 0, cap = POOL_MIN;
    while (cap < len) {
        cap <<= 1;
        cls++;
    }
    return cls;
}

void *pool_get(struct pool *p, size_t len) {
    if (len > POOL_MAX) return NULL;
    size_t cls = size_class(len);
    struct pool_block *b = p->free[cls];
    if (b) {
        p->free[cls] = b->next;
        return b->data;
    }
    b = malloc(sizeof *b + ((size_t)POOL_MIN << cls));
    if (!b) return NULL;
    b->cls = cls;
    p->blocks++;
    return b->data;
}

void pool_put(struct pool *p, void *buf) {
    if (!buf) return;
    struct pool_block *b =
        (struct pool_block *)((unsigned char *)buf - offsetof(struct pool_block, data));
    b->next = p->free[b->cls];
    p->free[b->cls] = b;
}

void pool_free(struct pool *p) {
    for (size_t c = 0; c < POOL_CLASSES; c++)
        while (p->free[c]) {
            struct pool_block *b = p->free[c];
            p->free[c] = b->next;
            free(b);
            p->blocks--;
        }
}
