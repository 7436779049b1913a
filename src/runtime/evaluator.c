/* See evaluator.h. */
#define _GNU_SOURCE /* sched_getcpu, sched_setaffinity */
#include "runtime/evaluator.h"

#include "config/config.h"
#include "model/estimators.h"
#include "runtime/hwclock.h"
#include "runtime/node_state.h"
#include "runtime/rt_clock.h"

#include <math.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define LONGEST_NAP 0.1 /* s: a sleeping rank looks at the stop request this often */

int evaluator_check(const struct config *cfg, int virtual_time, char *err, size_t errlen) {
    double at[EVAL_MAX_AT];
    int n = 0;
    if (evaluation_parse_at(config_get(cfg, "evaluation", "at"), at, &n, err, errlen)) return -1;
    if (n > 0 && virtual_time)
        return config_fail(cfg, "evaluation", "at", err, errlen,
                           "the evaluator measures clocks by ping-pong in real time "
                           "([experiment] time = real)");
    return 0;
}

enum { PAIR, END };

/* Rank 0 to the measured rank: a pair begins (or the evaluation ends). */
struct start {
    int32_t kind, cpu, pingpongs, shared; /* cpu: rank 0's; shared: use the slots */
    uint32_t seq;                         /* the pair's exchanges are seq+1 .. seq+pingpongs */
};

struct pong {
    double reading, true_offset;
};

/* On one host the ping-pongs go through shared memory, one slot per rank:
 * rank 0 writes the exchange's number into the measured rank's `ping`, that
 * rank reads its clock, fills in the reply and writes the number into
 * `pong`. Polling MPI would not do: when ranks outnumber CPUs Open MPI
 * yields the CPU in every poll that finds nothing (mpi_yield_when_idle),
 * and a message that comes in during that system call waits a random part
 * of it, a few hundred nanoseconds of noise in each direction. */
struct slot {
    double reading, true_offset;
    _Atomic uint32_t ping, pong, told; /* told: true_offset is there */
    char pad[64 - 2 * sizeof(double) - 3 * sizeof(uint32_t)];
};
_Static_assert(sizeof(struct slot) == 64, "a slot is one cache line");

#define SPINS_PER_YIELD 4096 /* a spinning rank yields now and then (one CPU) */

static void spin_until(_Atomic uint32_t *word, uint32_t value) {
    for (unsigned long n = 1; atomic_load_explicit(word, memory_order_acquire) != value; n++)
        if (n % SPINS_PER_YIELD == 0) sched_yield();
}

struct slots {
    MPI_Win win;
    struct slot *mine;
    struct slot **of; /* [comm size]: a rank's slot on this host, or NULL */
};

/* Collective: a slot per rank in a window shared by the ranks of each host. */
static void slots_open(struct runtime *rt, struct slots *sl) {
    sl->of = calloc((size_t)rt->size, sizeof *sl->of);
    int *all = malloc((size_t)rt->size * sizeof *all),
        *local = malloc((size_t)rt->size * sizeof *local);
    if (!sl->of || !all || !local) rt_out_of_memory();
    MPI_Win_allocate_shared((MPI_Aint)sizeof(struct slot), (int)sizeof(struct slot), MPI_INFO_NULL,
                            rt->wake.shared, &sl->mine, &sl->win);
    atomic_store(&sl->mine->ping, 0);
    atomic_store(&sl->mine->pong, 0);
    atomic_store(&sl->mine->told, 0);
    MPI_Group g_comm, g_shared;
    MPI_Comm_group(rt->comm, &g_comm);
    MPI_Comm_group(rt->wake.shared, &g_shared);
    for (int i = 0; i < rt->size; i++)
        all[i] = i;
    MPI_Group_translate_ranks(g_comm, rt->size, all, g_shared, local);
    for (int i = 0; i < rt->size; i++) {
        if (local[i] == MPI_UNDEFINED) continue;
        MPI_Aint bytes;
        int unit;
        void *ptr = NULL;
        MPI_Win_shared_query(sl->win, local[i], &bytes, &unit, &ptr);
        sl->of[i] = ptr;
    }
    MPI_Group_free(&g_comm);
    MPI_Group_free(&g_shared);
    free(all);
    free(local);
    MPI_Barrier(rt->comm); /* every slot is zero before it is used */
}

static void slots_close(struct slots *sl) {
    MPI_Win_free(&sl->win);
    free(sl->of);
}

/* The pair should run on two CPUs: Linux tends to wake a sleeping rank on
 * its waker's CPU, and two ranks taking turns on one CPU have round trips
 * of microseconds instead of a fraction of one. Rank 0 stays on its CPU for
 * the evaluation and each partner moves off it for its turn (when its
 * affinity allows another CPU), then goes back to where it was allowed. */
struct placement {
    cpu_set_t before;
    int changed;
};

static void keep_cpu(struct placement *p, int cpu) {
    p->changed = 0;
    if (cpu < 0 || sched_getaffinity(0, sizeof p->before, &p->before) != 0) return;
    cpu_set_t one;
    CPU_ZERO(&one);
    CPU_SET(cpu, &one);
    p->changed = sched_setaffinity(0, sizeof one, &one) == 0;
}

static void avoid_cpu(struct placement *p, int cpu) {
    p->changed = 0;
    if (cpu < 0 || sched_getaffinity(0, sizeof p->before, &p->before) != 0) return;
    cpu_set_t others = p->before;
    CPU_CLR(cpu, &others);
    if (CPU_COUNT(&others) == 0 || CPU_EQUAL(&others, &p->before)) return;
    p->changed = sched_setaffinity(0, sizeof others, &others) == 0;
}

