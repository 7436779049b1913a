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

#endif
