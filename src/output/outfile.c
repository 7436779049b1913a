/* The result file, kept readable through any kill. See outfile.h. */
#include "output/outfile.h"

#include "output/h5file.h"

#include <errno.h>
#include <fcntl.h>
#include <hdf5.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char *with_suffix(const char *path, const char *suffix) {
    size_t n = strlen(path) + strlen(suffix) + 1;
    char *s = malloc(n);
    if (s) snprintf(s, n, "%s%s", path, suffix);
    return s;
}

/* Copy src to dst: written as o->copy_tmp, then renamed, so that dst is
 * whole at every instant. Returns 0 or -1 (errno set). */
static int copy_file(const struct outfile *o, const char *src, const char *dst) {
    int in = open(src, O_RDONLY | O_CLOEXEC);
    if (in < 0) return -1;
    int out = open(o->copy_tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
    if (out < 0) {
        close(in);
        return -1;
    }
    enum { CHUNK = 1 << 20 };
    char *buf = malloc(CHUNK);
    int rc = buf ? 0 : -1;
    while (rc == 0) {
        ssize_t k = read(in, buf, CHUNK);
        if (k < 0 && errno == EINTR) continue;
        if (k <= 0) {
            rc = k < 0 ? -1 : 0;
            break;
        }
        for (ssize_t done = 0; rc == 0 && done < k;) {
            ssize_t w = write(out, buf + done, (size_t)(k - done));
            if (w < 0 && errno == EINTR) continue;
            if (w < 0) rc = -1;
            done += w > 0 ? w : 0;
        }
    }
    int e = buf ? errno : ENOMEM;
    free(buf);
    close(in);
    if (close(out) != 0 && rc == 0) {
        rc = -1;
        e = errno;
    }
    if (rc == 0 && rename(o->copy_tmp, dst) != 0) {
        rc = -1;
        e = errno;
    }
    if (rc != 0) {
        unlink(o->copy_tmp);
        errno = e;
    }
    return rc;
}

enum op { OP_RUN, OP_LINK };

/* Make one change to the HDF5 file at `file` (a working copy). Returns 0,
 * or -1 with errno the file system's error (0: HDF5 refused otherwise); the
 * file may then be damaged. */
static int apply(struct outfile *o, const char *file, enum op op, const struct run_result *r) {
    char name[64], target[64], err[256];
    snprintf(name, sizeof name, "runs/%s", r->name);
    snprintf(target, sizeof target, "/runs/%s", r->name);
    struct h5_io io;
    hid_t f = h5_file_open(file, &io);
    if (f < 0) return -1;
    int rc = 0;
    if (H5Lexists(f, name, H5P_DEFAULT) > 0) rc = H5Ldelete(f, name, H5P_DEFAULT) < 0 ? -1 : 0;
    if (rc == 0 && op == OP_LINK)
        rc = H5Lcreate_external(o->side_name, target, f, name, H5P_DEFAULT, H5P_DEFAULT) < 0 ? -1
                                                                                             : 0;
    if (h5_file_close(f, &io) < 0) return -1;
    errno = 0;
    if (rc == 0 && op == OP_RUN) rc = h5_write_run(file, r, err, sizeof err);
    return rc;
}

/* Exchange the names FILE and FILE.shadow. Every step is one link(2) or
 * rename(2): FILE names a whole file at every instant. Returns 0; 1 when
 * FILE.shadow is gone (a file system without hard links, or a failed last
 * step); -1 when nothing changed. */
static int exchange(struct outfile *o) {
    unlink(o->swap);
    if (link(o->path, o->swap) != 0) {
        if (rename(o->shadow, o->path) != 0) return -1; /* errno: rename's */
        o->shadow_stale = 1;
        return 1;
    }
    if (rename(o->shadow, o->path) != 0) {
        int e = errno;
        unlink(o->swap);
        errno = e;
        return -1;
    }
    if (rename(o->swap, o->shadow) != 0) {
        unlink(o->swap);
        o->shadow_stale = 1;
        return 1;
    }
    return 0;
}

/* Make a change to FILE: first to the shadow, then exchange the names, then
 * to the old file (unless lazy). Returns 0, or -1 with FILE unchanged and
 * errno the file system's error (0: HDF5 refused otherwise). */
static int commit(struct outfile *o, enum op op, const struct run_result *r, int lazy) {
    if (o->shadow_stale) {
        if (copy_file(o, o->path, o->shadow)) return -1;
        o->shadow_stale = 0;
    }
    if (apply(o, o->shadow, op, r)) {
        /* The shadow may be damaged: start again from a copy of FILE (the
         * damaged one deleted first, so that its space serves the copy).
         * The error reported is the first one: a full disk stays full. */
        int e = errno;
        unlink(o->shadow);
        if (copy_file(o, o->path, o->shadow) || apply(o, o->shadow, op, r)) {
            if (e == 0) e = errno;
            unlink(o->shadow);
            o->shadow_stale = 1;
            errno = e;
            return -1;
        }
    }
    int x = exchange(o);
    if (x < 0) {
        int e = errno;
        o->shadow_stale = 1;
        errno = e;
        return -1;
    }
    if (x == 0 && (lazy || apply(o, o->shadow, op, r))) o->shadow_stale = 1;
    return 0;
}

int outfile_create(struct outfile *o, const char *path, const struct file_attrs *a, char *err,
                   size_t errlen) {
    memset(o, 0, sizeof *o);
    o->path = strdup(path);
    o->shadow = with_suffix(path, ".shadow");
    o->swap = with_suffix(path, ".swap");
    o->side = with_suffix(path, ".checkpoint");
    o->side_tmp = with_suffix(path, ".checkpoint.tmp");
    o->copy_tmp = with_suffix(path, ".copy");
    const char *src[8] = {
        a->version, a->git_commit,   a->command_line,        a->mpi_library,
        a->hosts,   a->slurm_job_id, a->slurm_array_task_id, a->slurm_array_job_id};
    int ok = o->path && o->shadow && o->swap && o->side && o->side_tmp && o->copy_tmp;
    for (int i = 0; i < 8; i++)
        if (src[i] && !(o->strings[i] = strdup(src[i]))) ok = 0;
    if (!ok) {
        snprintf(err, errlen, "cannot create output file '%s': out of memory", path);
        outfile_close(o);
        return -1;
    }
    const char *slash = strrchr(o->side, '/');
    o->side_name = slash ? slash + 1 : o->side;
    o->attrs = (struct file_attrs){o->strings[0], o->strings[1], o->strings[2],
                                   o->strings[3], o->strings[4], a->nranks,
                                   o->strings[5], o->strings[6], o->strings[7]};
    const char *stale[] = {o->shadow, o->swap, o->side, o->side_tmp, o->copy_tmp};
    for (size_t i = 0; i < sizeof stale / sizeof stale[0]; i++)
        unlink(stale[i]);
    char why[512];
    if (h5_create(o->shadow, &o->attrs, why, sizeof why) || copy_file(o, o->shadow, o->path)) {
        int e = errno;
        snprintf(err, errlen, "cannot create output file '%s'%s%s", path, e ? ": " : "",
                 e ? strerror(e) : "");
        unlink(o->shadow);
        outfile_close(o);
        return -1;
    }
    return 0;
}

/* What FILE holds after r could not be written, into s (n bytes). */
static void what_is_left(const struct outfile *o, const struct run_result *r, char *s, size_t n) {
    if (o->nruns == 0)
        snprintf(s, n, "no finished run");
    else if (o->nruns == 1)
        snprintf(s, n, "the run before it (%s), whole", o->last);
    else
        snprintf(s, n, "the %d runs before it (run000 to %s), whole", o->nruns, o->last);
    if (strcmp(o->linked, r->name) == 0) {
        size_t l = strlen(s);
        snprintf(s + l, n - l, ", and %s up to its last checkpoint (in '%s')", r->name, o->side);
    }
}

int outfile_write_run(struct outfile *o, const struct run_result *r, int lazy, char *err,
                      size_t errlen) {
    if (commit(o, OP_RUN, r, lazy)) {
        int e = errno;
        char left[256];
        what_is_left(o, r, left, sizeof left);
        snprintf(err, errlen, "cannot write %s to output file '%s'%s%s; the file holds %s", r->name,
                 o->path, e ? ": " : "", e ? strerror(e) : "", left);
        return -1;
    }
    o->nruns++;
    snprintf(o->last, sizeof o->last, "%s", r->name);
    if (strcmp(o->linked, r->name) == 0) {
        o->linked[0] = '\0';
        unlink(o->side);
    }
    return 0;
}

static int attr_double(const char *file, const char *group, const char *name, double value) {
    struct h5_io io;
    hid_t f = h5_file_open(file, &io);
    if (f < 0) return -1;
    hid_t g = H5Gopen2(f, group, H5P_DEFAULT);
    hid_t space = H5Screate(H5S_SCALAR);
    hid_t a = g < 0 ? -1 : H5Acreate2(g, name, H5T_NATIVE_DOUBLE, space, H5P_DEFAULT, H5P_DEFAULT);
    int rc = a < 0 || H5Awrite(a, H5T_NATIVE_DOUBLE, &value) < 0 ? -1 : 0;
    if (a >= 0) H5Aclose(a);
    H5Sclose(space);
    if (g >= 0) H5Gclose(g);
    if (h5_file_close(f, &io) < 0) rc = -1;
    return rc;
}

int outfile_write_checkpoint(struct outfile *o, const struct run_result *r, double until, char *err,
                             size_t errlen) {
    char group[64], why[512];
    snprintf(group, sizeof group, "runs/%s", r->name);
    unlink(o->side_tmp);
    if (h5_create(o->side_tmp, &o->attrs, why, sizeof why) ||
        h5_write_run(o->side_tmp, r, why, sizeof why) ||
        attr_double(o->side_tmp, group, "complete_until", until) ||
        rename(o->side_tmp, o->side) != 0) {
        int e = errno;
        unlink(o->side_tmp);
        snprintf(err, errlen, "cannot write the checkpoint of %s to '%s'%s%s", r->name, o->side,
                 e ? ": " : "", e ? strerror(e) : "");
        return -1;
    }
    if (strcmp(o->linked, r->name) != 0) {
        if (commit(o, OP_LINK, r, 0)) {
            int e = errno;
            snprintf(err, errlen, "cannot link the checkpoint of %s into output file '%s'%s%s",
                     r->name, o->path, e ? ": " : "", e ? strerror(e) : "");
            return -1;
        }
        snprintf(o->linked, sizeof o->linked, "%s", r->name);
    }
    return 0;
}

void outfile_close(struct outfile *o) {
    const char *work[] = {o->shadow, o->swap, o->side_tmp, o->copy_tmp};
    for (size_t i = 0; i < sizeof work / sizeof work[0]; i++)
        if (work[i]) unlink(work[i]);
    if (o->side && !o->linked[0]) unlink(o->side);
    free(o->path);
    free(o->shadow);
    free(o->swap);
    free(o->side);
    free(o->side_tmp);
    free(o->copy_tmp);
    for (int i = 0; i < 8; i++)
        free(o->strings[i]);
    memset(o, 0, sizeof *o);
}
