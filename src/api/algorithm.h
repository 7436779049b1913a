/* The interface every algorithm implements, and the registry of them.
 * An algorithm is a state machine driven by the runtime (api/node.h);
 * it never calls MPI or HDF5. Adding one is a new file and a registry line. */
#ifndef CLOCKLAB_ALGORITHM_H
#define CLOCKLAB_ALGORITHM_H

#include "api/node.h"
#include "config/config.h"

enum family {
    FAMILY_CLOCK_SYNC,
    FAMILY_LOGICAL_CLOCK,
    FAMILY_ELECTION,
    FAMILY_SERVICE,
    FAMILY_MUTEX
};

/* The HDF5 `family` attribute value: "clock_sync", "logical_clock", "election",
 * "service" (request routing), "mutual_exclusion". */
const char *family_name(enum family f);

/* What a run of an algorithm records that grows with its length or node
 * count, estimated from the configuration before the run starts, to refuse
 * runs whose recording would not fit in memory ([experiment] max_memory). */
struct record_estimate {
    double messages; /* messages sent by all nodes (events/ rows when trace = on) */
    double events;   /* events/table rows the algorithm records itself */
    double rounds;   /* clock/rounds rows */
    double timers;   /* timer firings of all nodes (each rank keeps their lateness) */
    double requests; /* requests/table rows (each also a few stage and queue rows) */
    double sections; /* mutex/sections rows */
    int vectors;     /* its events carry a vector clock (nodes u32 each) */
    double peers;    /* most nodes one node sends to (the channels it uses); 0: any */
    const char *key; /* key of its section that sets the rate (e.g. "period"), or NULL */
};

/* How often something happening every `period` seconds happens in `seconds`
 * (at the start and then every period), at most `limit` times when limit > 0. */
double algorithm_repeats(double seconds, double period, long limit);

/* For algorithms that assume reliable channels (tom, lamport_mutex): 0
 * when [network] loss is 0 or [network] reliable is on, else -1 with
 * "ORIGIN: [network] loss: NAME WHY; it needs loss = 0, or [network]
 * reliable = on" in err. */
int algorithm_needs_reliable_channels(const struct config *cfg, const char *name, const char *why,
                                      char *err, size_t errlen);

/* For algorithms that assume every message arrives and every node answers
 * (the HPC clock syncs, which wait for each reply): reliable channels as
 * above, and [faults] crash none, else -1 with "ORIGIN: [section] key:
 * NAME ..." in err. */
int algorithm_needs_reliable_network(const struct config *cfg, const char *name, char *err,
                                     size_t errlen);

struct algorithm {
    const char *name; /* "berkeley", "bully", ... */
    enum family family;
    const char *summary;              /* one line for --list */
    const char *const *message_types; /* NULL-terminated names */
    const struct param *params;       /* its [name] section; NULL-key-terminated */
    int min_nodes;                    /* smallest node count it runs on */
    int records_events;               /* writes its own events/table rows */
    int has_coordinator; /* elects or names a coordinator ([faults] crash = coordinator@T) */
    /* Allocate state for node n from the validated configuration. Returns 0,
     * or -1 with a message naming the key in err. Must decide the same on
     * every node for the same configuration, and a node count it accepts
     * must leave every larger count accepted (its node rules are "node i
     * exists", "at least k nodes"): a check configures each stack at the
     * smallest and largest node count of [experiment] nodes only
     * (plan_check_runs). */
    int (*configure)(struct node *n, const struct config *cfg, void **state, char *err,
                     size_t errlen);
    /* Callbacks; only on_message is required (configure too, above), the
     * others may be NULL. */
    void (*start)(struct node *n, void *state); /* optional: waits for messages */
    void (*on_message)(struct node *n, void *state, const struct message *m);
    void (*on_timer)(struct node *n, void *state, int timer_id); /* optional: sets no timers */
    void (*on_recover)(struct node *n, void *state);             /* optional: after a crash */
    void (*finish)(struct node *n, void *state); /* optional: final records, no sends */
    void (*destroy)(void *state);                /* optional: NULL frees state with free() */
    /* Optional: expected records of a run on `nodes` nodes lasting
     * `seconds`, in which `crashes` crash events happen, from the validated
     * configuration (NULL: records nothing that grows). */
    void (*estimate)(const struct config *cfg, int nodes, double seconds, int crashes,
                     struct record_estimate *out);
};

/* NULL-terminated table of every algorithm. */
extern const struct algorithm *const algorithm_registry[];

/* Look up by name, or NULL. */
const struct algorithm *algorithm_find(const char *name);

#endif
