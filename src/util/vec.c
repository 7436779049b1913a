#include "util/vec.h"

#include <stdlib.h>
#include <string.h>

int vec_push(struct vec *v, const void *elem) {
    if (v->n == v->cap) {
        size_t cap = v->cap ? 4 * v->cap : 4;
        void *p = realloc(v->data, cap * v->elem);
        if (!p) return -1;
        v->data = p;
        v->cap = cap;
    }
    memcpy((char *)v->data + v->n * v->elem, elem, v->elem);
    v->n++;
    return 0;
}

void vec_free(struct vec *v) {
    free(v->data);
    v->data = NULL;
    v->n = v->cap = 0;
}
