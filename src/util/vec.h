/* A growable array of fixed-size elements (elem bytes each), grown 4 times
 * at a time. No MPI. */
#ifndef CLOCKLAB_VEC_H
#define CLOCKLAB_VEC_H

#include <stddef.h>

struct vec {
    void *data;
    size_t n, cap, elem; /* elements held, room for, bytes each */
};
/* Append a copy of elem's v->elem bytes. Returns 0, or -1 (no memory: v unchanged). */
int vec_push(struct vec *v, const void *elem);
/* Free the elements; v is empty again (elem kept). */
void vec_free(struct vec *v);

#endif
