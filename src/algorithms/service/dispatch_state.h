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

/* dispatch_server.c (the server of Coulouris et al. 2.3.2's front end: a
 * FIFO queue and `workers` workers; van Steen & Tanenbaum 3.4) */
/* Record requests/queue after a change of this server's queue. */
void dispatch_server_record_queue(struct node *n, struct dispatch *s);
/* A DISPATCH r from coordinator src: accept it once per id (queue, or start
 * at once on a free worker), answer a served id's repeat with its REPLY,
 * drop it from a coordinator other than the fence. */
void dispatch_server_dispatch(struct node *n, struct dispatch *s, int src, const struct req_msg *r);
/* Worker w finished its request: REPLY to the client, DONE to the
 * coordinator, next queued request to w. */
void dispatch_server_service_done(struct node *n, struct dispatch *s, int w);
/* The ids this server holds or served, for a new coordinator src (SYNC_REPLY). */
void dispatch_server_sync(struct node *n, struct dispatch *s, int src);

/* dispatch_coordinator.c */
/* A REQUEST r: to the server that had its id before, else to one chosen by
 * the policy; held while a repeat may be at a server not heard from yet, or
 * while no server is eligible but one may answer; FAIL with NO_SERVER when
 * none can take it. */
void dispatch_coordinator_request(struct node *n, struct dispatch *s, const struct req_msg *r);
/* Dispatch the requests held until the servers answered SYNC. */
void dispatch_coordinator_release_held(struct node *n, struct dispatch *s);
/* SYNC to every server that has not answered yet. */
void dispatch_coordinator_send_syncs(struct node *n, struct dispatch *s);
/* Start coordinating: learn what the servers hold (unless nothing can exist
 * yet: fresh = at the start of the run), then ANNOUNCE to the clients. */
void dispatch_coordinator_become(struct node *n, struct dispatch *s, int fresh);
/* Server src's SYNC_REPLY m: its ids become assigned to it. */
void dispatch_coordinator_sync_reply(struct node *n, struct dispatch *s, int src,
                                     const struct message *m);
/* With an election below: follow the coordinator it names. */
void dispatch_coordinator_check_leader(struct node *n, struct dispatch *s);

/* dispatch_client.c (open loop: Poisson arrivals at `rate`; closed loop:
 * `think` after each reply) */
/* Set the deadline timer to the earliest unanswered request's (`timeout`). */
void dispatch_client_arm_deadline(struct node *n, struct dispatch *s);
/* Send (again) to the coordinator this client knows; none known: wait. */
void dispatch_client_send_request(struct node *n, struct dispatch *s, struct pending *p);
/* node_done once a limited run's `requests` are all issued and answered. */
void dispatch_client_maybe_done(struct node *n, struct dispatch *s);
/* Schedule the next request (open loop: the next Poisson arrival on the
 * client's clock; closed loop: think time after the reply). */
void dispatch_client_next_request_later(struct node *n, struct dispatch *s);
/* Issue a new request now. */
void dispatch_client_issue(struct node *n, struct dispatch *s);
/* Request i ended with status st: record its outcome and forget it. */
void dispatch_client_resolve(struct node *n, struct dispatch *s, size_t i, enum request_status st);
/* Index of the unanswered request id in s->out, or s->nout when none. */
size_t dispatch_client_find_pending(const struct dispatch *s, uint64_t id);
/* Resend the requests past their deadline, or fail them with TIMEOUT after
 * `retries` resends. */
void dispatch_client_deadlines(struct node *n, struct dispatch *s);

#endif
