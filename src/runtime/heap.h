/* A binary min-heap of fixed-size items ordered by (due time, insertion
 * order): received messages held until due. Ties keep insertion order, which keeps
 * each channel FIFO. */
#ifndef CLOCKLAB_HEAP_H
#define CLOCKLAB_HEAP_H

#include <stddef.h>
#include <stdint.h>

struct heap_slot {
    double due;
    uint64_t order;
    unsigned char item[40];
};

struct heap {
    struct heap_slot *slots;
    size_t n, cap;
    uint64_t next_order;
};

/* item_size must be at most sizeof(heap_slot.item). Returns 0 or -1 (no memory). */
int heap_push(struct heap *h, double due, const void *item, size_t item_size);
/* Due time of the smallest item; +inf when empty. */
double heap_next_due(const struct heap *h);
/* Remove the smallest item into item (item_size bytes). Returns 0, or -1 when empty. */
int heap_pop(struct heap *h, void *item, size_t item_size);
void heap_free(struct heap *h);

#endif
