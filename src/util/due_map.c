#include "util/due_map.h"

#include <math.h>
#include <stdlib.h>

static uint32_t slot_of(const struct due_map *m, int dst) {
    uint32_t h = (uint32_t)dst * 2654435761u; /* Knuth's multiplicative hash */
    uint32_t i = h & (m->cap - 1);
    while (m->slot[i].key != 0 && m->slot[i].key != dst + 1)
        i = (i + 1) & (m->cap - 1);
    return i;
}

double due_map_get(const struct due_map *m, int dst) {
    if (m->cap == 0) return -INFINITY;
    uint32_t i = slot_of(m, dst);
    return m->slot[i].key ? m->slot[i].due : -INFINITY;
}

/* Rehash into a table of cap slots, keeping only the entries due after now. */
static int rebuild(struct due_map *m, uint32_t cap, double now) {
    struct due_map fresh = {calloc(cap, sizeof *fresh.slot), 0, cap};
    if (!fresh.slot) return -1;
    for (uint32_t i = 0; i < m->cap; i++)
        if (m->slot[i].key && m->slot[i].due > now) {
            fresh.slot[slot_of(&fresh, m->slot[i].key - 1)] = m->slot[i];
            fresh.n++;
        }
    due_map_free(m);
    *m = fresh;
    return 0;
}

int due_map_set(struct due_map *m, int dst, double due, double now) {
    if (4 * (m->n + 1) > 3 * m->cap) {
        /* full: drop what no later send can be held back by, then grow if
         * the channels still in use need the room */
        uint32_t live = 0;
        for (uint32_t i = 0; i < m->cap; i++)
            live += m->slot[i].key && m->slot[i].due > now;
        uint32_t cap = m->cap ? m->cap : 4;
        while (4 * (live + 1) > 3 * cap)
            cap *= 2;
        if (rebuild(m, cap, now)) return -1;
    }
    uint32_t i = slot_of(m, dst);
    if (!m->slot[i].key) {
        m->slot[i].key = dst + 1;
        m->n++;
    }
    m->slot[i].due = due;
    return 0;
}

void due_map_free(struct due_map *m) {
    free(m->slot);
    m->slot = NULL;
    m->n = m->cap = 0;
}
