/* Offset estimators shared by the clock-synchronization algorithms. Pure
 * functions of clock readings in seconds; no MPI, no runtime. */
#ifndef CLOCKLAB_ESTIMATORS_H
#define CLOCKLAB_ESTIMATORS_H

#include <stddef.h>

/* Cristian (1989): a request leaves at local time t_send, the server answers
 * with its clock reading server_time, the reply arrives at local time t_recv.
 * Returns the estimated offset of the local clock from the server's at
 * t_recv, local - server = t_recv - (server_time + (t_recv - t_send)/2).
 * Its error is at most RTT/2 - d_min (d_min: minimum one-way delay). */
double cristian_offset(double t_send, double server_time, double t_recv);

/* NTP on-wire offset and delay (RFC 5905, section 8): t1 client send, t2
 * server receive, t3 server send, t4 client receive.
 * offset = ((t2 - t1) + (t3 - t4)) / 2 (server - client);
 * delay  = (t4 - t1) - (t3 - t2). */
double ntp_offset(double t1, double t2, double t3, double t4);
double ntp_delay(double t1, double t2, double t3, double t4);

/* Index of the smallest of n >= 1 values (first one on ties); the sample
 * selection of Cristian's method and of NTP's clock filter. */
size_t min_index(const double *values, size_t n);

/* Median of n >= 1 values (mean of the middle two for even n), via GSL. */
double median(const double *values, size_t n);

/* Fault-tolerant average of Gusella & Zatti (1989), in the form: the mean of
 * the values within `outlier` of their median. excluded[i] is set to 1 for
 * each value left out (may be NULL). Returns the average; n >= 1. */
double ft_average(const double *values, size_t n, double outlier, int *excluded);

/* Offset of the local clock from a remote one by ping-pong (Cristian 1989;
 * the offset measurement of SKaMPI, Reussner et al., "SKaMPI: a detailed,
 * accurate MPI benchmark", EuroPVM/MPI 1998, as mpi-time-sync implements it
 * for Hunold & Carpen-Amarie, IEEE Cluster 2018). In each exchange the local
 * clock reads t_send, the remote answers with its reading `remote`, the local
 * clock reads t_recv. The remote clock was read in between, so the offset
 * local - remote lies in [t_send - remote, t_recv - remote] (Cristian: its
 * middle is within RTT/2). The exchange with the smallest round-trip time
 * has the narrowest interval; SKaMPI intersects the intervals of all
 * exchanges, which is narrower still when the clocks do not drift apart
 * noticeably during the exchanges. */
struct pingpong {
    size_t n;      /* exchanges added */
    double rtt;    /* smallest round-trip time so far (s), INFINITY before any */
    double offset; /* local - remote of that exchange, the middle of its interval (s) */
    double time;   /* local time of that exchange, (t_send + t_recv) / 2 (s) */
    double lo, hi; /* the intersection of every exchange's interval (s) */
};
void pingpong_reset(struct pingpong *p);
void pingpong_add(struct pingpong *p, double t_send, double remote, double t_recv);
/* The offset local - remote: the middle of the intersection, off by at most
 * *bound = half its width (<= rtt / 2); when the intervals do not meet (the
 * clocks drifted apart, or readings are noisy) the min-RTT exchange's offset
 * with *bound = rtt / 2. NaN before any exchange. */
double pingpong_offset(const struct pingpong *p, double *bound);

/* Least-squares line y = intercept + slope * x through n points, by GSL's
 * gsl_fit_linear: the clock model of Jones & Koenig ("Clock synchronization
 * in high-end computing environments", J. Supercomputing 2013), x a node's
 * local times and y its offsets from a reference clock (s), slope in s/s.
 * *slope_se (may be NULL) is the slope's standard error sqrt(cov11), NaN for
 * n = 2. Returns 0, or -1 when n < 2 or every x is the same (no slope). */
int linear_fit(const double *x, const double *y, size_t n, double *intercept, double *slope,
               double *slope_se);

/* Worst-case errors of that line when each y_k is off by at most e_k (e.g.
 * half the RTT of a min-RTT offset): the fit is linear in y, so its value at
 * x0 is off by at most sum_k |h_k| e_k, h_k = 1/n + (x0 - mx)(x_k - mx)/Sxx,
 * and its slope by at most sum_k |x_k - mx| e_k / Sxx (mx the mean of x,
 * Sxx = sum_k (x_k - mx)^2). Same conditions as linear_fit; returns 0 or -1. */
int linear_fit_bounds(const double *x, const double *e, size_t n, double x0, double *value_bound,
                      double *slope_bound);

#endif
