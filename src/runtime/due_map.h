/* The due time of the last message a node sent to each other node, so that
 * a channel stays FIFO (a message is never due before the previous one on
 * its channel). A small open-addressing hash table keyed by node index: a
 * node holds entries only for the nodes it has sent to. No MPI. */
#ifndef CLOCKLAB_DUE_MAP_H
#define CLOCKLAB_DUE_MAP_H

#include <stddef.h>
#include <stdint.h>

struct due_map {
    int32_t *key; /* node index + 1, 0 = empty */
    double *due;
    uint32_t n, cap; /* cap: 0 or a power of two */
};

/* Due time of the last message to node dst, or -inf. */
double due_map_get(const struct due_map *m, int dst);
/* Remember due for dst. Returns 0, or -1 (no memory). */
int due_map_set(struct due_map *m, int dst, double due);
void due_map_free(struct due_map *m);

#endif
