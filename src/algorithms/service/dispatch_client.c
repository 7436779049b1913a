/* The client of dispatch.c: open- or closed-loop requests, deadlines,
 * retries, and the coordinator it sends to. */
#include "algorithms/service/dispatch_state.h"

#include <gsl/gsl_randist.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

void dispatch_client_arm_deadline(struct node *n, struct dispatch *s) {
    if (s->nout == 0) {
        node_cancel_timer(n, T_DEADLINE);
        return;
    }
    double first = s->out[0].deadline;
    for (size_t i = 1; i < s->nout; i++)
        if (s->out[i].deadline < first) first = s->out[i].deadline;
    node_set_timer_at(n, first, T_DEADLINE);
}

static int coordinator_of(const struct dispatch *s) {
    return s->elected ? s->coord_view : s->coordinator;
}

/* Send (again) to the coordinator this client knows; none known: wait. */
void dispatch_client_send_request(struct node *n, struct dispatch *s, struct pending *p) {
    int c = coordinator_of(s);
    p->deadline = node_local_time(n) + s->timeout;
    if (c < 0) return;
    struct req_msg r = {p->id, node_id(n), p->attempts++};
    p->sent_to = c;
    dispatch_post(n, s, c, REQUEST, &r, sizeof r);
}

void dispatch_client_maybe_done(struct node *n, struct dispatch *s) {
    if (s->requests > 0 && s->issued >= s->requests && s->nout == 0 && !s->finished) {
        s->finished = 1;
        node_done(n);
    }
}

/* Open loop: the arrival times form a Poisson process on the client's
 * clock (node_set_timer_at), so the lateness of one arrival does not delay
 * the next. Closed loop: think time after the reply. */
void dispatch_client_next_request_later(struct node *n, struct dispatch *s) {
    if (s->requests > 0 && s->issued >= s->requests) return;
    if (s->closed) {
        node_set_timer(n, dist_sample(&s->think, node_rng(n), node_id(n)), T_NEXT);
        return;
    }
    s->next_arrival += gsl_ran_exponential(node_rng(n), 1.0 / s->rate);
    node_set_timer_at(n, s->next_arrival, T_NEXT);
}

void dispatch_client_issue(struct node *n, struct dispatch *s) {
    if (s->nout == s->capout) {
        size_t cap = s->capout ? 2 * s->capout : 16;
        s->out = node_grow(s->out, cap, sizeof *s->out);
        s->capout = cap;
    }
    struct pending *p = &s->out[s->nout++];
    memset(p, 0, sizeof *p);
    p->id = ((uint64_t)(node_id(n) + 1) << 32) | ++s->seq;
    p->sent_to = -1;
    s->issued++;
    node_record_request(n, p->id, REQUEST_SENT, -1);
    dispatch_client_send_request(n, s, p);
    dispatch_client_arm_deadline(n, s);
}

/* The request ended: record its outcome and forget it. */
void dispatch_client_resolve(struct node *n, struct dispatch *s, size_t i, enum request_status st) {
    node_record_request_outcome(n, s->out[i].id, st, s->out[i].attempts);
    s->out[i] = s->out[--s->nout];
    dispatch_client_arm_deadline(n, s);
    if (s->closed) dispatch_client_next_request_later(n, s);
    dispatch_client_maybe_done(n, s);
}

size_t dispatch_client_find_pending(const struct dispatch *s, uint64_t id) {
    for (size_t i = 0; i < s->nout; i++)
        if (s->out[i].id == id) return i;
    return s->nout;
}

void dispatch_client_deadlines(struct node *n, struct dispatch *s) {
    double now = node_local_time(n);
    for (size_t i = 0; i < s->nout;) {
        struct pending *p = &s->out[i];
        if (p->deadline > now) {
            i++;
            continue;
        }
        if (++p->expiries > s->retries) {
            dispatch_client_resolve(n, s, i, REQUEST_TIMEOUT); /* moves the last one to i */
            continue;
        }
        dispatch_client_send_request(n, s, p);
        i++;
    }
    dispatch_client_arm_deadline(n, s);
}
