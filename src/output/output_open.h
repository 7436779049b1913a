/* Opening the result file of a run of clocklab (collective): the checks of
 * the path that refuse it before anything runs, the root attributes
 * (program, command line, MPI library, the distinct hosts of the ranks,
 * Slurm job) and outfile_create on rank 0. */
#ifndef CLOCKLAB_OUTPUT_OPEN_H
#define CLOCKLAB_OUTPUT_OPEN_H

#include "output/outfile.h"

#include <mpi.h>
#include <stddef.h>

struct output_request {
    const char *path;
    int force; /* overwrite an existing regular file */
    int argc;  /* the command line, for the command_line attribute */
    char **argv;
    const char *version, *git_commit; /* of this program */
};

/* The checks output_open makes of a path before it creates the file, on
 * this process (no MPI, nothing created): a path that exists and is not a
 * regular file, a directory this process cannot write to (access(2)), and,
 * when `existing`, an existing file without force. Returns 0, or -1 with
 * one message naming the path in err. */
int output_check_path(const char *path, int force, int existing, char *err, size_t errlen);

/* Collective over comm: rank 0 refuses a path that is not a regular file,
 * an existing file without force and a directory it cannot write to, and
 * otherwise creates the file in *out (outfile_create). Returns 0 on every
 * rank, or -1 on every rank with the message in err on rank 0. */
int output_open(MPI_Comm comm, struct outfile *out, const struct output_request *req, char *err,
                size_t errlen);

/* Collective over comm: a comma list of the distinct host names of all
 * ranks (MPI_Get_processor_name), in rank order of first appearance, into
 * out on rank 0 (cut to n bytes); "" on the other ranks. */
void output_host_list(MPI_Comm comm, char *out, size_t n);

#endif
