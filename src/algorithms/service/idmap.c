#include "algorithms/service/idmap.h"

#include <stdlib.h>
#include <string.h>

static size_t slot(uint64_t key, size_t cap) {
    key ^= key >> 33; /* MurmurHash3's 64-bit finalizer */
    key *= 0xff51afd7ed558ccdULL;
    key ^= key >> 33;
    key *= 0xc4ceb9fe1a85ec53ULL;
    key ^= key >> 33;
    return (size_t)key & (cap - 1);
}

static int grow(struct idmap *m) {
    size_t cap = m->cap ? 2 * m->cap : 64;
    uint64_t *keys = calloc(cap, sizeof *keys);
    int *values = malloc(cap * sizeof *values);
    if (!keys || !values) {
        free(keys);
        free(values);
        return -1;
    }
    for (size_t i = 0; i < m->cap; i++) {
        if (!m->keys[i]) continue;
        size_t j = slot(m->keys[i], cap);
        while (keys[j])
            j = (j + 1) & (cap - 1);
        keys[j] = m->keys[i];
        values[j] = m->values[i];
    }
    free(m->keys);
    free(m->values);
    m->keys = keys;
    m->values = values;
    m->cap = cap;
    return 0;
}

int idmap_put(struct idmap *m, uint64_t key, int value) {
    if (2 * (m->n + 1) > m->cap && grow(m)) return -1;
    size_t j = slot(key, m->cap);
    while (m->keys[j] && m->keys[j] != key)
        j = (j + 1) & (m->cap - 1);
    if (!m->keys[j]) {
        m->keys[j] = key;
        m->n++;
    }
    m->values[j] = value;
    return 0;
}

int idmap_get(const struct idmap *m, uint64_t key, int *value) {
    if (!m->cap) return 0;
    for (size_t j = slot(key, m->cap); m->keys[j]; j = (j + 1) & (m->cap - 1))
        if (m->keys[j] == key) {
            *value = m->values[j];
            return 1;
        }
    return 0;
}

void idmap_clear(struct idmap *m) {
    if (m->keys) memset(m->keys, 0, m->cap * sizeof *m->keys);
    m->n = 0;
}

void idmap_free(struct idmap *m) {
    free(m->keys);
    free(m->values);
    memset(m, 0, sizeof *m);
}
