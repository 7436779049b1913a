/* HDF5 output in schema "clocklab/1" (docs/schema.md). Rank 0 writes,
 * serially: the file is opened, one run group written and the file closed
 * again, so that a killed job leaves every finished run readable. Files
 * are written through h5file.h, so a write the file system refuses is an
 * error returned here, never one left inside HDF5. */
#ifndef CLOCKLAB_H5WRITER_H
#define CLOCKLAB_H5WRITER_H

#include "output/run_result.h"

#include <stddef.h>

struct file_attrs {
    const char *version, *git_commit, *command_line, *mpi_library, *hosts;
    int nranks;
    /* NULL when absent; an array task's own job id, its index and the array's id */
    const char *slurm_job_id, *slurm_array_task_id, *slurm_array_job_id;
};

/* Create (truncate) path with the root attributes and an empty /runs group.
 * Returns 0, or -1 with a message naming the path in err and errno the file
 * system's error (ENOSPC, EDQUOT, EIO, ...; 0 when HDF5 refused for another
 * reason); the file may then be damaged (h5file.h). */
int h5_create(const char *path, const struct file_attrs *a, char *err, size_t errlen);

/* Append /runs/<r->name> to an existing file. Returns 0, or -1 with a
 * message and errno as h5_create. */
int h5_write_run(const char *path, const struct run_result *r, char *err, size_t errlen);

/* The HDF5 library version, "1.10.8". */
const char *h5_library_version(void);

#endif
