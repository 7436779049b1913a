/* The events/table rows of a rank's nodes: every send, receive and
 * algorithm event, with the node's clock reading and the reference time. */
#include "runtime/trace.h"
#include "runtime/rt_clock.h"

#include "runtime/node_state.h"

void rt_record_event(struct node_state *ns, enum event_kind kind, int peer, int global_type,
                     uint64_t msg, uint64_t lamport, double due, const uint32_t *vector) {
    double t = rt_now(ns->rt);
    struct event_row row = {ns->id, ns->event_seq++, (int32_t)kind,         peer, global_type,
                            msg,    lamport,         rt_clock_exact(ns, t), t,    due};
    /* The rows of all of a rank's nodes go to one table (sequential
     * writes); it is put in node order before the gather. */
    if (rec_event(&ns->rt->events, &row, vector)) rt_out_of_memory();
}

void rt_trace(struct node_state *ns, enum event_kind kind, int peer, int type, uint64_t msg,
              uint64_t lamport, double due) {
    rt_record_event(ns, kind, peer, type, msg, lamport, due, NULL);
}
