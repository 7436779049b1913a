/* Sleeping until something is due, and being woken when a message comes.
 *
 * Ranks on one host share an MPI shared-memory window
 * (MPI_Win_allocate_shared over MPI_Comm_split_type(MPI_COMM_TYPE_SHARED))
 * holding one wake-up word and one "sleeping" flag per rank. A rank that has
 * nothing to do calls wake_prepare (it reads its word and announces that it
 * sleeps), polls MPI once more, and then wake_wait, a Linux futex wait on its
 * word with its next deadline as the timeout (futex(2), FUTEX_WAIT). A sender
 * calls wake_notify after handing a message to MPI: it bumps the
 * receiver's word and, only when the receiver announced that it sleeps,
 * wakes it (FUTEX_WAKE). The word bump before the flag test on one side and
 * the flag store before the re-poll on the other (sequentially consistent
 * atomics) leave no window for a lost wake-up.
 *
 * Ranks that share no host with a sender cannot be woken by it: when a run
 * spans hosts, sleeps are bounded by WAKE_REMOTE_NAP. CLOCKLAB_WAKE=nap in
 * the environment selects bounded naps everywhere (for comparison). */
#ifndef CLOCKLAB_WAKE_H
#define CLOCKLAB_WAKE_H

#include <mpi.h>
#include <stdint.h>

#define WAKE_REMOTE_NAP 500e-6 /* s: longest sleep when a sender cannot wake us */

struct wake {
    MPI_Comm shared;        /* ranks on this host */
    MPI_Win win;            /* the words, or MPI_WIN_NULL in nap mode */
    void **slot_of;         /* [comm size]: a rank's word on this host, or NULL */
    void *mine;             /* this rank's word */
    int all_local;          /* every rank of comm shares this host */
    int oversubscribed;     /* more ranks on this host than online CPUs */
    int any_oversubscribed; /* ... on some host of comm */
    int host_ranks;         /* ranks on this host */
    int *deferred;          /* comm ranks to notify at the next wake_flush */
    unsigned char *is_deferred;
    int ndeferred;
    int size; /* comm size */
};

/* Collective over comm: set up the words. Returns 0, or -1 (no memory). */
int wake_init(struct wake *w, MPI_Comm comm);
/* Collective over comm: release the window. */
void wake_free(struct wake *w);

/* After a message for comm rank dst was handed to MPI: wake dst if it sleeps.
 * The wake-up is deferred to the next wake_flush, so that a rank sending to
 * many others hands every message to MPI before any receiver competes with
 * it for a CPU, and a receiver of several messages is woken once. */
void wake_notify(struct wake *w, int dst);
/* Wake the ranks notified since the last flush (before sleeping, and after
 * each pass of the event loop). */
void wake_flush(struct wake *w);

/* Announce a sleep; returns the word's value to pass to wake_wait. After
 * this, poll for messages once more; then wake_wait or wake_cancel. */
uint32_t wake_prepare(struct wake *w);
/* Sleep up to seconds (> 0), or until woken after wake_prepare. Returns 1
 * when woken (or the word had moved) before the deadline, 0 at the deadline. */
int wake_wait(struct wake *w, uint32_t seen, double seconds);
/* Wake every rank of this host that sleeps, whatever its deadline (a rank
 * about to act tells the others to poll: real_engine.c). */
void wake_ring_sleepers(struct wake *w);
/* Give up the announced sleep (work was found on the re-poll). */
void wake_cancel(struct wake *w);

/* Longest sleep that a message from any rank can cut short (s). */
double wake_max_sleep(const struct wake *w);

#endif
