/* The result file, kept readable through any kill (rank 0 only).
 *
 * HDF5 1.10 does not keep a file consistent when the writing process dies
 * during a write: it has no journal (the HDF Group's "Metadata Journaling
 * to Improve Crash Survivability" RFC, 2008, was never released), and SWMR,
 * which orders its metadata flushes, cannot create groups and leaves the
 * file marked open for writing after a crash (h5clear). So the result file
 * FILE is never opened for writing while it has that name:
 *
 *  - A second copy, FILE.shadow, takes every change first (a run appended
 *    with h5_write_run, an external link added); then the two names are
 *    exchanged, each step a link(2) or rename(2), so FILE names the old
 *    file or the new one at every instant; then the same change is made to
 *    the old file, now FILE.shadow (or FILE is copied over it when that
 *    fails, e.g. because a reader holds it open).
 *  - The running run's last checkpoint is written as a complete clocklab/1
 *    file FILE.checkpoint (written as FILE.checkpoint.tmp, then renamed),
 *    and FILE's /runs/runNNN is an external link to its /runs/runNNN until
 *    the finished run replaces the link.
 *
 * A kill therefore leaves FILE with every finished run, and the running
 * run up to its last checkpoint through the link (HDF5 and h5py look for
 * FILE.checkpoint in FILE's directory). FILE.shadow and the .tmp files are
 * working copies, possibly half written. Not thread-safe: one thread at a
 * time (the caller serializes). */
#ifndef CLOCKLAB_OUTFILE_H
#define CLOCKLAB_OUTFILE_H

#include "output/h5writer.h"
#include "output/run_result.h"

#include <stddef.h>

struct outfile {
    char *path, *shadow, *swap, *side, *side_tmp, *copy_tmp;
    const char *side_name; /* FILE.checkpoint without its directory (the link's target) */
    struct file_attrs attrs;
    char *strings[8]; /* the attribute strings, owned */
    char linked[32];  /* the run FILE links to FILE.checkpoint for, "" none */
    int shadow_stale; /* FILE.shadow lacks the last change: copy FILE first */
    int nruns;        /* finished runs FILE holds */
    char last[32];    /* the last of them, "" none */
};

/* Create FILE (truncating an existing one) with the root attributes and an
 * empty /runs, and its shadow. Returns 0, or -1 with a message naming the
 * path (and the file system's error, strerror(3)). */
int outfile_create(struct outfile *o, const char *path, const struct file_attrs *a, char *err,
                   size_t errlen);

/* Add the finished run r to FILE (replacing the link to its checkpoint).
 * With lazy set (the program is about to stop), the shadow is not brought
 * up to date. Returns 0, or -1 with one message: the path, the file
 * system's error (a full disk, a quota and an I/O error alike: strerror(3)
 * of ENOSPC, EDQUOT, EIO, ...) and what FILE holds, which is FILE as before
 * the call: the runs written before, whole. */
int outfile_write_run(struct outfile *o, const struct run_result *r, int lazy, char *err,
                      size_t errlen);

/* Write r (a run so far, complete up to reference time `until`) as the
 * checkpoint FILE.checkpoint, with status as in r and the attribute
 * complete_until; link FILE's /runs/<r->name> to it the first time.
 * Returns 0, or -1 with a message. */
int outfile_write_checkpoint(struct outfile *o, const struct run_result *r, double until, char *err,
                             size_t errlen);

/* Remove the working copies (and a checkpoint no run links to any more) and
 * free o. FILE stays. */
void outfile_close(struct outfile *o);

#endif
