/* The retransmission timer of a reliable channel: the round-trip time
 * estimator and back-off of RFC 6298 ("Computing TCP's Retransmission
 * Timer", Paxson, Allman, Chu, Sargent 2011), with Karn's rule (Karn &
 * Partridge, SIGCOMM 1987) left to the caller: only a message sent once
 * gives a sample. Times in seconds. No MPI. */
#ifndef CLOCKLAB_RTO_H
#define CLOCKLAB_RTO_H

struct rto {
    double srtt, rttvar; /* smoothed RTT and its mean deviation (s); srtt < 0: no sample yet */
    double rto;          /* the current timeout (s) */
    double lo, hi;       /* its bounds (s): RFC 6298 2.4 and 2.5 */
};

/* A timer before any sample: rto = initial, clamped to [lo, hi]
 * (RFC 6298 2.1). Requires 0 < lo <= hi. */
void rto_init(struct rto *r, double initial, double lo, double hi);
/* A round-trip time sample r_s (s, >= 0) of a message sent once (Karn):
 * the first sets SRTT = R, RTTVAR = R/2; later ones RTTVAR = 3/4 RTTVAR +
 * 1/4 |SRTT - R|, then SRTT = 7/8 SRTT + 1/8 R (RFC 6298 2.2, 2.3). Then
 * RTO = SRTT + max(G, 4 RTTVAR), clamped to [lo, hi], with the clock
 * granularity G = g (s). This also ends a back-off (RFC 6298 5.7). */
void rto_sample(struct rto *r, double r_s, double g);
/* The timer expired: RTO = min(2 RTO, hi) (RFC 6298 5.5). */
void rto_backoff(struct rto *r);

#endif
