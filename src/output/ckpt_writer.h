/* Rank 0's checkpoint writer: a thread that collects the increments of the
 * running run (ckpt_accum.h) and writes the run so far as FILE.checkpoint
 * (outfile.h), so that the event loop only hands buffers over.
 *
 * The thread makes no MPI call and blocks every signal; it writes when new
 * increments have come, but never sooner after the end of its previous
 * write than CKPT_WRITE_RATIO times that write's duration, so that writing
 * takes at most 1 / (1 + CKPT_WRITE_RATIO) of a core however large the run
 * grows; increments that come meanwhile are merged into the next write.
 *
 * In real time it runs at SCHED_IDLE: the ranks sleep between events, and
 * one woken takes the CPU from it at once. In virtual time the ranks never
 * sleep (a window follows the other), so a SCHED_IDLE thread would hardly
 * ever run: it runs as the ranks do, and at most 1 / (1 +
 * CKPT_WRITE_RATIO_VIRTUAL) of the time, so that it takes little from them. */
#ifndef CLOCKLAB_CKPT_WRITER_H
#define CLOCKLAB_CKPT_WRITER_H

#include "output/outfile.h"
#include "output/run_result.h"

#include <stddef.h>

#define CKPT_WRITE_RATIO 3.0
#define CKPT_WRITE_RATIO_VIRTUAL 20.0

struct ckpt_writer;

/* A writer for the runs of `out`; NULL when out of memory. */
struct ckpt_writer *ckpt_writer_new(struct outfile *out);
void ckpt_writer_free(struct ckpt_writer *w);

/* The name ("run003") and resolved configuration of the next run (main.c). */
void ckpt_writer_name(struct ckpt_writer *w, const char *name, const char *config_text);

/* Start collecting a run: its attributes (algorithm, family, time, seed,
 * type names [ntypes], has_*) from tmpl, its nodes on `ranks` ranks, clock
 * samples every dt s, in real time (paced) or virtual time. Starts the
 * thread. Returns 0 or -1 (no memory, or no thread: the run goes on without
 * checkpoints). */
int ckpt_writer_begin(struct ckpt_writer *w, const struct run_result *tmpl, int ranks, double dt,
                      int paced);

/* Hand over one increment (malloc'd, len bytes; the writer frees it). The
 * pushing thread never waits for the writer (which may run at SCHED_IDLE and
 * hold the queue's lock while it has no CPU): if the lock is taken, the
 * increment is held until ckpt_writer_flush or the next push. Returns 1 if
 * some increment is still held, else 0. */
int ckpt_writer_push(struct ckpt_writer *w, void *buf, size_t len);
/* Hand over held increments if the lock is free. Returns 1 if some are
 * still held (call it again later), else 0. */
int ckpt_writer_flush(struct ckpt_writer *w);

/* Stop collecting: wait for a write under way, drop what was not written,
 * stop the thread and free the run's data (FILE.checkpoint stays until
 * the finished run replaces it). Returns the number of checkpoints
 * written for the run. */
int ckpt_writer_end(struct ckpt_writer *w);

#endif
