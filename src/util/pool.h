/* Message buffers without malloc/free per message: free lists of blocks in
 * power-of-two size classes from POOL_MIN to POOL_MAX bytes. A block taken
 * with pool_get goes back with pool_put and is reused; blocks are returned
 * to the C library only by pool_free. Not thread-safe; no MPI. */
#ifndef CLOCKLAB_POOL_H
#define CLOCKLAB_POOL_H

#include <stddef.h>

#define POOL_MIN 64
#define POOL_MAX (64 * 1024)
#define POOL_CLASSES 11 /* 64 B .. 64 KiB */

struct pool_block;

struct pool {
    struct pool_block *free[POOL_CLASSES];
    size_t blocks; /* blocks allocated and not yet released by pool_free */
};

/* A buffer of at least len bytes (len <= POOL_MAX), or NULL (len too large
 * or no memory). */
void *pool_get(struct pool *p, size_t len);
/* Give back a buffer from pool_get. */
void pool_put(struct pool *p, void *buf);
/* Release every block on the free lists (buffers still out are the caller's
 * to pool_put first). */
void pool_free(struct pool *p);

#endif
