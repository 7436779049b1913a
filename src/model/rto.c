/* RFC 6298's retransmission timer (rto.h). */
#include "model/rto.h"

#include <math.h>

static double clamp(double x, double lo, double hi) {
    return x < lo ? lo : x > hi ? hi : x;
}

void rto_init(struct rto *r, double initial, double lo, double hi) {
    r->srtt = -1;
    r->rttvar = 0;
    r->lo = lo;
    r->hi = hi;
    r->rto = clamp(initial, lo, hi);
}

void rto_sample(struct rto *r, double r_s, double g) {
    if (r->srtt < 0) {
        r->srtt = r_s;
        r->rttvar = r_s / 2;
    } else {
        r->rttvar = 0.75 * r->rttvar + 0.25 * fabs(r->srtt - r_s);
        r->srtt = 0.875 * r->srtt + 0.125 * r_s;
    }
    r->rto = clamp(r->srtt + fmax(g, 4 * r->rttvar), r->lo, r->hi);
}

void rto_backoff(struct rto *r) {
    r->rto = fmin(2 * r->rto, r->hi);
}
