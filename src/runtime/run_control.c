/* The stop request of a run (a signal) and its progress lines: what the
 * event loops look at while they run. Calls nothing else of clocklab. */
#include "runtime/run_control.h"

#include "runtime/node_state.h"

#include <signal.h>
#include <stdio.h>

static volatile sig_atomic_t stop_signal = 0;

void rt_progress(struct runtime *rt, double wall, double reached) {
    if (rt->duration > 0)
        fprintf(stderr, "clocklab: %s: reference time %.2f s of %g s\n", rt->progress_label,
                reached, rt->duration);
    else
        fprintf(stderr,
                "clocklab: %s: reference time %.2f s (until every node is done, at most %g s)\n",
                rt->progress_label, reached, rt->timeout);
    fflush(stderr);
    while (rt->progress_next <= wall)
        rt->progress_next += rt->progress_every;
}

void runtime_request_stop(int signo) {
    stop_signal = signo;
}
int runtime_stop_signal(void) {
    return stop_signal;
}
