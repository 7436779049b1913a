#include "due_map.h"

#include <math.h>
#include <stdlib.h>

static uint32_t slot_of(const struct due_map *m, int dst) {
    uint32_t h = (uint32_t)dst * 2654435761u; /* Knuth's multiplicative hash */
    uint32_t i = h & (m->cap - 1);
    while (m->key[i] != 0 && m->key[i] != dst + 1)
        i = (i + 1) & (m->cap - 1);
    return i;
}

double due_map_get(const struct due_map *m, int dst) {
    if (m->cap == 0) return -INFINITY;
    uint32_t i = slot_of(m, dst);
    return m->key[i] ? m->due[i] : -INFINITY;
}

static int grow(struct due_map *m) {
    uint32_t cap = m->cap ? 2 * m->cap : 4;
    struct due_map bigger = {calloc(cap, sizeof(int32_t)), malloc(cap * sizeof(double)), 0, cap};
    if (!bigger.key || !bigger.due) {
        free(bigger.key);
        free(bigger.due);
        return -1;
    }
    for (uint32_t i = 0; i < m->cap; i++)
        if (m->key[i]) {
            uint32_t j = slot_of(&bigger, m->key[i] - 1);
            bigger.key[j] = m->key[i];
            bigger.due[j] = m->due[i];
            bigger.n++;
        }
    due_map_free(m);
    *m = bigger;
    return 0;
}

int due_map_set(struct due_map *m, int dst, double due) {
    if (4 * (m->n + 1) > 3 * m->cap && grow(m)) return -1;
    uint32_t i = slot_of(m, dst);
    if (!m->key[i]) {
        m->key[i] = dst + 1;
        m->n++;
    }
    m->due[i] = due;
    return 0;
}

void due_map_free(struct due_map *m) {
    free(m->key);
    free(m->due);
    m->key = NULL;
    m->due = NULL;
    m->n = m->cap = 0;
}
