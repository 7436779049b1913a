#include "algorithms/mutex/cs_workload.h"

#include <math.h>
#include <stdio.h>

void cs_configure(struct node *n, struct cs_workload *w, const struct config *cfg,
                  const char *section, int request_timer, int exit_timer) {
    config_dist(cfg, section, "interval", &w->interval);
    config_dist(cfg, section, "hold", &w->hold);
    w->entries = config_int(cfg, section, "entries");
    w->request_timer = request_timer;
    w->exit_timer = exit_timer;
    node_use_tables(n, NODE_TABLE_SECTIONS);
}

void cs_next(struct node *n, struct cs_workload *w) {
    if (w->entries > 0 && w->completed >= w->entries) return;
    node_set_timer(n, dist_sample(&w->interval, node_rng(n), node_id(n)), w->request_timer);
}

void cs_request(struct node *n, struct cs_workload *w, uint64_t stamp) {
    w->wanting = 1;
    node_record_section(n, MUTEX_REQUEST, stamp);
}

void cs_enter(struct node *n, struct cs_workload *w, uint64_t stamp) {
    w->wanting = 0;
    w->inside = 1;
    node_record_section(n, MUTEX_ENTER, stamp);
    node_set_timer(n, dist_sample(&w->hold, node_rng(n), node_id(n)), w->exit_timer);
}

int cs_exit(struct node *n, struct cs_workload *w) {
    w->inside = 0;
    node_record_section(n, MUTEX_EXIT, MUTEX_STAMP_KEEP);
    w->completed++;
    if (w->entries > 0 && w->completed >= w->entries) {
        node_done(n);
        return 1;
    }
    return 0;
}

void cs_recover(struct node *n, struct cs_workload *w) {
    w->wanting = w->inside = 0;
    cs_next(n, w);
}

double cs_estimate(const struct config *cfg, const char *section, double seconds, int askers,
                   struct record_estimate *out) {
    double per = (double)config_int(cfg, section, "entries");
    out->key = "entries";
    if (per == 0) {
        struct dist interval, hold;
        config_dist(cfg, section, "interval", &interval);
        config_dist(cfg, section, "hold", &hold);
        double cycle = dist_smallest_mean(&interval) + dist_smallest_mean(&hold);
        per = seconds / fmax(cycle, CONFIG_MIN_PERIOD);
        out->key = "interval";
    }
    out->sections = per * askers;
    out->timers = 2.0 * out->sections;
    return out->sections;
}
