#include "algorithms/clock_sync/clock_filter.h"

#include "model/estimators.h"

struct ntp_sample ntp_sample_make(double t1, double a1, double t2, double t3, double t4,
                                  double a4) {
    /* u = t - A(t): the readings the client's clock would have given unadjusted. */
    double u1 = t1 - a1, u4 = t4 - a4;
    struct ntp_sample s;
    s.offset = ntp_offset(u1, t2, t3, u4) - a4; /* server - unadjusted, minus A at t4 */
    s.delay = ntp_delay(u1, t2, t3, u4);
    s.adjusted = a4;
    s.seq = 0;
    return s;
}

double ntp_sample_offset_now(const struct ntp_sample *s, double a_now) {
    return s->offset - (a_now - s->adjusted);
}

void clock_filter_reset(struct clock_filter *f) {
    f->count = 0;
    f->next = 0;
    f->last_used = -1;
}

int clock_filter_add(struct clock_filter *f, const struct ntp_sample *s,
                     struct ntp_sample *chosen) {
    f->stage[f->next] = *s;
    f->next = (f->next + 1) % CLOCK_FILTER_STAGES;
    if (f->count < CLOCK_FILTER_STAGES) f->count++;
    double delays[CLOCK_FILTER_STAGES];
    int idx[CLOCK_FILTER_STAGES];
    /* Oldest first, so that min_index's first-on-ties picks the oldest of equals
     * and a tie never displaces a sample already used. */
    for (int k = 0; k < f->count; k++) {
        int i = (f->next - f->count + k + 2 * CLOCK_FILTER_STAGES) % CLOCK_FILTER_STAGES;
        delays[k] = f->stage[i].delay;
        idx[k] = i;
    }
    const struct ntp_sample *best = &f->stage[idx[min_index(delays, (size_t)f->count)]];
    if (best->seq <= f->last_used) return 0;
    f->last_used = best->seq;
    *chosen = *best;
    return 1;
}

void adjust_log_init(struct adjust_log *a) {
    a->settled = 0.0;
    a->start = 0.0;
    a->delta = 0.0;
    a->lspan = 0.0;
}

static double slew_applied(const struct adjust_log *a, double local) {
    if (a->delta == 0.0 || local <= a->start) return 0.0;
    if (local >= a->start + a->lspan) return a->delta;
    return a->delta * (local - a->start) / a->lspan;
}

double adjust_log_at(const struct adjust_log *a, double local) {
    return a->settled + slew_applied(a, local);
}

void adjust_log_slew(struct adjust_log *a, double local, double delta, double span) {
    a->settled += slew_applied(a, local); /* a running slew stops where it is */
    if (span <= 0.0) {
        a->settled += delta;
        a->delta = 0.0;
        return;
    }
    a->start = local;
    a->delta = delta;
    a->lspan = span + delta;
}

void adjust_log_step(struct adjust_log *a, double local, double delta) {
    adjust_log_slew(a, local, delta, 0.0);
}
