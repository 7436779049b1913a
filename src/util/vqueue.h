/* The event queue of virtual time: a 4-ary min-heap of events ordered by a
 * total order that does not depend on which rank hosts which node: (time,
 * destination node, source node, the source's sequence number). Host-level
 * events use node -1, so they come first at their time. No MPI. */
#ifndef CLOCKLAB_VQUEUE_H
#define CLOCKLAB_VQUEUE_H

#include <stddef.h>
#include <stdint.h>

enum vevent_kind { VEV_FAULTS, VEV_RECOVER, VEV_TIMER, VEV_MESSAGE };

struct vevent {       /* 40 bytes */
    double time;      /* reference time (s) */
    int32_t dst, src; /* nodes, -1 for host-level events */
    uint64_t seq;     /* the source's sequence number */
    uint32_t gen;     /* VEV_TIMER: the timer's generation when set */
    uint8_t kind;     /* enum vevent_kind */
    uint8_t layer, id;
    void *buf; /* VEV_MESSAGE: wire header (which holds the payload's length) + payload */
};

struct vqueue {
    struct vevent *ev;
    size_t n, cap;
};

/* Returns 0, or -1 (no memory). */
int vqueue_push(struct vqueue *q, const struct vevent *e);
/* The smallest event's time (+inf when empty). */
double vqueue_next_time(const struct vqueue *q);
/* Remove the smallest event into *e. Returns 0, or -1 when empty. */
int vqueue_pop(struct vqueue *q, struct vevent *e);
void vqueue_free(struct vqueue *q);

#endif
