/* The real-time engine's MPI transport between ranks (transport.c). */
#ifndef CLOCKLAB_TRANSPORT_H
#define CLOCKLAB_TRANSPORT_H

#include "runtime/node_state.h"

/* real_engine.c + transport.c: the real-time engine (event_core.h paced by
 * the wall clock, MPI between ranks) */
void transport_start(struct runtime *rt); /* post the receives (after wake_init) */
/* A stamped message to a node of another rank, at once. */
void transport_send(struct runtime *rt, const struct wire_header *h, const void *payload,
                    size_t len);
void transport_send_control(struct runtime *rt, int dst, int type);
/* Ring the doorbells of the ranks sent to since the last flush. */
void transport_flush(struct runtime *rt);
int transport_receive(struct runtime *rt, int max_messages); /* > 0: messages taken */
int transport_arrived(struct runtime *rt);                   /* a message waits to be taken */
void transport_progress(struct runtime *rt);
void transport_drain(struct runtime *rt);
void transport_free(struct runtime *rt);

#endif
