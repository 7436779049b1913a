#define _GNU_SOURCE /* syscall(2) */
#include "runtime/wake.h"

#include <errno.h>
#include <linux/futex.h>
#include <math.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

/* One cache line per rank, so that senders to different ranks do not
 * contend for one line. */
struct word {
    _Atomic uint32_t value;
    _Atomic uint32_t sleeping;
    char pad[56];
};

static int nap_mode(void) {
    const char *e = getenv("CLOCKLAB_WAKE");
    return e && strcmp(e, "nap") == 0;
}

int wake_init(struct wake *w, MPI_Comm comm) {
    memset(w, 0, sizeof *w);
    w->win = MPI_WIN_NULL;
    int size, rank;
    MPI_Comm_size(comm, &size);
    MPI_Comm_rank(comm, &rank);
    w->size = size;
    MPI_Comm_split_type(comm, MPI_COMM_TYPE_SHARED, rank, MPI_INFO_NULL, &w->shared);
    int local_size;
    MPI_Comm_size(w->shared, &local_size);
    /* Not this rank's affinity: mpirun binds each rank to its own core when
     * there are enough of them. */
    w->oversubscribed = local_size > sysconf(_SC_NPROCESSORS_ONLN);
    MPI_Allreduce(&w->oversubscribed, &w->any_oversubscribed, 1, MPI_INT, MPI_LOR, comm);
    w->host_ranks = local_size;
    int all = local_size == size, every = 0;
    MPI_Allreduce(&all, &every, 1, MPI_INT, MPI_LAND, comm);
    w->all_local = every;
    w->slot_of = calloc((size_t)size, sizeof *w->slot_of);
    w->deferred = calloc((size_t)size, sizeof *w->deferred);
    w->is_deferred = calloc((size_t)size, 1);
    int ok = w->slot_of && w->deferred && w->is_deferred, all_ok = 0, nap = nap_mode(), any_nap = 0;
    MPI_Allreduce(&ok, &all_ok, 1, MPI_INT, MPI_LAND, comm);
    MPI_Allreduce(&nap, &any_nap, 1, MPI_INT, MPI_LOR, comm);
    if (!all_ok) return -1;
    if (any_nap) {
        w->all_local = 0;
        return 0;
    }
    struct word *base = NULL;
    MPI_Win_allocate_shared((MPI_Aint)sizeof(struct word), (int)sizeof(struct word), MPI_INFO_NULL,
                            w->shared, &base, &w->win);
    atomic_store(&base->value, 0);
    atomic_store(&base->sleeping, 0);
    w->mine = base;
    /* Which comm rank is which rank of the host. */
    MPI_Group g_comm, g_shared;
    MPI_Comm_group(comm, &g_comm);
    MPI_Comm_group(w->shared, &g_shared);
    int *all_ranks = malloc((size_t)size * sizeof *all_ranks);
    int *local = malloc((size_t)size * sizeof *local);
    if (all_ranks && local) {
        for (int i = 0; i < size; i++)
            all_ranks[i] = i;
        MPI_Group_translate_ranks(g_comm, size, all_ranks, g_shared, local);
        for (int i = 0; i < size; i++) {
            if (local[i] == MPI_UNDEFINED) continue;
            MPI_Aint bytes;
            int unit;
            void *p = NULL;
            MPI_Win_shared_query(w->win, local[i], &bytes, &unit, &p);
            w->slot_of[i] = p;
        }
    }
    free(all_ranks);
    free(local);
    MPI_Group_free(&g_comm);
    MPI_Group_free(&g_shared);
    MPI_Barrier(comm); /* every word is zero before anyone notifies */
    return 0;
}

void wake_free(struct wake *w) {
    if (w->win != MPI_WIN_NULL) MPI_Win_free(&w->win);
    if (w->shared != MPI_COMM_NULL && w->shared) MPI_Comm_free(&w->shared);
    free(w->slot_of);
    free(w->deferred);
    free(w->is_deferred);
    memset(w, 0, sizeof *w);
}

static long futex(_Atomic uint32_t *addr, int op, uint32_t val, const struct timespec *ts) {
    return syscall(SYS_futex, (uint32_t *)addr, op, val, ts, NULL, 0);
}

void wake_notify(struct wake *w, int dst) {
    if (!w->slot_of || !w->slot_of[dst] || w->is_deferred[dst]) return;
    w->is_deferred[dst] = 1;
    w->deferred[w->ndeferred++] = dst;
}

void wake_flush(struct wake *w) {
    for (int i = 0; i < w->ndeferred; i++) {
        int dst = w->deferred[i];
        struct word *s = w->slot_of[dst];
        w->is_deferred[dst] = 0;
        atomic_fetch_add(&s->value, 1);
        if (atomic_load(&s->sleeping)) futex(&s->value, FUTEX_WAKE, 1, NULL);
    }
    w->ndeferred = 0;
}

uint32_t wake_prepare(struct wake *w) {
    struct word *s = w->mine;
    if (!s) return 0;
    uint32_t v = atomic_load(&s->value);
    atomic_store(&s->sleeping, 1);
    return v;
}

void wake_cancel(struct wake *w) {
    struct word *s = w->mine;
    if (s) atomic_store(&s->sleeping, 0);
}

void wake_ring_sleepers(struct wake *w) {
    if (!w->slot_of) return;
    for (int i = 0; i < w->size; i++) {
        struct word *s = w->slot_of[i];
        if (!s || s == w->mine || !atomic_load(&s->sleeping)) continue;
        atomic_fetch_add(&s->value, 1);
        futex(&s->value, FUTEX_WAKE, 1, NULL);
    }
}

int wake_wait(struct wake *w, uint32_t seen, double seconds) {
    if (!(seconds > 0)) {
        wake_cancel(w);
        return 0;
    }
    struct timespec ts;
    ts.tv_sec = (time_t)seconds;
    ts.tv_nsec = (long)((seconds - (double)ts.tv_sec) * 1e9);
    struct word *s = w->mine;
    if (s) {
        /* EAGAIN: the word moved since wake_prepare (a message came);
         * EINTR: a signal (the stop request); ETIMEDOUT: the deadline. */
        long rc = futex(&s->value, FUTEX_WAIT, seen, &ts);
        int timed_out = rc != 0 && errno == ETIMEDOUT;
        atomic_store(&s->sleeping, 0);
        return !timed_out;
    }
    nanosleep(&ts, NULL);
    return 0;
}

double wake_max_sleep(const struct wake *w) {
    return w->mine && w->all_local ? INFINITY : WAKE_REMOTE_NAP;
}