static void restore_cpus(struct placement *p) {
    if (p->changed) sched_setaffinity(0, sizeof p->before, &p->before);
    p->changed = 0;
}

/* Rank 0: sleep until reference time `until`. Returns 1 on a stop request. */
static int sleep_until(struct runtime *rt, double until) {
    for (;;) {
        if (runtime_stop_signal()) return 1;
        double left = until - rt_now(rt);
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
static void wait_for_rank0(struct runtime *rt, struct start *st) {
    MPI_Request req;
    MPI_Irecv(st, sizeof *st, MPI_BYTE, 0, TAG_EVAL, rt->comm, &req);
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

static void send_start(struct runtime *rt, int dst, const struct start *st) {
    MPI_Send(st, sizeof *st, MPI_BYTE, dst, TAG_EVAL, rt->comm);
    wake_notify(&rt->wake, dst);
    wake_flush(&rt->wake);
}

/* Rank 0: measure rank i's clock against its own. */
static void measure(struct runtime *rt, struct slots *sl, int i, int pingpongs, uint32_t *seq,
                    struct eval_row *row) {
    struct node_state *ns = &rt->local[0];
    struct slot *peer = sl->of[i];
    struct start st = {PAIR, sched_getcpu(), pingpongs, peer != NULL, *seq};
    *seq += (uint32_t)pingpongs;
    send_start(rt, i, &st);
    struct pingpong m;
    pingpong_reset(&m);
    double time = NAN, truth = NAN;
    for (int k = 1; k <= pingpongs; k++) {
        uint32_t n = st.seq + (uint32_t)k;
        double t = rt_now(rt), a1, a2;
        struct pong reply;
        /* Only the samples are taken between the messages; the arithmetic
         * (clock corrections, true offsets) comes after. */
        if (peer) {
            a1 = rt_clock_sample(ns);
            atomic_store_explicit(&peer->ping, n, memory_order_release);
            spin_until(&peer->pong, n);
            a2 = rt_clock_sample(ns);
            reply.reading = peer->reading;
            spin_until(&peer->told, n);
            reply.true_offset = peer->true_offset;
        } else {
            a1 = rt_clock_sample(ns);
            MPI_Send(&k, 1, MPI_INT, i, TAG_EVAL, rt->comm);
            MPI_Recv(&reply, sizeof reply, MPI_BYTE, i, TAG_EVAL, rt->comm, MPI_STATUS_IGNORE);
            a2 = rt_clock_sample(ns);
        }
        double s1 = rt_clock_reading(ns, a1), s2 = rt_clock_reading(ns, a2);
        double mine1 = rt_clock_sample_truth(ns, a1), mine2 = rt_clock_sample_truth(ns, a2);
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
static void serve(struct runtime *rt, struct slots *sl) {
    struct node_state *ns = &rt->local[0];
    for (;;) {
        struct start st;
        wait_for_rank0(rt, &st);
        if (st.kind == END) return;
        struct placement place;
        avoid_cpu(&place, st.cpu);
        for (int k = 1; k <= st.pingpongs; k++) {
            struct pong reply;
            if (st.shared) {
                uint32_t n = st.seq + (uint32_t)k;
                spin_until(&sl->mine->ping, n);
                double a = rt_clock_sample(ns);
                sl->mine->reading = rt_clock_reading(ns, a);
                atomic_store_explicit(&sl->mine->pong, n, memory_order_release);
                sl->mine->true_offset = rt_clock_sample_truth(ns, a);
                atomic_store_explicit(&sl->mine->told, n, memory_order_release);
            } else {
                int n;
                MPI_Recv(&n, 1, MPI_INT, 0, TAG_EVAL, rt->comm, MPI_STATUS_IGNORE);
                reply.reading = rt_clock_read(ns, &reply.true_offset);
                MPI_Send(&reply, sizeof reply, MPI_BYTE, 0, TAG_EVAL, rt->comm);
            }
        }
        restore_cpus(&place);
    }
}

int evaluator_run(struct runtime *rt, const struct config *cfg, double end_time, struct vec *rows) {
    double at[EVAL_MAX_AT];
    int nat = 0;
    char why[CONFIG_ERR_LEN];
    evaluation_parse_at(config_get(cfg, "evaluation", "at"), at, &nat, why, sizeof why);
    int pingpongs = (int)config_int(cfg, "evaluation", "pingpongs");
    if (nat == 0 || rt->size < 2 || !rt->engine->paced) return 0;
    struct slots sl;
    slots_open(rt, &sl);
    int stopped = 0;
    if (rt->rank != 0) {
        serve(rt, &sl);
    } else {
        struct placement place;
        keep_cpu(&place, sched_getcpu());
        uint32_t seq = 0;
        for (int k = 0; k < nat && !stopped; k++) {
            stopped = sleep_until(rt, end_time + at[k]);
            for (int i = 1; i < rt->size && !stopped; i++) {
                struct eval_row row;
                measure(rt, &sl, i, pingpongs, &seq, &row);
                row.at = at[k];
                if (vec_push(rows, &row)) rt_out_of_memory();
            }
        }
        struct start end = {END, -1, 0, 0, 0};
        for (int i = 1; i < rt->size; i++)
            send_start(rt, i, &end);
        restore_cpus(&place);
    }
    slots_close(&sl);
    return stopped;
}
