/* The HDF5 files clocklab writes, through its own file driver. See
 * h5file.h. The driver follows HDF5 1.10's sec2 driver (H5FDsec2.c): one
 * POSIX file, pread/pwrite at the HDF5 address, the end of the allocated
 * space (EOA) kept in memory, the file cut to it at a flush, flock(2) as
 * the file lock. */
#define _GNU_SOURCE /* pread, pwrite, flock */
#include "output/h5file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

/* A write the file system refused (or one after it), kept for reads. */
struct patch {
    struct patch *next;
    haddr_t addr;
    size_t size;
    unsigned char data[];
};

struct guard_file {
    H5FD_t pub; /* first: HDF5 sees this */
    int fd;
    haddr_t eoa, eof; /* eof: as HDF5 wrote it, whether or not the disk took it */
    dev_t dev;
    ino_t ino;
    int ignore_no_locks; /* flock(2) unsupported (ENOSYS) is no error */
    struct h5_io *io;
    struct patch *patches, **tail; /* oldest first */
};

/* The driver's file access information: where to record errors. */
struct guard_fapl {
    struct h5_io *io;
};

#define GUARD_MAXADDR (((haddr_t)1 << (8 * sizeof(off_t) - 1)) - 1)

static void record(struct guard_file *g, int err) {
    if (g->io && g->io->error == 0) g->io->error = err ? err : EIO;
}

static H5FD_t *guard_open(const char *name, unsigned flags, hid_t fapl, haddr_t maxaddr) {
    const struct guard_fapl *fa = H5Pget_driver_info(fapl);
    struct h5_io *io = fa ? fa->io : NULL;
    if (!io || !name || !*name || maxaddr == 0 || maxaddr == HADDR_UNDEF || maxaddr > GUARD_MAXADDR)
        return NULL;
    int o = (flags & H5F_ACC_RDWR) ? O_RDWR : O_RDONLY;
    if (flags & H5F_ACC_TRUNC) o |= O_TRUNC;
    if (flags & H5F_ACC_CREAT) o |= O_CREAT;
    if (flags & H5F_ACC_EXCL) o |= O_EXCL;
    int fd = open(name, o | O_CLOEXEC, 0666);
    struct stat st;
    if (fd >= 0 && fstat(fd, &st) != 0) {
        close(fd);
        fd = -1;
    }
    struct guard_file *g = fd >= 0 ? calloc(1, sizeof *g) : NULL;
    if (!g) {
        /* not io->error: H5Fcreate tries an open without O_CREAT first */
        io->open_error = fd >= 0 ? ENOMEM : errno;
        if (fd >= 0) close(fd);
        return NULL;
    }
    g->fd = fd;
    g->eof = (haddr_t)st.st_size;
    g->dev = st.st_dev;
    g->ino = st.st_ino;
    g->io = io;
    g->tail = &g->patches;
    hbool_t use = 1, ignore = 0;
    if (H5Pget_file_locking(fapl, &use, &ignore) >= 0) g->ignore_no_locks = ignore != 0;
    return &g->pub;
}

static herr_t guard_close(H5FD_t *file) {
    struct guard_file *g = (struct guard_file *)file;
    if (close(g->fd) != 0) record(g, errno);
    while (g->patches) {
        struct patch *p = g->patches;
        g->patches = p->next;
        free(p);
    }
    free(g);
    return 0;
}

static int guard_cmp(const H5FD_t *a, const H5FD_t *b) {
    const struct guard_file *x = (const struct guard_file *)a, *y = (const struct guard_file *)b;
    if (x->dev != y->dev) return x->dev < y->dev ? -1 : 1;
    if (x->ino != y->ino) return x->ino < y->ino ? -1 : 1;
    return 0;
}

static herr_t guard_query(const H5FD_t *file, unsigned long *flags) {
    (void)file;
    /* as sec2's, but for the POSIX handle and default-driver compatibility,
     * which only HDF5's own tools use */
    *flags = H5FD_FEAT_AGGREGATE_METADATA | H5FD_FEAT_ACCUMULATE_METADATA | H5FD_FEAT_DATA_SIEVE |
             H5FD_FEAT_AGGREGATE_SMALLDATA;
    return 0;
}

static haddr_t guard_get_eoa(const H5FD_t *file, H5FD_mem_t type) {
    (void)type;
    return ((const struct guard_file *)file)->eoa;
}

static herr_t guard_set_eoa(H5FD_t *file, H5FD_mem_t type, haddr_t addr) {
    (void)type;
    ((struct guard_file *)file)->eoa = addr;
    return 0;
}

static haddr_t guard_get_eof(const H5FD_t *file, H5FD_mem_t type) {
    (void)type;
    return ((const struct guard_file *)file)->eof;
}

static herr_t guard_get_handle(H5FD_t *file, hid_t fapl, void **handle) {
    (void)fapl;
    *handle = &((struct guard_file *)file)->fd;
    return 0;
}

/* The region [addr, addr + size) lies within the allocated space. */
static int in_range(const struct guard_file *g, haddr_t addr, size_t size) {
    return addr != HADDR_UNDEF && addr <= GUARD_MAXADDR && size <= GUARD_MAXADDR - addr &&
           addr + size <= g->eoa;
}

