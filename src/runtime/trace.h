/* The events/table rows of a rank's nodes (trace.c). */
#ifndef CLOCKLAB_TRACE_H
#define CLOCKLAB_TRACE_H

#include "runtime/node_state.h"

/* An events/table row of node ns now (global message type or -1,
 * due time or NaN, vector: the node's vector clock or NULL) */
void rt_record_event(struct node_state *ns, enum event_kind kind, int peer, int global_type,
                     uint64_t msg, uint64_t lamport, double due, const uint32_t *vector);
/* The row of a traced send or receive (global type, runtime Lamport time). */
void rt_trace(struct node_state *ns, enum event_kind kind, int peer, int type, uint64_t msg,
              uint64_t lamport, double due);

#endif
