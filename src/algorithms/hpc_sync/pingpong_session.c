#include "algorithms/hpc_sync/pingpong_session.h"

#include <math.h>
#include <stdlib.h>

struct ping {
    int32_t seq;
};

struct pong {
    int32_t seq;
    double time;
};

void pingpong_session_init(struct pingpong_session *p, int ping_type, int pong_type, int pingpongs,
                           int fitpoints) {
    p->ping_type = ping_type;
    p->pong_type = pong_type;
    p->pingpongs = pingpongs;
    p->fitpoints = fitpoints;
    p->points = 0;
    p->x = p->y = p->e = NULL;
    if (fitpoints > 0) {
        p->x = node_alloc((size_t)fitpoints, sizeof *p->x);
        p->y = node_alloc((size_t)fitpoints, sizeof *p->y);
        p->e = node_alloc((size_t)fitpoints, sizeof *p->e);
    }
    pingpong_reset(&p->point);
    pingpong_reset(&p->all);
}

void pingpong_session_free(struct pingpong_session *p) {
    free(p->x);
    free(p->y);
    free(p->e);
    p->x = p->y = p->e = NULL;
}

void pingpong_session_begin(struct pingpong_session *p, int peer) {
    p->peer = peer;
    p->points = 0;
    pingpong_reset(&p->all);
}

static void send_ping(struct node *n, struct pingpong_session *p) {
    struct ping ping = {p->seq};
    p->t_send = node_local_time(n);
    node_send(n, p->peer, p->ping_type, &ping, sizeof ping);
}

void pingpong_session_start_point(struct node *n, struct pingpong_session *p) {
    pingpong_reset(&p->point);
    p->seq = 0;
    send_ping(n, p);
}

int pingpong_session_on_message(struct node *n, struct pingpong_session *p,
                                const struct message *m) {
    if (m->type == p->ping_type) { /* answer with this node's clock */
        struct ping ping;
        node_payload(n, m, 0, &ping, sizeof ping);
        struct pong r = {ping.seq, 0.0};
        r.time = node_local_time(n);
        node_send(n, m->src, p->pong_type, &r, sizeof r);
        return 0;
    }
    if (m->type != p->pong_type) return 0;
    double t_recv = node_local_time(n);
    struct pong r;
    node_payload(n, m, 0, &r, sizeof r);
    if (r.seq != p->seq) return 0;
    pingpong_add(&p->point, p->t_send, r.time, t_recv);
    pingpong_add(&p->all, p->t_send, r.time, t_recv);
    if (++p->seq < p->pingpongs) {
        send_ping(n, p);
        return 0;
    }
    return 1;
}

void pingpong_session_keep_point(struct pingpong_session *p) {
    if (p->points >= p->fitpoints) return;
    p->x[p->points] = p->point.time;
    p->y[p->points] = p->point.offset;  /* the min-RTT exchange's: the offset at time x */
    p->e[p->points] = p->point.rtt / 2; /* Cristian's bound */
    p->points++;
}

int pingpong_session_fit(struct node *n, const struct pingpong_session *p, double *intercept,
                         double *slope, struct model_info *info) {
    size_t k = (size_t)p->points;
    if (linear_fit(p->x, p->y, k, intercept, slope, NULL) != 0) return -1;
    return linear_fit_bounds(p->x, p->e, k, node_local_time(n), &info->bound, &info->slope_bound);
}

void pingpong_reference_model(struct node *n, int reference) {
    struct model_info info = {
        .reference = reference, .points = 0, .rtt = NAN, .bound = 0.0, .slope_bound = 0.0};
    node_clock_model(n, 0.0, 0.0, &info);
}
