#include "timers.h"

#include <math.h>

static void find_next(struct timers *t) {
    t->next = INFINITY;
    t->next_layer = t->next_id = -1;
    for (int l = 0; l < RUNTIME_MAX_LAYERS; l++)
        for (int i = 0; i < NODE_MAX_TIMERS; i++)
            if (t->due[l][i] < t->next) {
                t->next = t->due[l][i];
                t->next_layer = l;
                t->next_id = i;
            }
}

void timers_clear(struct timers *t) {
    for (int l = 0; l < RUNTIME_MAX_LAYERS; l++)
        for (int i = 0; i < NODE_MAX_TIMERS; i++)
            t->due[l][i] = INFINITY;
    t->next = INFINITY;
    t->next_layer = t->next_id = -1;
}

static int before(double due, int layer, int id, const struct timers *t) {
    return due < t->next || (due == t->next && (layer < t->next_layer ||
                                                (layer == t->next_layer && id < t->next_id)));
}

void timers_set(struct timers *t, int layer, int id, double due) {
    int was_next = layer == t->next_layer && id == t->next_id;
    t->due[layer][id] = due;
    if (before(due, layer, id, t)) {
        t->next = due;
        t->next_layer = layer;
        t->next_id = id;
    } else if (was_next) {
        find_next(t); /* moved later */
    }
}

void timers_cancel(struct timers *t, int layer, int id) {
    t->due[layer][id] = INFINITY;
    if (layer == t->next_layer && id == t->next_id) find_next(t);
}

double timers_next(const struct timers *t) {
    return t->next;
}

int timers_pop_due(struct timers *t, double now, int *layer, int *id, double *due) {
    if (!(t->next <= now)) return 0;
    *layer = t->next_layer;
    *id = t->next_id;
    *due = t->next;
    timers_cancel(t, *layer, *id);
    return 1;
}
