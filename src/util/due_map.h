/* The due time of the last message a node sent to each other node, so that
 * a channel stays FIFO (a message is never due before the previous one on
 * its channel). A small open-addressing hash table keyed by node index
 * (linear probing; Knuth, TAOCP vol. 3, 6.4). No MPI. */
#ifndef CLOCKLAB_DUE_MAP_H
#define CLOCKLAB_DUE_MAP_H

#include <stddef.h>
#include <stdint.h>

struct due_slot {
    int32_t key; /* node index + 1, 0 = empty */
    double due;
};

struct due_map {
    struct due_slot *slot; /* key and due side by side: one cache line a lookup */
    uint32_t n, cap;       /* cap: 0 or a power of two */
};

/* Due time of the last message to node dst, or -inf. */
double due_map_get(const struct due_map *m, int dst);
/* Remember due for dst, a message sent at reference time now. When the
 * table is full, entries due at or before now are dropped first: every
 * later send is due at now or after, so they can hold nothing back. The
 * table then grows with the channels that have a message on its way, not
 * with every node ever sent to. Returns 0, or -1 (no memory). */
int due_map_set(struct due_map *m, int dst, double due, double now);
void due_map_free(struct due_map *m);

#endif
