/* Opening the result file. See output_open.h. */
#include "output/output_open.h"

#include <errno.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

void output_host_list(MPI_Comm comm, char *out, size_t n) {
    int rank, size, len;
    MPI_Comm_rank(comm, &rank);
    MPI_Comm_size(comm, &size);
    char me[MPI_MAX_PROCESSOR_NAME] = {0};
    MPI_Get_processor_name(me, &len);
    char *all = rank == 0 ? calloc((size_t)size, MPI_MAX_PROCESSOR_NAME) : NULL;
    MPI_Gather(me, MPI_MAX_PROCESSOR_NAME, MPI_CHAR, all, MPI_MAX_PROCESSOR_NAME, MPI_CHAR, 0,
               comm);
    out[0] = '\0';
    if (rank != 0 || !all) return;
    for (int i = 0; i < size; i++) {
        const char *h = all + (size_t)i * MPI_MAX_PROCESSOR_NAME;
        int seen = 0;
        for (int j = 0; j < i && !seen; j++)
            seen = !strcmp(h, all + (size_t)j * MPI_MAX_PROCESSOR_NAME);
        size_t l = strlen(out);
        if (!seen) snprintf(out + l, n - l, "%s%s", l ? "," : "", h);
    }
    free(all);
}

/* The arguments joined by spaces (malloc'd, NULL when out of memory). */
static char *join_args(int argc, char **argv) {
    size_t len = 1;
    for (int i = 0; i < argc; i++)
        len += strlen(argv[i]) + 1;
    char *s = calloc(len, 1);
    for (int i = 0; s && i < argc; i++) {
        strcat(s, argv[i]);
        if (i + 1 < argc) strcat(s, " ");
    }
    return s;
}

/* Rank 0: refuse the path or create the file. */
int output_check_path(const char *path, int force, int existing, char *err, size_t n) {
    struct stat st;
    int exists = stat(path, &st) == 0;
    if (exists && !S_ISREG(st.st_mode)) {
        snprintf(err, n, "output file '%s' is not a regular file (-o names the HDF5 file to write)",
                 path);
        return -1;
    }
    if (existing && exists && !force) {
        snprintf(err, n, "output file '%s' exists (use --force to overwrite, or -o FILE)", path);
        return -1;
    }
    char *dir = strdup(path);
    const char *d = dir ? dirname(dir) : ".";
    if (access(d, W_OK) != 0) {
        snprintf(err, n, "cannot create output file '%s': directory '%s': %s", path, d,
                 strerror(errno));
        free(dir);
        return -1;
    }
    free(dir);
    return 0;
}

static int create(struct outfile *out, const struct output_request *req, int nranks,
                  const char *hosts, char *err, size_t n) {
    const char *path = req->path;
    if (output_check_path(path, req->force, 1, err, n)) return -1;
    char lib[MPI_MAX_LIBRARY_VERSION_STRING];
    int len;
    MPI_Get_library_version(lib, &len);
    char *nl = strchr(lib, '\n');
    if (nl) *nl = '\0';
    char *cmd = join_args(req->argc, req->argv);
    struct file_attrs a = {.version = req->version,
                           .git_commit = req->git_commit,
                           .command_line = cmd ? cmd : "",
                           .mpi_library = lib,
                           .hosts = hosts,
                           .nranks = nranks,
                           .slurm_job_id = getenv("SLURM_JOB_ID"),
                           .slurm_array_task_id = getenv("SLURM_ARRAY_TASK_ID"),
                           .slurm_array_job_id = getenv("SLURM_ARRAY_JOB_ID")};
    int rc = outfile_create(out, path, &a, err, n);
    free(cmd);
    return rc;
}

int output_open(MPI_Comm comm, struct outfile *out, const struct output_request *req, char *err,
                size_t n) {
    int rank, size, rc = 0;
    MPI_Comm_rank(comm, &rank);
    MPI_Comm_size(comm, &size);
    char hosts[4096];
    output_host_list(comm, hosts, sizeof hosts);
    if (rank == 0) rc = create(out, req, size, hosts, err, n);
    MPI_Bcast(&rc, 1, MPI_INT, 0, comm);
    return rc;
}
