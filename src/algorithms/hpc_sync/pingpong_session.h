/* The ping-pong session that SKaMPI (skampi.c), Jones & Koenig (jk.c) and
 * HCA3 (hca.c) share: a node measures its clock against a peer's with
 * `pingpongs` PING/PONG exchanges back to back (Cristian's probe, each
 * bracketing the peer's clock between send and receive: estimators.h,
 * struct pingpong), and keeps fit points, the min-RTT exchange's offset
 * at its local time within RTT/2, for a least-squares line (Jones & Koenig,
 * J. Supercomputing 2013; Hunold & Carpen-Amarie, IEEE Cluster 2018). What
 * makes each algorithm itself (who measures against whom and when, what the
 * fit points become) stays in its file.
 *
 * Message payloads: PING {int32 seq}; PONG {int32 seq, double the peer's
 * clock}. A PONG of another exchange (a stale sequence number) is ignored. */
#ifndef CLOCKLAB_PINGPONG_SESSION_H
#define CLOCKLAB_PINGPONG_SESSION_H

#include "api/algorithm.h"
#include "model/estimators.h"

#define PINGPONG_MAX_FITPOINTS 100000

/* The parameter rows the three algorithms share (struct param initializers). */
#define PINGPONG_PARAM_REFERENCE                                                                   \
    {                                                                                              \
        .key = "reference", .type = PARAM_INT, .default_value = "0",                               \
        .help = "node index of the reference clock", .hi = 1 << 20                                 \
    }
#define PINGPONG_PARAM_PINGPONGS(dflt, text)                                                       \
    {                                                                                              \
        .key = "pingpongs", .type = PARAM_INT, .default_value = dflt, .help = text, .lo = 1,       \
        .hi = 100000                                                                               \
    }
#define PINGPONG_PARAM_FITPOINTS(lowest, text)                                                     \
    {                                                                                              \
        .key = "fitpoints", .type = PARAM_INT, .default_value = "20", .help = text, .lo = lowest,  \
        .hi = PINGPONG_MAX_FITPOINTS                                                               \
    }
#define PINGPONG_PARAM_INTERVAL(text)                                                              \
    {                                                                                              \
        .key = "interval", .type = PARAM_TIME, .default_value = "5ms", .help = text,               \
        .lo = CONFIG_MIN_PERIOD, .hi = 3600, .zero_ok = 1                                          \
    }

struct pingpong_session {
    int ping_type, pong_type; /* the algorithm's message types */
    int pingpongs;            /* exchanges per fit point */
    int peer;                 /* the node measured against */
    int seq;                  /* the exchange under way */
    double t_send;            /* the local clock when its PING left */
    struct pingpong point;    /* this fit point's exchanges */
    struct pingpong all;      /* every exchange since pingpong_session_begin */
    int fitpoints, points;    /* fit points wanted, kept */
    double *x, *y, *e;        /* fit points: local time, offset, error bound (s) */
};

/* Set up a session of `pingpongs` exchanges per fit point and room for
 * `fitpoints` fit points (0: none kept). Memory: node_alloc (ends the job
 * when out of memory). */
void pingpong_session_init(struct pingpong_session *p, int ping_type, int pong_type, int pingpongs,
                           int fitpoints);
void pingpong_session_free(struct pingpong_session *p);
/* Start measuring against node peer: no fit points, no exchanges yet. */
void pingpong_session_begin(struct pingpong_session *p, int peer);
/* Start the next fit point: its first PING to the peer. */
void pingpong_session_start_point(struct node *n, struct pingpong_session *p);
/* Handle a PING (answer it with this node's clock: any node is a peer) or a
 * PONG of this session's exchange (record it and send the next PING).
 * Returns 1 when that PONG completed the fit point's `pingpongs` exchanges,
 * else 0 (also for a PING, a stale PONG, or another type). */
int pingpong_session_on_message(struct node *n, struct pingpong_session *p,
                                const struct message *m);
/* Keep the completed fit point: the min-RTT exchange's local time, offset
 * and RTT/2 (Cristian's bound). */
void pingpong_session_keep_point(struct pingpong_session *p);
/* The least-squares line offset = *intercept + *slope x local time through
 * the fit points kept (estimators.h: linear_fit), with info->bound and
 * info->slope_bound its worst-case errors now (linear_fit_bounds). Returns
 * 0, or -1 when no line fits (fewer than 2 points, or no spread in time). */
int pingpong_session_fit(struct node *n, const struct pingpong_session *p, double *intercept,
                         double *slope, struct model_info *info);
/* The reference's own model: offset 0, slope 0, exact (clock/models). */
void pingpong_reference_model(struct node *n, int reference);

#endif
