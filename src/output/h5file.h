/* The HDF5 files clocklab writes, through a file driver of its own that
 * keeps a failed write (a full disk, a quota, an I/O error) out of HDF5.
 *
 * HDF5 1.10 cannot survive a write error in H5Fclose: H5F__dest frees the
 * file's structure even when its final flush fails, but the failure leaves
 * the file's ID in HDF5's table, and the library's own close of every
 * remaining ID (H5close, run at exit or by MPI_Finalize for parallel HDF5)
 * then dereferences the freed structure and crashes (HDF Group, HDFFV-11052,
 * fixed only in HDF5 1.14.1 by github.com/HDFGroup/hdf5/pull/2291;
 * H5F_CLOSE_STRONG does not help: the flush fails all the same). A file that
 * has once failed a write fails the flush of every later close too, so the
 * error has to be kept from HDF5 altogether: the driver here (a user-defined
 * virtual file driver, H5FDregister, "The HDF5 Virtual File Layer" of the
 * HDF5 User's Guide) writes with pwrite(2) as the default sec2 driver does,
 * but on a failed write it records errno, keeps what could not be written
 * in memory for HDF5 to read back, and reports success. HDF5 then sees a
 * whole file, h5_close closes it cleanly and returns the recorded error:
 * the file on disk is damaged, and the caller deletes or replaces it
 * (outfile.c writes only working copies). */
#ifndef CLOCKLAB_H5FILE_H
#define CLOCKLAB_H5FILE_H

#include <hdf5.h>

/* What happened to one open file's writes. */
struct h5_io {
    int error;      /* errno of the first failed write, truncate or lock; 0 none */
    int open_error; /* errno of the last failed open(2); 0 none */
};

/* Create (truncate) path for writing through the driver; io records its
 * errors. Returns the file id, or a negative id with errno set (to io->error
 * when the file system refused, else EIO). */
hid_t h5_file_create(const char *path, struct h5_io *io);

/* Open the existing file path for reading and writing through the driver.
 * Returns the file id, or a negative id with errno set as h5_file_create. */
hid_t h5_file_open(const char *path, struct h5_io *io);

/* Close f, opened by h5_file_create or h5_file_open with io. Returns 0 when
 * HDF5 closed it and every write reached the file system; -1 otherwise,
 * with errno the first failed write's (ENOSPC, EDQUOT, EIO, ...), or EIO
 * when HDF5 itself failed. After -1 the file on disk may be damaged. */
int h5_file_close(hid_t f, struct h5_io *io);

#endif
