/* The table of algorithms: one line per algorithm. */
#include "api/algorithm.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

extern const struct algorithm algorithm_cristian, algorithm_berkeley, algorithm_bully;
extern const struct algorithm algorithm_tom;
extern const struct algorithm algorithm_ntp;
extern const struct algorithm algorithm_lamport;
extern const struct algorithm algorithm_vector;
extern const struct algorithm algorithm_ring;
extern const struct algorithm algorithm_hs;
extern const struct algorithm algorithm_chatter;
extern const struct algorithm algorithm_phold;
extern const struct algorithm algorithm_dispatch;
extern const struct algorithm algorithm_mutex_central, algorithm_ricart_agrawala;
extern const struct algorithm algorithm_lamport_mutex, algorithm_token_ring;
extern const struct algorithm algorithm_suzuki_kasami;
extern const struct algorithm algorithm_skampi, algorithm_jk, algorithm_hca;

// clang-format off
const struct algorithm *const algorithm_registry[] = {
    &algorithm_cristian,
    &algorithm_berkeley,
    &algorithm_bully,
    &algorithm_tom,
    &algorithm_ntp,
    &algorithm_lamport,
    &algorithm_vector,
    &algorithm_ring,
    &algorithm_hs,
    &algorithm_chatter,
    &algorithm_phold,
    &algorithm_dispatch,
    &algorithm_mutex_central,
    &algorithm_ricart_agrawala,
    &algorithm_lamport_mutex,
    &algorithm_token_ring,
    &algorithm_suzuki_kasami,
    &algorithm_skampi,
    &algorithm_jk,
    &algorithm_hca,
    NULL,
};
// clang-format on

const struct algorithm *algorithm_find(const char *name) {
    for (size_t i = 0; algorithm_registry[i]; i++)
        if (strcmp(algorithm_registry[i]->name, name) == 0) return algorithm_registry[i];
    return NULL;
}

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

int algorithm_needs_reliable_network(const struct config *cfg, const char *name, char *err,
                                     size_t errlen) {
    if (config_real(cfg, "network", "loss") > 0)
        return config_fail(cfg, "network", "loss", err, errlen,
                           "%s waits for every reply; it needs loss = 0", name);
    const char *crash = config_get(cfg, "faults", "crash");
    if (strcmp(crash, "none") != 0 && crash[0] != '\0')
        return config_fail(cfg, "faults", "crash", err, errlen,
                           "%s waits for every node; it needs crash = none", name);
    return 0;
}
