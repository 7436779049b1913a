/* The helpers of the algorithm contract (algorithm.h) that every algorithm,
 * the runtime and the output may call: family names, repeat counts, the
 * shared refusal of loss and crashes. */
#include "api/algorithm.h"

#include <math.h>
#include <string.h>

const char *family_name(enum family f) {
    switch (f) {
    case FAMILY_CLOCK_SYNC:
        return "clock_sync";
    case FAMILY_LOGICAL_CLOCK:
        return "logical_clock";
    case FAMILY_ELECTION:
        return "election";
    case FAMILY_SERVICE:
        return "service";
    case FAMILY_MUTEX:
        return "mutual_exclusion";
    }
    return "unknown";
}

double algorithm_repeats(double seconds, double period, long limit) {
    double k = floor(seconds / period) + 1.0;
    return limit > 0 && k > (double)limit ? (double)limit : k;
}

int algorithm_needs_reliable_channels(const struct config *cfg, const char *name, const char *why,
                                      char *err, size_t errlen) {
    if (config_real(cfg, "network", "loss") > 0 && !config_bool(cfg, "network", "reliable"))
        return config_fail(cfg, "network", "loss", err, errlen,
                           "%s %s; it needs loss = 0, or [network] reliable = on", name, why);
    return 0;
}

int algorithm_needs_reliable_network(const struct config *cfg, const char *name, char *err,
                                     size_t errlen) {
    if (algorithm_needs_reliable_channels(cfg, name, "waits for every reply", err, errlen))
        return -1;
    const char *crash = config_get(cfg, "faults", "crash");
    if (strcmp(crash, "none") != 0 && crash[0] != '\0')
        return config_fail(cfg, "faults", "crash", err, errlen,
                           "%s waits for every node; it needs crash = none", name);
    return 0;
}
