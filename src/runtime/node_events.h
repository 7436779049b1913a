/* What happens to a node, whichever engine drives it (node_events.c). */
#ifndef CLOCKLAB_NODE_EVENTS_H
#define CLOCKLAB_NODE_EVENTS_H

#include "runtime/node_state.h"

/* Hand a message to its layer on node ns (or drop it on a crashed node). */
void rt_deliver(struct node_state *ns, const struct wire_header *h, const void *payload,
                size_t len);
/* Hand a message that arrived (or its channel's copy, reliable.h) to its
 * algorithm: the Lamport clock, the trace and on_message. */
void rt_hand_over(struct node_state *ns, const struct wire_header *h, const void *payload,
                  size_t len);
/* Run timer (layer, id) of node ns. */
void rt_fire_timer(struct node_state *ns, int layer, int id);
/* Start the node's layers (first time), or restart them after a recovery. */
void rt_start_node(struct node_state *ns);
/* Crash node ns now (recovering at recover, or +inf). */
void rt_crash(struct node_state *ns, double recover);
/* Recover node ns now. */
void rt_recover(struct node_state *ns);
/* Apply due crash and recovery events to node ns at rt->now. Returns 1 if any. */
int rt_process_faults(struct node_state *ns);
/* Earliest pending crash or recovery of node ns (+inf when none). */
double rt_next_fault(const struct node_state *ns);

#endif