static herr_t guard_read(H5FD_t *file, H5FD_mem_t type, hid_t dxpl, haddr_t addr, size_t size,
                         void *buf) {
    (void)type;
    (void)dxpl;
    struct guard_file *g = (struct guard_file *)file;
    if (!in_range(g, addr, size)) return -1;
    unsigned char *b = buf;
    size_t done = 0;
    while (done < size) {
        ssize_t k = pread(g->fd, b + done, size - done, (off_t)(addr + done));
        if (k < 0 && errno == EINTR) continue;
        if (k < 0) return -1;
        if (k == 0) break; /* past the end of the file: zeros, as sec2 */
        done += (size_t)k;
    }
    memset(b + done, 0, size - done);
    /* what the disk did not take, oldest first so that newer writes win */
    for (const struct patch *p = g->patches; p; p = p->next) {
        haddr_t lo = addr > p->addr ? addr : p->addr;
        haddr_t hi = addr + size < p->addr + p->size ? addr + size : p->addr + p->size;
        if (lo < hi) memcpy(b + (lo - addr), p->data + (lo - p->addr), (size_t)(hi - lo));
    }
    return 0;
}

/* Keep a write the disk did not take, so that HDF5 reads back what it
 * wrote. Raw data is not kept: HDF5 reads its own structures back, not the
 * datasets' values, and those can be as large as the run. */
static void keep(struct guard_file *g, H5FD_mem_t type, haddr_t addr, size_t size,
                 const void *buf) {
    if (type == H5FD_MEM_DRAW || size == 0) return;
    struct patch *p = malloc(sizeof *p + size);
    if (!p) return; /* the file is reported damaged anyway */
    p->addr = addr;
    p->size = size;
    memcpy(p->data, buf, size);
    p->next = NULL;
    *g->tail = p;
    g->tail = &p->next;
}

static herr_t guard_write(H5FD_t *file, H5FD_mem_t type, hid_t dxpl, haddr_t addr, size_t size,
                          const void *buf) {
    (void)dxpl;
    struct guard_file *g = (struct guard_file *)file;
    if (!in_range(g, addr, size)) return -1;
    const unsigned char *b = buf;
    size_t done = 0;
    /* once a write has failed the file is lost: the rest goes to memory */
    while (g->io->error == 0 && done < size) {
        ssize_t k = pwrite(g->fd, b + done, size - done, (off_t)(addr + done));
        if (k < 0 && errno == EINTR) continue;
        if (k <= 0) {
            record(g, k < 0 ? errno : ENOSPC);
            break;
        }
        done += (size_t)k;
    }
    if (done < size) keep(g, type, addr + done, size - done, b + done);
    if (addr + size > g->eof) g->eof = addr + size;
    return 0;
}

static herr_t guard_truncate(H5FD_t *file, hid_t dxpl, hbool_t closing) {
    (void)dxpl;
    (void)closing;
    struct guard_file *g = (struct guard_file *)file;
    if (g->eoa == g->eof) return 0;
    if (g->io->error == 0 && ftruncate(g->fd, (off_t)g->eoa) != 0) record(g, errno);
    g->eof = g->eoa;
    return 0;
}

static herr_t guard_lock(H5FD_t *file, hbool_t rw) {
    struct guard_file *g = (struct guard_file *)file;
    if (flock(g->fd, (rw ? LOCK_EX : LOCK_SH) | LOCK_NB) == 0) return 0;
    if (errno == ENOSYS && g->ignore_no_locks) return 0;
    record(g, errno); /* e.g. EWOULDBLOCK: a reader holds the file */
    return -1;
}

static herr_t guard_unlock(H5FD_t *file) {
    struct guard_file *g = (struct guard_file *)file;
    if (flock(g->fd, LOCK_UN) == 0) return 0;
    return errno == ENOSYS && g->ignore_no_locks ? 0 : -1;
}

static const H5FD_class_t guard_class = {
    .name = "clocklab_guard",
    .maxaddr = GUARD_MAXADDR,
    .fc_degree = H5F_CLOSE_WEAK,
    .fapl_size = sizeof(struct guard_fapl),
    .open = guard_open,
    .close = guard_close,
    .cmp = guard_cmp,
    .query = guard_query,
    .get_eoa = guard_get_eoa,
    .set_eoa = guard_set_eoa,
    .get_eof = guard_get_eof,
    .get_handle = guard_get_handle,
    .read = guard_read,
    .write = guard_write,
    .truncate = guard_truncate,
    .lock = guard_lock,
    .unlock = guard_unlock,
    .fl_map = H5FD_FLMAP_DICHOTOMY,
};

/* A file access property list with the driver recording into io. */
static hid_t guard_fapl(struct h5_io *io) {
    static hid_t driver = H5I_INVALID_HID;
    if (driver < 0 || H5Iis_valid(driver) <= 0) driver = H5FDregister(&guard_class);
    hid_t fapl = driver < 0 ? H5I_INVALID_HID : H5Pcreate(H5P_FILE_ACCESS);
    struct guard_fapl info = {io};
    if (fapl >= 0 && H5Pset_driver(fapl, driver, &info) < 0) {
        H5Pclose(fapl);
        fapl = H5I_INVALID_HID;
    }
    return fapl;
}

static hid_t open_file(const char *path, struct h5_io *io, int create) {
    io->error = io->open_error = 0;
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    hid_t fapl = guard_fapl(io);
    hid_t f = fapl < 0 ? H5I_INVALID_HID
              : create ? H5Fcreate(path, H5F_ACC_TRUNC, H5P_DEFAULT, fapl)
                       : H5Fopen(path, H5F_ACC_RDWR, fapl);
    if (fapl >= 0) H5Pclose(fapl);
    if (f < 0) errno = io->error ? io->error : io->open_error ? io->open_error : EIO;
    return f;
}

hid_t h5_file_create(const char *path, struct h5_io *io) {
    return open_file(path, io, 1);
}

hid_t h5_file_open(const char *path, struct h5_io *io) {
    return open_file(path, io, 0);
}

int h5_file_close(hid_t f, struct h5_io *io) {
    int rc = H5Fclose(f) < 0 ? -1 : 0;
    if (io->error) rc = -1;
    if (rc) errno = io->error ? io->error : EIO;
    return rc;
}
