#include "roles.h"

#include "../config/units.h"

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <stdio.h>
#include <string.h>

int roles_ids(const char *mode, int n, unsigned long seed, int *ids, char *err, size_t len) {
    for (int i = 0; i < n; i++)
        ids[i] = i;
    if (strcmp(mode, "rank") == 0) return 0;
    if (strcmp(mode, "reverse") == 0) {
        for (int i = 0; i < n; i++)
            ids[i] = n - 1 - i;
        return 0;
    }
    if (strcmp(mode, "random") == 0) {
        gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
        gsl_rng_set(r, seed * 2654435761UL + 17);
        gsl_ran_shuffle(r, ids, (size_t)n, sizeof ids[0]);
        gsl_rng_free(r);
        return 0;
    }
    snprintf(err, len, "'%s' is not rank, reverse or random", mode);
    return -1;
}

int roles_initiators(const char *spec, int n, const int *ids, int *init, char *err, size_t len) {
    char buf[1024];
    trim_copy(spec, buf, sizeof buf);
    memset(init, 0, (size_t)n * sizeof init[0]);
    if (strcmp(buf, "none") == 0) return 0;
    if (strcmp(buf, "all") == 0) {
        for (int i = 0; i < n; i++)
            init[i] = 1;
        return 0;
    }
    if (strcmp(buf, "lowest") == 0 || strcmp(buf, "highest") == 0) {
        int best = 0;
        for (int i = 1; i < n; i++)
            if (buf[0] == 'l' ? ids[i] < ids[best] : ids[i] > ids[best]) best = i;
        init[best] = 1;
        return 0;
    }
    char *save = NULL;
    for (char *tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        long v;
        if (parse_int(tok, 0, n > 0 ? n - 1 : 0, &v, err, len)) {
            char why[256];
            snprintf(why, sizeof why, "%s", err);
            snprintf(err, len,
                     "initiator '%s': %s (lowest, highest, all, none or node indices "
                     "0..%d)",
                     tok, why, n - 1);
            return -1;
        }
        init[v] = 1;
    }
    return 0;
}

int roles_validate_ids(const char *mode, char *err, size_t len) {
    int ids[1];
    return roles_ids(mode, 1, 0, ids, err, len);
}

int roles_validate_initiators(const char *spec, char *err, size_t len) {
    int ids[1 << 12], init[1 << 12];
    for (int i = 0; i < (1 << 12); i++)
        ids[i] = i;
    return roles_initiators(spec, 1 << 12, ids, init, err, len);
}
