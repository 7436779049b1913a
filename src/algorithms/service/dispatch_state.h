/* The parts of the request-routing algorithm (dispatch.c) that its server
 * (dispatch_server.c), coordinator (dispatch_coordinator.c) and client
 * (dispatch_client.c) share: message types, timers, the node's state
 * (struct dispatch), sending (dispatch_state.c) and the calls into the
 * parts. See dispatch.c for the algorithm. */
#ifndef CLOCKLAB_DISPATCH_STATE_H
#define CLOCKLAB_DISPATCH_STATE_H

#include "algorithms/service/idmap.h"
#include "api/algorithm.h"
#include "model/distribution.h"

#include <stddef.h>
#include <stdint.h>

enum { REQUEST, DISPATCH, REPLY, DONE, FAIL, SYNC, SYNC_REPLY, ANNOUNCE };

#define MAX_WORKERS 16
enum { T_WORKER = 0, T_NEXT = MAX_WORKERS, T_DEADLINE, T_POLL, T_SYNC };
enum { ROUND_ROBIN, RANDOM, LEAST_LOADED, TWO_CHOICES };
enum { HELD = 1, FINISHED = 2, LOST = 3 }; /* a server's record of an accepted id */

struct req_msg { /* REQUEST, DISPATCH, REPLY, DONE, FAIL */
    uint64_t id;
    int32_t client, attempt;
};

struct sync_hdr { /* SYNC_REPLY: header, then count ids */
    int32_t in_system, count;
};

struct pending { /* a client's unanswered request */
    uint64_t id;
    int attempts, expiries, sent_to;
    double deadline; /* local time */
};

struct job {
    uint64_t id;
    int32_t client;
};

struct dispatch {
    /* dispatch.c's on_message: a post to this node itself is delivered at once */
    void (*deliver)(struct node *n, void *state, const struct message *m);
    /* configuration */
    int coordinator, elected, policy, workers, closed, retries;
    long requests;
    double rate, timeout, poll;
    struct dist service, think;
    int *is_server, *is_client, *servers, nservers;
    /* client */
    uint64_t seq;
    long issued;
    struct pending *out;
    size_t nout, capout;
    int coord_view;      /* the coordinator this client sends to (-1 none) */
    int finished;        /* node_done called */
    double next_arrival; /* open loop: local time of the next arrival */
    /* coordinator */
    int coordinating, settled; /* settled: every server answered SYNC, or timeout passed */
    struct idmap assigned;     /* id -> server */
    int *load, *synced;        /* [N] */
    int rr;
    struct req_msg *held; /* requests waiting for the servers' SYNC_REPLY */
    size_t nheld, capheld;
    /* server */
    int fence; /* the coordinator whose DISPATCH this server accepts (-1 none) */
    struct idmap accepted;
    struct job *queue; /* FIFO ring */
    size_t qhead, qlen, qcap;
    struct job busy[MAX_WORKERS];
    int nbusy;
};

/* dispatch_state.c: deliver to dst, a message, or a direct call of s->deliver
 * when dst is this node */
void dispatch_post(struct node *n, struct dispatch *s, int dst, int type, const void *p,
                   size_t len);

/* dispatch_server.c */
void dispatch_server_record_queue(struct node *n, struct dispatch *s);
void dispatch_server_dispatch(struct node *n, struct dispatch *s, int src, const struct req_msg *r);
void dispatch_server_service_done(struct node *n, struct dispatch *s, int w);
void dispatch_server_sync(struct node *n, struct dispatch *s, int src);

/* dispatch_coordinator.c */
void dispatch_coordinator_request(struct node *n, struct dispatch *s, const struct req_msg *r);
void dispatch_coordinator_release_held(struct node *n, struct dispatch *s);
void dispatch_coordinator_send_syncs(struct node *n, struct dispatch *s);
void dispatch_coordinator_become(struct node *n, struct dispatch *s, int fresh);
void dispatch_coordinator_sync_reply(struct node *n, struct dispatch *s, int src,
                                     const struct message *m);
void dispatch_coordinator_check_leader(struct node *n, struct dispatch *s);

/* dispatch_client.c */
void dispatch_client_arm_deadline(struct node *n, struct dispatch *s);
void dispatch_client_send_request(struct node *n, struct dispatch *s, struct pending *p);
void dispatch_client_maybe_done(struct node *n, struct dispatch *s);
void dispatch_client_next_request_later(struct node *n, struct dispatch *s);
void dispatch_client_issue(struct node *n, struct dispatch *s);
void dispatch_client_resolve(struct node *n, struct dispatch *s, size_t i, enum request_status st);
size_t dispatch_client_find_pending(const struct dispatch *s, uint64_t id);
void dispatch_client_deadlines(struct node *n, struct dispatch *s);

#endif
