/* One node's pending timers: at most one per (layer, timer id), so setting
 * a pending timer again replaces it in place and a cancel removes it, and the
 * set stays small (RUNTIME_MAX_LAYERS x NODE_MAX_TIMERS). The earliest due
 * time is cached; ties fire in (layer, id) order. No MPI. */
#ifndef CLOCKLAB_TIMERS_H
#define CLOCKLAB_TIMERS_H

#include "layers.h"
#include "node.h"

struct timers {
    double due[RUNTIME_MAX_LAYERS][NODE_MAX_TIMERS]; /* s of reference time; +inf = not set */
    double next;                                     /* earliest due, +inf when none */
    int next_layer, next_id;
};

/* Nothing pending. */
void timers_clear(struct timers *t);
/* Set (or move) timer (layer, id) to fire at reference time due. */
void timers_set(struct timers *t, int layer, int id, double due);
void timers_cancel(struct timers *t, int layer, int id);
/* Earliest due time (+inf when none). */
double timers_next(const struct timers *t);
/* If the earliest timer is due at or before now, remove it, fill layer, id
 * and its due time, and return 1; else return 0. */
int timers_pop_due(struct timers *t, double now, int *layer, int *id, double *due);

#endif
