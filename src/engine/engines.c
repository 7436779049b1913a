/* See engines.h. */
#include "engine/engines.h"

#include "engine/explore/explore.h"

#include <string.h>

static const struct engine *const engines[] = {&engine_real, &engine_virtual, &engine_explore,
                                               NULL};

const struct engine *engine_find(const char *name) {
    for (int i = 0; engines[i]; i++)
        if (strcmp(engines[i]->name, name) == 0) return engines[i];
    return NULL;
}

const struct engine *engine_of(const struct config *cfg) {
    return engine_find(config_get(cfg, "experiment", "time"));
}

int engine_paced(const struct config *cfg) {
    const struct engine *e = engine_of(cfg);
    return e && e->paced;
}

int engine_check_ranks(const struct run_plan *plan, int ranks, char *err, size_t n) {
    return plan->engine ? plan->engine->check(plan, ranks, err, n) : 0;
}
