/* The registry of engines: one per value of [experiment] time (real,
 * virtual), each behind the interface the runtime drives (runtime/engine.h).
 * The program picks a run's engine here and hands it to the runtime in the
 * run's plan; the runtime never names an engine. */
#ifndef CLOCKLAB_ENGINES_H
#define CLOCKLAB_ENGINES_H

#include "config/config.h"
#include "runtime/engine.h"
#include "runtime/runtime.h"

#include <stddef.h>

/* The engine of an [experiment] time value, or NULL (the configuration
 * checks the value, so NULL means a value without an engine). */
const struct engine *engine_find(const char *name);
/* The engine that cfg's [experiment] time names, or NULL. */
const struct engine *engine_of(const struct config *cfg);
/* Whether cfg's engine is paced by the wall clock (real time), whose runs
 * have one node per rank unless [experiment] nodes says otherwise. */
int engine_paced(const struct config *cfg);
/* The rules of plan's engine for a run on `ranks` ranks, checked before
 * anything runs. Returns 0, or -1 with one message naming the key. */
int engine_check_ranks(const struct run_plan *plan, int ranks, char *err, size_t errlen);

#endif
