/* The stop request and the progress lines of a run (run_control.c). */
#ifndef CLOCKLAB_RUN_CONTROL_H
#define CLOCKLAB_RUN_CONTROL_H

#include "runtime/node_state.h"

/* Rank 0, at `wall` s of wall time since the run started,
 * past rt->progress_next: print the reference time `reached` to stderr and
 * set the next one. */
void rt_progress(struct runtime *rt, double wall, double reached);

#endif
