/* The interface of the engines behind the node API, one per value of
 * [experiment] time, in one registry (engine/engines.c). Both run the event
 * core (event_core.h) and differ in pacing and transport:
 *   real     engine/real/: the wall clock paces the events; messages
 *            between ranks go over MPI at once (woken by wake.h);
 *   virtual  engine/virtual/: the next event is taken at once; messages
 *            between ranks move in YAWNS windows.
 * The runtime calls an engine only through this struct, which the run's
 * plan carries (struct run_plan's engine). */
#ifndef CLOCKLAB_ENGINE_H
#define CLOCKLAB_ENGINE_H

#include <stddef.h>

struct runtime;
struct node_state;
struct wire_header;
struct run_plan;

struct engine {
    const char *name; /* its [experiment] time value */
    int paced;        /* 1: the wall clock paces it (real time) */
    int explores;     /* 1: runs the configuration many times over (no checkpoints) */
    /* Before anything runs (every rank decides the same): the rules this
     * engine has for a run of plan on `ranks` ranks. Returns 0, or -1 with
     * one message naming the key (config_fail). */
    int (*check)(const struct run_plan *plan, int ranks, char *err, size_t n);
    /* After the nodes are set up: queues and records. Returns 0 or -1 (no memory). */
    int (*init)(struct runtime *rt);
    /* Collective: run to the end (duration, termination, timeout or a stop
     * request); *cpu: this rank's CPU time in the run (s), 0 if not measured. */
    void (*run)(struct runtime *rt, double *cpu);
    void (*free)(struct runtime *rt);
    /* Reference time now (s). */
    double (*now)(struct runtime *rt);
    /* Hand a stamped message (header h, payload) from node src to node h->dst. */
    void (*send)(struct runtime *rt, struct node_state *src, const struct wire_header *h,
                 const void *payload, size_t len);
    /* Fire timer (layer, id) of node ns at reference time due; setting it again replaces it. */
    void (*set_timer)(struct runtime *rt, struct node_state *ns, int layer, int id, double due);
    void (*cancel_timer)(struct runtime *rt, struct node_state *ns, int layer, int id);
    /* Optional (NULL: drawn from [network] delay and loss): the due time
     * (s) of a message node src sends to dst now, given the earliest its
     * delay allows (now + [network] min_delay) and the due time of the
     * channel's previous message (FIFO: never before it; -inf: none); and
     * whether the network loses it (1) or not (0). */
    double (*due)(struct runtime *rt, struct node_state *src, int dst, double base, double last);
    int (*lost)(struct runtime *rt, struct node_state *src, int dst);
};

extern const struct engine engine_real, engine_virtual;

#endif
