/* NTP clock filter (RFC 5905, section 10) and the bookkeeping that keeps its
 * samples valid while the client adjusts its own clock. Pure functions of
 * clock readings in seconds; no MPI, no runtime (used by ntp.c).
 *
 * A sample is one on-wire exchange (RFC 5905, section 8): t1 client send,
 * t2 server receive, t3 server send, t4 client receive, giving the offset
 * theta = server - client and the round-trip delay delta (estimators.h).
 *
 * Why samples need correcting: the filter may choose a sample measured
 * several polls ago. If the client has adjusted its clock since then, the
 * sample's offset describes the clock as it was, not as it is: applying it
 * again would repeat corrections already made. So every sample remembers
 * the client's cumulative adjustment A when it was measured (at t4), and
 * its offset now is theta - (A_now - A_sample): a step of +x since the
 * sample moved the client x closer to (or past) the server, which removes
 * x from the offset still to be corrected.
 *
 * The same idea covers an adjustment during an exchange (a slew running
 * between t1 and t4): with u = t - A(t), the client's unadjusted clock, the
 * four timestamps (u1, t2, t3, u4) come from two free-running clocks, which
 * is what the on-wire formulas assume. */
#ifndef CLOCKLAB_CLOCK_FILTER_H
#define CLOCKLAB_CLOCK_FILTER_H

/* RFC 5905 NSTAGE: the filter keeps the last 8 samples. */
#define CLOCK_FILTER_STAGES 8

struct ntp_sample {
    double offset;   /* theta = server - client (s), for the client clock as adjusted at t4 */
    double delay;    /* delta, round-trip delay (s) */
    double adjusted; /* the client's cumulative adjustment when it read t4 (s) */
    long seq;        /* caller's sample number (poll number), strictly increasing */
};

/* A sample from the four timestamps (s) and the client's cumulative
 * adjustment when it read t1 (a1) and t4 (a4). With a1 == a4 this is
 * ntp_offset / ntp_delay of estimators.h. seq is left 0. */
struct ntp_sample ntp_sample_make(double t1, double a1, double t2, double t3, double t4, double a4);

/* The sample's offset for the client clock as it is now, after a cumulative
 * adjustment of a_now: offset - (a_now - adjusted). */
double ntp_sample_offset_now(const struct ntp_sample *s, double a_now);

struct clock_filter {
    struct ntp_sample stage[CLOCK_FILTER_STAGES]; /* ring buffer, oldest overwritten */
    int count, next;                              /* filled stages, next slot */
    long last_used;                               /* seq of the last sample used; -1 none */
};

/* Empty the filter (a new association: a new server). */
void clock_filter_reset(struct clock_filter *f);

/* Shift sample s in (discarding the oldest of 8) and choose the stage with
 * the smallest delay (the first among equal delays, estimators.h min_index).
 * RFC 5905: the chosen sample is used only when it is newer than the last
 * one used. Returns 1 and the sample in *chosen (marked used) when it is,
 * else 0 (nothing new to correct). s.seq must exceed every earlier seq. */
int clock_filter_add(struct clock_filter *f, const struct ntp_sample *s, struct ntp_sample *chosen);

/* The client's own record of its cumulative adjustment A as a function of
 * its own clock reading, for steps and slews of model/clock.h's model
 * (a slew of delta over span reference seconds changes the clock linearly;
 * a new adjustment cancels what a running slew has not applied yet). The
 * client cannot read reference time, so a slew is reckoned in local time:
 * while it runs the clock advances span + delta for span of reference time,
 * so A grows by delta * (L - L0) / (span + delta). Ignoring drift here errs
 * by at most |delta| * drift (0.5 us for 10 ms at 50 ppm). */
struct adjust_log {
    double settled; /* total of the finished (or cut-short) adjustments (s) */
    double start;   /* local time the current slew began */
    double delta;   /* its total (s), 0 = none */
    double lspan;   /* its length in local time, span + delta (s) */
};

void adjust_log_init(struct adjust_log *a);
/* Cumulative adjustment at local reading `local`, not earlier than the last
 * adjustment made. */
double adjust_log_at(const struct adjust_log *a, double local);
/* A step of delta made when the clock read `local`. */
void adjust_log_step(struct adjust_log *a, double local, double delta);
/* A slew of delta over span reference seconds begun when the clock read
 * `local`; needs span + delta > 0 (the clock keeps running forward). */
void adjust_log_slew(struct adjust_log *a, double local, double delta, double span);

#endif
