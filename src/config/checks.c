/* Checks of configured values that every section shares: the one form of
 * an error about a key, node indices, and parameters that need a run with
 * a duration. See config.h. */
#include "config/config.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int config_fail(const struct config *cfg, const char *section, const char *key, char *err, size_t n,
                const char *fmt, ...) {
    char why[CONFIG_ERR_LEN];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, sizeof why, fmt, ap);
    va_end(ap);
    snprintf(err, n, "%s: [%s] %s: %s", config_origin(cfg, section, key), section, key, why);
    return -1;
}

int config_check_node(const struct config *cfg, const char *section, const char *key, int nodes,
                      char *err, size_t n) {
    long node = config_int(cfg, section, key);
    if (node < nodes) return 0;
    return config_fail(cfg, section, key, err, n,
                       "node %ld does not exist in a %d-node run (nodes 0..%d)", node, nodes,
                       nodes - 1);
}

int config_check_duration(const struct config *cfg, const char *section, char *err, size_t n) {
    const struct section_schema *s = config_section(cfg, section);
    if (!s || config_time(cfg, "experiment", "duration") > 0) return 0;
    for (const struct param *p = s->params; p && p->key; p++) {
        if (p->needs_duration == NEEDS_DURATION_NEVER) continue;
        int zero = p->type == PARAM_INT ? config_int(cfg, section, p->key) == 0
                                        : config_time(cfg, section, p->key) == 0;
        int never_ends = p->needs_duration == NEEDS_DURATION_AT_ZERO ? zero : !zero;
        if (!never_ends) continue;
        /* a key left at its default: name the duration, which the user gave */
        if (!strcmp(config_origin(cfg, section, p->key), "default"))
            return config_fail(cfg, "experiment", "duration", err, n,
                               "0 (until every node is done) never ends with [%s] %s = %s "
                               "(its default): set [%s] %s%s, or a duration",
                               section, p->key, config_get(cfg, section, p->key), section, p->key,
                               zero ? " > 0" : " = 0");
        if (p->needs_duration == NEEDS_DURATION_AT_ZERO)
            return config_fail(cfg, section, p->key, err, n,
                               "0 = until the run ends: must be > 0 when [experiment] "
                               "duration = 0");
        return config_fail(cfg, section, p->key, err, n,
                           "a nonzero value never ends: needs [experiment] duration > 0 "
                           "(or 0 here)");
    }
    return 0;
}
