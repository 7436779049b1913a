/* The event core both engines share: one rank's nodes, their pending
 * messages, timers, crashes and recoveries as events in one queue
 * (vqueue.h), in the total order (time, destination, source, the source's
 * sequence number). The engines differ only in pacing and transport:
 * virtual time takes the next event at once and moves messages between
 * ranks in windows (vengine.c); real time takes it when the wall clock
 * reaches its time and moves messages between ranks over MPI at once
 * (real_engine.c). A message between two nodes of one rank never leaves the
 * queue. No MPI here.
 *
 * Timers: a node keeps one struct vtimer per (layer, id) it has used; at
 * most one event waits in the queue for a timer that is only moved later
 * (the queued event, when its time comes, is queued again for the later
 * time), so a node that moves a heartbeat timeout on every message costs
 * no queue growth. */
#ifndef CLOCKLAB_EVENT_CORE_H
#define CLOCKLAB_EVENT_CORE_H

#include "util/vqueue.h"

#include <stddef.h>

struct runtime;
struct node_state;
struct wire_header;

struct event_core {
    struct vqueue q;
    size_t messages; /* message events in q */
    /* real time: lateness per local node ([count]); NULL in virtual time */
    struct fidelity *lateness;
};

/* Set up the queue with one host-level event per crash time of the run's
 * schedule (every rank applies it to its nodes there). Returns 0 or -1 (no
 * memory). */
int core_init(struct runtime *rt);
/* Drop every pending event (message buffers go back to the pool) and free. */
void core_free(struct runtime *rt);

/* Queue a message (header h, then len payload bytes, copied) for local node
 * h->dst at h->due. */
void core_push_message(struct runtime *rt, const struct wire_header *h, const void *payload,
                       size_t len);
/* Timers behind node_set_timer / node_cancel_timer (s of reference time). */
void core_set_timer(struct runtime *rt, struct node_state *ns, int layer, int id, double due);
void core_cancel_timer(struct runtime *rt, struct node_state *ns, int layer, int id);

/* Reference time of the earliest pending event (+inf when none). */
double core_next_time(const struct runtime *rt);
/* Take the earliest event (0) or say there is none (-1). */
int core_pop(struct runtime *rt, struct vevent *e);
/* Do what event e says, at reference time rt->now (virtual time: e's time;
 * real time: the wall clock's, so lateness = rt->now - e's time is
 * recorded per node when core.lateness is set). */
void core_dispatch(struct runtime *rt, const struct vevent *e);
/* Apply the crashes and recoveries due at rt->now to node ns, and queue its
 * recovery. */
void core_apply_faults(struct runtime *rt, struct node_state *ns);
/* Put back an event taken with core_pop (an engine that chooses among
 * events due at one instant). */
void core_push_back(struct runtime *rt, const struct vevent *e);
/* Whether event e does something when dispatched now: 0 for a timer event
 * that was moved later or replaced (its dispatch only queues it again or
 * drops it), 1 for every other event. */
int core_event_acts(struct runtime *rt, const struct vevent *e);
/* Messages queued and not yet delivered, any local node. */
size_t core_messages(const struct runtime *rt);

#endif
