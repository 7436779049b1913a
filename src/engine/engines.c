/* The registry of engines (engine.h). */
#include "engine/engine.h"

#include <string.h>

static const struct engine *const engines[] = {&engine_real, &engine_virtual, NULL};

const struct engine *engine_find(const char *name) {
    for (int i = 0; engines[i]; i++)
        if (strcmp(engines[i]->name, name) == 0) return engines[i];
    return NULL;
}
