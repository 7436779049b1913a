/* Rank 0's checkpoint writer thread. See ckpt_writer.h. */
#define _GNU_SOURCE /* SCHED_IDLE */
#include "output/ckpt_writer.h"

#include "output/ckpt_accum.h"

#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct item {
    void *buf;
    size_t len;
};

struct ckpt_writer {
    struct outfile *out;
    pthread_t thread;
    int running;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    /* under mu */
    struct item *queue;
    size_t nq, capq;
    int stop;
    /* the pushing thread's own: increments not yet handed over */
    struct item *held;
    size_t nheld, capheld;
    /* the thread's own */
    struct ckpt_accum acc;
    struct run_result tmpl; /* attributes of the run */
    const char **type_names;
    char name[32];
    char *config_text;
    double dt, wall0, written_until, next_allowed, ratio;
    int written, failed, idle;
};

static double monotonic(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

struct ckpt_writer *ckpt_writer_new(struct outfile *out) {
    struct ckpt_writer *w = calloc(1, sizeof *w);
    if (!w) return NULL;
    w->out = out;
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    if (pthread_mutex_init(&w->mu, NULL) || pthread_cond_init(&w->cv, &ca)) {
        pthread_condattr_destroy(&ca);
        free(w);
        return NULL;
    }
    pthread_condattr_destroy(&ca);
    return w;
}

void ckpt_writer_free(struct ckpt_writer *w) {
    if (!w) return;
    if (w->running) ckpt_writer_end(w);
    pthread_mutex_destroy(&w->mu);
    pthread_cond_destroy(&w->cv);
    free(w->config_text);
    free(w);
}

void ckpt_writer_name(struct ckpt_writer *w, const char *name, const char *config_text) {
    snprintf(w->name, sizeof w->name, "%s", name);
    free(w->config_text);
    w->config_text = config_text ? strdup(config_text) : NULL;
}

static void fail(struct ckpt_writer *w, const char *why) {
    if (!w->failed)
        fprintf(stderr, "clocklab: warning: %s; %s goes on without checkpoints\n", why, w->name);
    w->failed = 1;
}

/* Write the run so far when it is complete further than the last write. */
static void write_now(struct ckpt_writer *w) {
    double until = ckpt_accum_until(&w->acc);
    if (until < 0 || until <= w->written_until) return;
    double t0 = monotonic();
    struct run_result r = w->tmpl;
    snprintf(r.status, sizeof r.status, "interrupted");
    r.duration = until;
    r.wall_time = t0 - w->wall0;
    r.fidelity = NULL;
    char err[512];
    if (ckpt_accum_assemble(&w->acc, w->dt, &r))
        fail(w, "out of memory for a checkpoint");
    else if (outfile_write_checkpoint(w->out, &r, until, err, sizeof err))
        fail(w, err);
    run_result_free_arrays(&r);
    double t1 = monotonic();
    w->next_allowed = t1 + w->ratio * (t1 - t0);
    w->written_until = until;
    if (!w->failed) w->written++;
}

static void *writer_main(void *arg) {
    struct ckpt_writer *w = arg;
    /* In real time the writer runs only on a CPU that no rank wants
     * (sched(7), SCHED_IDLE): a rank woken for an event takes the CPU from
     * it at once, so writing a checkpoint does not make events late. */
    struct sched_param none = {0};
    if (w->idle) pthread_setschedparam(pthread_self(), SCHED_IDLE, &none);
    int dirty = 0;
    pthread_mutex_lock(&w->mu);
    while (!w->stop) {
        if (w->nq) {
            struct item *q = w->queue;
            size_t nq = w->nq;
            w->queue = NULL;
            w->nq = w->capq = 0;
            pthread_mutex_unlock(&w->mu);
            for (size_t i = 0; i < nq; i++) {
                int added =
                    w->failed ? (free(q[i].buf), 0) : ckpt_accum_offer(&w->acc, q[i].buf, q[i].len);
                if (added < 0) fail(w, "a checkpoint could not be collected (no memory)");
                if (added > 0) dirty = 1;
            }
            free(q);
            pthread_mutex_lock(&w->mu);
            continue;
        }
        if (dirty && !w->failed && monotonic() >= w->next_allowed) {
            pthread_mutex_unlock(&w->mu);
            write_now(w);
            dirty = 0;
            pthread_mutex_lock(&w->mu);
            continue;
        }
        if (dirty && !w->failed) {
            struct timespec ts;
            double at = w->next_allowed;
            ts.tv_sec = (time_t)at;
            ts.tv_nsec = (long)((at - (double)ts.tv_sec) * 1e9);
            pthread_cond_timedwait(&w->cv, &w->mu, &ts);
        } else {
            pthread_cond_wait(&w->cv, &w->mu);
        }
    }
    pthread_mutex_unlock(&w->mu);
    return NULL;
}

int ckpt_writer_begin(struct ckpt_writer *w, const struct run_result *tmpl, int ranks, double dt,
                      int paced) {
    if (w->running) ckpt_writer_end(w);
    w->tmpl = *tmpl;
    snprintf(w->tmpl.name, sizeof w->tmpl.name, "%s", w->name);
    w->tmpl.config_text = w->config_text;
    w->type_names = calloc((size_t)tmpl->ntypes + 1, sizeof *w->type_names);
    if (!w->type_names || ckpt_accum_init(&w->acc, tmpl->nodes, tmpl->ntypes, ranks)) {
        free(w->type_names);
        w->type_names = NULL;
        return -1;
    }
    for (int i = 0; i < tmpl->ntypes; i++)
        w->type_names[i] = tmpl->type_names[i];
    w->tmpl.type_names = w->type_names;
    w->dt = dt;
    w->idle = paced;
    w->ratio = paced ? CKPT_WRITE_RATIO : CKPT_WRITE_RATIO_VIRTUAL;
    w->wall0 = monotonic();
    w->written_until = -1.0;
    w->next_allowed = 0;
    w->written = w->failed = 0;
    w->stop = 0;
    /* The thread blocks every signal: SIGTERM and SIGINT reach the event
     * loop's thread, which sleeps in a futex that they must interrupt. */
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    int rc = pthread_create(&w->thread, NULL, writer_main, w);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (rc) {
        ckpt_accum_free(&w->acc);
        free(w->type_names);
        w->type_names = NULL;
        return -1;
    }
    w->running = 1;
    return 0;
}

/* Move the held increments to the queue under mu (taken with trylock
 * unless `wait`). Returns 1 if some are still held. */
static int hand_over(struct ckpt_writer *w, int wait) {
    if (!w->nheld) return 0;
    if (wait)
        pthread_mutex_lock(&w->mu);
    else if (pthread_mutex_trylock(&w->mu))
        return 1;
    if (w->nq + w->nheld > w->capq) {
        size_t cap = w->capq ? 2 * w->capq : 16;
        while (cap < w->nq + w->nheld)
            cap *= 2;
        struct item *q = realloc(w->queue, cap * sizeof *q);
        if (!q) {
            pthread_mutex_unlock(&w->mu);
            for (size_t i = 0; i < w->nheld; i++)
                free(w->held[i].buf);
            w->nheld = 0;
            return 0;
        }
        w->queue = q;
        w->capq = cap;
    }
    memcpy(w->queue + w->nq, w->held, w->nheld * sizeof *w->held);
    w->nq += w->nheld;
    w->nheld = 0;
    pthread_cond_signal(&w->cv);
    pthread_mutex_unlock(&w->mu);
    return 0;
}

int ckpt_writer_push(struct ckpt_writer *w, void *buf, size_t len) {
    if (!w->running) {
        free(buf);
        return 0;
    }
    if (w->nheld == w->capheld) {
        size_t cap = w->capheld ? 2 * w->capheld : 16;
        struct item *h = realloc(w->held, cap * sizeof *h);
        if (!h) {
            free(buf);
            return hand_over(w, 0);
        }
        w->held = h;
        w->capheld = cap;
    }
    w->held[w->nheld++] = (struct item){buf, len};
    return hand_over(w, 0);
}

int ckpt_writer_flush(struct ckpt_writer *w) {
    return w->running ? hand_over(w, 0) : 0;
}

int ckpt_writer_end(struct ckpt_writer *w) {
    if (!w->running) return 0;
    hand_over(w, 1);
    pthread_mutex_lock(&w->mu);
    w->stop = 1;
    pthread_cond_signal(&w->cv);
    pthread_mutex_unlock(&w->mu);
    pthread_join(w->thread, NULL);
    w->running = 0;
    for (size_t i = 0; i < w->nq; i++)
        free(w->queue[i].buf);
    free(w->queue);
    w->queue = NULL;
    w->nq = w->capq = 0;
    free(w->held);
    w->held = NULL;
    w->nheld = w->capheld = 0;
    ckpt_accum_free(&w->acc);
    free(w->type_names);
    w->type_names = NULL;
    return w->written;
}
