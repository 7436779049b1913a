/* A hash map from 64-bit ids (> 0) to int values: open addressing with
 * linear probing (Knuth, TAOCP vol. 3, 6.4, algorithm L), grown to keep the
 * load factor <= 1/2. */
#ifndef CLOCKLAB_IDMAP_H
#define CLOCKLAB_IDMAP_H

#include <stddef.h>
#include <stdint.h>

struct idmap {
    uint64_t *keys; /* 0 = empty slot */
    int *values;
    size_t cap, n;
};

/* Insert or replace. Returns 0, or -1 when out of memory (map unchanged). */
int idmap_put(struct idmap *m, uint64_t key, int value);
/* 1 and *value when present, else 0. */
int idmap_get(const struct idmap *m, uint64_t key, int *value);
void idmap_clear(struct idmap *m); /* remove everything, keep the memory */
void idmap_free(struct idmap *m);

#endif
