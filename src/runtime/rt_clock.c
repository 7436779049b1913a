/* See rt_clock.h. */
#include "runtime/rt_clock.h"

#include "runtime/hwclock.h"
#include "runtime/node_state.h"

/* The corrections at hardware time u = H - h0: corrected reading minus H. */
static double correction(const struct hw_clock *hw, double u) {
    return clock_offset(&hw->corr, u) - hw->h0;
}

double rt_clock_sample(struct node_state *ns) {
    return ns->hw ? hwclock_raw(ns->hw) : rt_now(ns->rt);
}

double rt_clock_reading(struct node_state *ns, double sample) {
    const struct runtime *rt = ns->rt;
    double v =
        ns->hw ? clock_read(&ns->hw->corr, sample - ns->hw->h0) : clock_read(&ns->clock, sample);
    if (rt->jitter.kind == DIST_CONSTANT || rt->jitter.kind == DIST_VALUES)
        v += dist_sample(&rt->jitter, NULL, ns->id);
    else
        v += dist_sample(&rt->jitter, rt_stream(ns, STREAM_JITTER), ns->id);
    return v;
}

double rt_clock_sample_truth(const struct node_state *ns, double sample) {
    if (!ns->hw) return clock_offset(&ns->clock, sample);
    return ns->hw->raw_offset + correction(ns->hw, sample - ns->hw->h0);
}

double rt_clock_read(struct node_state *ns, double *true_offset) {
    double sample = rt_clock_sample(ns);
    double v = rt_clock_reading(ns, sample);
    if (true_offset) *true_offset = rt_clock_sample_truth(ns, sample);
    return v;
}

double rt_clock_exact(struct node_state *ns, double t) {
    if (!ns->hw) return clock_read(&ns->clock, t);
    return clock_read(&ns->hw->corr, hwclock_raw(ns->hw) - ns->hw->h0);
}

double rt_clock_true_offset(const struct node_state *ns, double t) {
    if (!ns->hw) return clock_offset(&ns->clock, t);
    const struct hw_clock *hw = ns->hw;
    /* H(t) = t + raw_offset on rank 0's host; NaN propagates elsewhere. */
    return hw->raw_offset + correction(hw, t + hw->raw_offset - hw->h0);
}

/* The key of an adjustment made now: reference time, or hardware time. */
static double adjustment_time(const struct node_state *ns, double t) {
    return ns->hw ? hwclock_raw(ns->hw) - ns->hw->h0 : t;
}

void rt_clock_adjust(struct node_state *ns, double t, double delta, double span) {
    struct sim_clock *c = ns->hw ? &ns->hw->corr : &ns->clock;
    if (clock_slew(c, adjustment_time(ns, t), delta, span)) rt_out_of_memory();
}

void rt_clock_set_model(struct node_state *ns, double t, double intercept, double slope) {
    struct sim_clock *c = ns->hw ? &ns->hw->corr : &ns->clock;
    if (clock_set_model(c, adjustment_time(ns, t), intercept, slope)) rt_out_of_memory();
}
