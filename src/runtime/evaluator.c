/* See evaluator.h. */
#include "evaluator.h"

#include "../algorithms/estimators.h"
#include "../config/units.h"
#include "hwclock.h"
#include "runtime_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define TAG_EVAL 7003
#define QUOTE_MAX 60
#define LONGEST_NAP 0.1 /* s: a sleeping rank looks at the stop request this often */

int evaluation_parse_at(const char *text, double *out, int *n, char *err, size_t errlen) {
    *n = 0;
    char *all = trim_dup(text, strlen(text));
    if (!all) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    int rc = 0;
    if (strcmp(all, "none") == 0) goto done;
    for (const char *p = all;;) {
        const char *comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);
        char *item = trim_dup(p, len);
        double v = 0;
        if (!item) {
            snprintf(err, errlen, "out of memory");
            rc = -1;
        } else if (item[0] == '\0') {
            snprintf(err, errlen, "an empty delay in the list (none, or delays such as 0s, 1s)");
            rc = -1;
        } else if (*n == EVAL_MAX_AT) {
            snprintf(err, errlen, "at most %d delays", EVAL_MAX_AT);
            rc = -1;
        } else if (parse_time(item, &v, err, errlen) == 0) {
            char q[QUOTE_MAX + 8];
            quote_text(item, QUOTE_MAX, q, sizeof q);
            if (v < 0 || v > EVAL_MAX_DELAY) {
                snprintf(err, errlen, "%s: a delay is between 0 and %.0fs", q, EVAL_MAX_DELAY);
                rc = -1;
            } else if (*n > 0 && v < out[*n - 1]) {
                snprintf(err, errlen, "%s: delays go in increasing order", q);
                rc = -1;
            } else {
                out[(*n)++] = v;
            }
        } else {
            rc = -1;
        }
        free(item);
        if (rc || !comma) break;
        p = comma + 1;
    }
done:
    free(all);
    if (rc) *n = 0;
    return rc;
}

int evaluation_validate_at(const char *text, char *err, size_t errlen) {
    double at[EVAL_MAX_AT];
    int n;
    return evaluation_parse_at(text, at, &n, err, errlen);
}

enum { PING, END };

struct ping {
    int32_t kind, last;
};

struct pong {
    double reading, true_offset;
};

/* Rank 0: sleep until reference time `until`. Returns 1 on a stop request. */
static int sleep_until(struct runtime *rt, double until) {
    for (;;) {
        if (runtime_stop_signal()) return 1;
        double left = until - rt_clock_now(rt);
        if (left <= 0) return 0;
        if (left > LONGEST_NAP) left = LONGEST_NAP;
        struct timespec ts = {(time_t)left, (long)((left - floor(left)) * 1e9)};
        nanosleep(&ts, NULL);
    }
}

/* A rank other than 0: sleep until rank 0's next message is there, and
 * take it. (A posted receive and MPI_Test, not MPI_Iprobe: Open MPI's
 * iprobe makes progress only after looking, so it misses a message that
 * has just come in, and the rank would sleep on.) */
static void wait_for_rank0(struct runtime *rt, struct ping *p) {
    MPI_Request req;
    MPI_Irecv(p, sizeof *p, MPI_BYTE, 0, TAG_EVAL, rt->comm, &req);
    for (;;) {
        uint32_t seen = wake_prepare(&rt->wake);
        int done = 0;
        MPI_Test(&req, &done, MPI_STATUS_IGNORE);
        if (done) {
            wake_cancel(&rt->wake);
            return;
        }
        wake_wait(&rt->wake, seen, fmin(wake_max_sleep(&rt->wake), LONGEST_NAP));
    }
}

static void send_to(struct runtime *rt, int dst, int kind, int last, int wake) {
    struct ping p = {kind, last};
    MPI_Send(&p, sizeof p, MPI_BYTE, dst, TAG_EVAL, rt->comm);
    if (wake) {
        wake_notify(&rt->wake, dst);
        wake_flush(&rt->wake);
    }
}

/* Rank 0: measure rank i's clock against its own. */
static void measure(struct runtime *rt, int i, int pingpongs, struct eval_row *row) {
    struct pingpong m;
    pingpong_reset(&m);
    double time = NAN, truth = NAN;
    for (int k = 0; k < pingpongs; k++) {
        double t = rt_clock_now(rt), mine1, mine2;
        double s1 = rt_clock_read(rt, &mine1);
        send_to(rt, i, PING, k == pingpongs - 1, k == 0);
        struct pong reply;
        MPI_Recv(&reply, sizeof reply, MPI_BYTE, i, TAG_EVAL, rt->comm, MPI_STATUS_IGNORE);
        double s2 = rt_clock_read(rt, &mine2);
        double best = m.rtt;
        pingpong_add(&m, s1, reply.reading, s2);
        if (m.rtt < best) {
            time = t;
            truth = reply.true_offset - 0.5 * (mine1 + mine2);
        }
    }
    /* The min-RTT exchange's offset is local - remote: rank 0's clock minus rank i's. */
    *row = (struct eval_row){i, pingpongs, 0.0, time, -m.offset, m.rtt, truth};
}

/* A rank other than 0: answer rank 0's ping-pongs until it says END. */
static void serve(struct runtime *rt) {
    for (;;) {
        struct ping p;
        wait_for_rank0(rt, &p);
        for (;;) {
            if (p.kind == END) return;
            struct pong reply;
            reply.reading = rt_clock_read(rt, &reply.true_offset);
            MPI_Send(&reply, sizeof reply, MPI_BYTE, 0, TAG_EVAL, rt->comm);
            if (p.last) break;
            MPI_Recv(&p, sizeof p, MPI_BYTE, 0, TAG_EVAL, rt->comm, MPI_STATUS_IGNORE);
        }
    }
}

int evaluator_run(struct runtime *rt, double end_time, const double *at, int nat, int pingpongs,
                  struct vec *rows) {
    if (nat == 0 || rt->size < 2) return 0;
    if (rt->rank != 0) {
        serve(rt);
        return 0;
    }
    int stopped = 0;
    for (int k = 0; k < nat && !stopped; k++) {
        stopped = sleep_until(rt, end_time + at[k]);
        for (int i = 1; i < rt->size && !stopped; i++) {
            struct eval_row row;
            measure(rt, i, pingpongs, &row);
            row.at = at[k];
            if (vec_push(rows, &row)) rt_out_of_memory();
        }
    }
    for (int i = 1; i < rt->size; i++)
        send_to(rt, i, END, 1, 1);
    return stopped;
}
