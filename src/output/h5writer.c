#include "output/h5writer.h"

#include "output/h5file.h"
#include "output/schema_names.h"

#include <errno.h>
#include <hdf5.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static int attr_str(hid_t obj, const char *name, const char *value) {
    hid_t type = H5Tcopy(H5T_C_S1);
    H5Tset_size(type, H5T_VARIABLE);
    H5Tset_cset(type, H5T_CSET_UTF8);
    hid_t space = H5Screate(H5S_SCALAR);
    hid_t a = H5Acreate2(obj, name, type, space, H5P_DEFAULT, H5P_DEFAULT);
    const char *v = value ? value : "";
    herr_t rc = a < 0 ? -1 : H5Awrite(a, type, &v);
    if (a >= 0) H5Aclose(a);
    H5Sclose(space);
    H5Tclose(type);
    return rc < 0 ? -1 : 0;
}

static int attr_num(hid_t obj, const char *name, hid_t type, const void *value) {
    hid_t space = H5Screate(H5S_SCALAR);
    hid_t a = H5Acreate2(obj, name, type, space, H5P_DEFAULT, H5P_DEFAULT);
    herr_t rc = a < 0 ? -1 : H5Awrite(a, type, value);
    if (a >= 0) H5Aclose(a);
    H5Sclose(space);
    return rc < 0 ? -1 : 0;
}

/* Write a dataset of rank 1 or 2 (dims[1] = 0 for rank 1), with a units
 * attribute when units is not NULL. */
static int dataset(hid_t loc, const char *name, hid_t type, size_t d0, size_t d1, const void *data,
                   const char *units) {
    hsize_t dims[2] = {d0, d1};
    hid_t space = H5Screate_simple(d1 ? 2 : 1, dims, NULL);
    hid_t d = H5Dcreate2(loc, name, type, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    herr_t rc = d < 0 ? -1 : 0;
    if (rc == 0 && d0 > 0) rc = H5Dwrite(d, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, data);
    if (rc == 0 && units) rc = attr_str(d, "units", units);
    if (d >= 0) H5Dclose(d);
    H5Sclose(space);
    return rc < 0 ? -1 : 0;
}

static hid_t fixed_string_type(size_t len) {
    hid_t t = H5Tcopy(H5T_C_S1);
    H5Tset_size(t, len);
    H5Tset_strpad(t, H5T_STR_NULLPAD);
    return t;
}

int h5_create(const char *path, const struct file_attrs *a, char *err, size_t errlen) {
    struct h5_io io;
    hid_t f = h5_file_create(path, &io);
    if (f < 0) {
        snprintf(err, errlen, "cannot create output file '%s': %s", path, strerror(errno));
        return -1;
    }
    char created[64];
    time_t now = time(NULL);
    strftime(created, sizeof created, "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));
    int rc = 0;
    rc |= attr_str(f, "schema", SCHEMA_NAME);
    rc |= attr_str(f, "software", "clocklab");
    rc |= attr_str(f, "version", a->version);
    rc |= attr_str(f, "git_commit", a->git_commit);
    rc |= attr_str(f, "created", created);
    rc |= attr_str(f, "command_line", a->command_line);
    rc |= attr_str(f, "mpi_library", a->mpi_library);
    rc |= attr_str(f, "hdf5_version", h5_library_version());
    rc |= attr_str(f, "hosts", a->hosts);
    rc |= attr_num(f, "nranks", H5T_NATIVE_INT, &a->nranks);
    if (a->slurm_job_id) rc |= attr_str(f, "slurm_job_id", a->slurm_job_id);
    if (a->slurm_array_task_id) rc |= attr_str(f, "slurm_array_task_id", a->slurm_array_task_id);
    if (a->slurm_array_job_id) rc |= attr_str(f, "slurm_array_job_id", a->slurm_array_job_id);
    hid_t g = H5Gcreate2(f, "runs", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    if (g < 0)
        rc = -1;
    else
        H5Gclose(g);
    if (h5_file_close(f, &io) < 0)
        rc = -1;
    else
        errno = 0;
    if (rc)
        snprintf(err, errlen, "cannot write output file '%s'%s%s", path, errno ? ": " : "",
                 errno ? strerror(errno) : "");
    return rc ? -1 : 0;
}

const char *h5_library_version(void) {
    static char v[32];
    unsigned maj, min, rel;
    H5get_libversion(&maj, &min, &rel);
    snprintf(v, sizeof v, "%u.%u.%u", maj, min, rel);
    return v;
}

/* The declared plain dataset `path` (schema_names.c) in its group g, with
 * its unit as the units attribute. */
static int plain(hid_t g, const char *path, hid_t type, size_t d0, size_t d1, const void *data) {
    const struct schema_dataset *d = schema_dataset(path);
    return dataset(g, schema_basename(d), type, d0, d1, data, d->unit);
}

static hid_t enum_type(const char *const *names, int count) {
    hid_t t = H5Tenum_create(H5T_NATIVE_INT32);
    for (int32_t v = 0; v < count; v++)
        H5Tenum_insert(t, names[v], &v);
    return t;
}

static hid_t field_type(enum schema_type type) {
    switch (type) {
    case SCHEMA_F64:
        return H5Tcopy(H5T_NATIVE_DOUBLE);
    case SCHEMA_I32:
        return H5Tcopy(H5T_NATIVE_INT32);
    case SCHEMA_I8:
        return H5Tcopy(H5T_NATIVE_INT8);
    case SCHEMA_U64:
        return H5Tcopy(H5T_NATIVE_UINT64);
    case SCHEMA_EVENT_KIND:
        return enum_type(schema_event_kinds, schema_nevent_kinds);
    case SCHEMA_REQUEST_STATUS:
        return enum_type(schema_request_statuses, schema_nrequest_statuses);
    }
    return -1;
}

/* The declared compound dataset `path` in its group g: rows of its row
 * struct, with the units attribute "field=unit;...". */
static int compound(hid_t g, const char *path, size_t rows, const void *data) {
    const struct schema_dataset *d = schema_dataset(path);
    hid_t t = H5Tcreate(H5T_COMPOUND, d->row_size);
    for (const struct schema_field *f = d->fields; f->name; f++) {
        hid_t ft = field_type(f->type);
        H5Tinsert(t, f->name, f->offset, ft);
        H5Tclose(ft);
    }
    char units[1024];
    schema_field_units(d, units, sizeof units);
    int rc = dataset(g, schema_basename(d), t, rows, 0, data, units);
    H5Tclose(t);
    return rc;
}

static int write_nodes(hid_t run, const struct run_result *r) {
    size_t n = (size_t)r->nodes;
    hid_t g = H5Gcreate2(run, "nodes", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    if (g < 0) return -1;
    int rc = 0;
    rc |= plain(g, "nodes/initial_offset", H5T_NATIVE_DOUBLE, n, 0, r->initial_offset);
    rc |= plain(g, "nodes/drift", H5T_NATIVE_DOUBLE, n, 0, r->drift);
    rc |= plain(g, "nodes/crashed_at", H5T_NATIVE_DOUBLE, n, 0, r->crashed_at);
    rc |= plain(g, "nodes/recovered_at", H5T_NATIVE_DOUBLE, n, 0, r->recovered_at);
    hid_t st = fixed_string_type(LABEL_LEN);
    rc |= plain(g, "nodes/label", st, n, 0, r->labels);
    H5Tclose(st);
    H5Gclose(g);
    return rc;
}

/* A table of rows written as one dataset [R] per column (evaluation/,
 * fidelity/): the column's path, its offset in the row and its type. */
struct column {
    const char *path;
    size_t offset;
    enum schema_type type; /* SCHEMA_F64, SCHEMA_I32 or SCHEMA_U64 */
};

static int write_columns(hid_t g, const struct column *cols, size_t ncols, const void *rows,
                         size_t row_size, size_t n) {
    char *v = malloc(n * 8 + 1);
    int rc = v ? 0 : -1;
    for (size_t c = 0; rc == 0 && c < ncols; c++) {
        size_t width = cols[c].type == SCHEMA_I32 ? 4 : 8;
        for (size_t i = 0; i < n; i++)
            memcpy(v + i * width, (const char *)rows + i * row_size + cols[c].offset, width);
        hid_t type = cols[c].type == SCHEMA_I32   ? H5T_NATIVE_INT32
                     : cols[c].type == SCHEMA_U64 ? H5T_NATIVE_UINT64
                                                  : H5T_NATIVE_DOUBLE;
        rc |= plain(g, cols[c].path, type, n, 0, v);
    }
    free(v);
    return rc;
}

/* evaluation/: one dataset [R] per column, a row per (delay, node). */
static int write_evaluation(hid_t run, const struct run_result *r) {
    hid_t g = H5Gcreate2(run, "evaluation", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    if (g < 0) return -1;
    static const struct column columns[] = {
        {"evaluation/node", offsetof(struct eval_row, node), SCHEMA_I32},
        {"evaluation/samples", offsetof(struct eval_row, samples), SCHEMA_I32},
        {"evaluation/at", offsetof(struct eval_row, at), SCHEMA_F64},
        {"evaluation/time", offsetof(struct eval_row, time), SCHEMA_F64},
        {"evaluation/offset", offsetof(struct eval_row, offset), SCHEMA_F64},
        {"evaluation/rtt_min", offsetof(struct eval_row, rtt_min), SCHEMA_F64},
        {"evaluation/true_offset", offsetof(struct eval_row, true_offset), SCHEMA_F64},
    };
    int rc = write_columns(g, columns, sizeof columns / sizeof columns[0], r->evaluation,
                           sizeof *r->evaluation, r->nevaluation);
    H5Gclose(g);
    return rc;
}

static int write_clock(hid_t run, const struct run_result *r) {
    hid_t g = H5Gcreate2(run, "clock", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    if (g < 0) return -1;
    int rc = 0;
    rc |= plain(g, "clock/time", H5T_NATIVE_DOUBLE, r->nsamples, 0, r->sample_time);
    rc |= plain(g, "clock/offset", H5T_NATIVE_DOUBLE, r->nsamples, (size_t)r->nodes, r->offset);
    rc |= compound(g, "clock/rounds", r->nrounds, r->rounds);
    /* clock/models: one row per linear model a node applied */
    if (r->nmodels) rc |= compound(g, "clock/models", r->nmodels, r->models);
    H5Gclose(g);
    return rc;
}

static int write_messages(hid_t run, const struct run_result *r) {
    hid_t g = H5Gcreate2(run, "messages", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    if (g < 0) return -1;
    size_t t = (size_t)r->ntypes, n = (size_t)r->nodes, width = 1;
    for (size_t i = 0; i < t; i++)
        if (strlen(r->type_names[i]) > width) width = strlen(r->type_names[i]);
    char *names = calloc(t ? t : 1, width);
    for (size_t i = 0; names && i < t; i++)
        memcpy(names + i * width, r->type_names[i], strlen(r->type_names[i]));
    hid_t st = fixed_string_type(width);
    int rc = names ? 0 : -1;
    rc |= plain(g, "messages/types", st, t, 0, names);
    H5Tclose(st);
    free(names);
    if (t > 0) {
        rc |= plain(g, "messages/sent", H5T_NATIVE_UINT64, n, t, r->sent);
        rc |= plain(g, "messages/received", H5T_NATIVE_UINT64, n, t, r->received);
        rc |= plain(g, "messages/bytes_sent", H5T_NATIVE_UINT64, n, t, r->bytes_sent);
        rc |= plain(g, "messages/dropped", H5T_NATIVE_UINT64, n, t, r->dropped);
    }
    H5Gclose(g);
    return rc;
}

static int write_election(hid_t run, const struct run_result *r) {
    size_t n = (size_t)r->nodes;
    hid_t g = H5Gcreate2(run, "election", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    if (g < 0) return -1;
    int rc = 0;
    rc |= plain(g, "election/ids", H5T_NATIVE_INT32, n, 0, r->ids);
    rc |= plain(g, "election/leader", H5T_NATIVE_INT32, n, 0, r->leader);
    rc |= plain(g, "election/decided_at", H5T_NATIVE_DOUBLE, n, 0, r->decided_at);
    rc |= compound(g, "election/history", r->nhistory, r->history);
    H5Gclose(g);
    return rc;
}

static int write_events(hid_t run, const struct run_result *r) {
    hid_t g = H5Gcreate2(run, "events", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    if (g < 0) return -1;
    int rc = compound(g, "events/table", r->nevents, r->events);
    if (r->vectors)
        rc |=
            plain(g, "events/vector", H5T_NATIVE_UINT32, r->nevents, (size_t)r->nodes, r->vectors);
    H5Gclose(g);
    return rc;
}

static int write_requests(hid_t run, const struct run_result *r) {
    hid_t g = H5Gcreate2(run, "requests", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    if (g < 0) return -1;
    int rc = compound(g, "requests/table", r->nrequests, r->requests);
    rc |= compound(g, "requests/queue", r->nqueue, r->queue);
    H5Gclose(g);
    return rc;
}

static int write_mutex(hid_t run, const struct run_result *r) {
    hid_t g = H5Gcreate2(run, "mutex", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    if (g < 0) return -1;
    int rc = compound(g, "mutex/sections", r->nsections, r->sections);
    H5Gclose(g);
    return rc;
}

/* fidelity/: one dataset [N] per figure, rows by node. */
static int write_fidelity(hid_t run, const struct run_result *r) {
    hid_t g = H5Gcreate2(run, "fidelity", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    if (g < 0) return -1;
#define FIGURE(name, type)                                                                         \
    { "fidelity/" #name, offsetof(struct fidelity_summary, name), type }
    static const struct column figures[] = {
        FIGURE(delivery_p50, SCHEMA_F64), FIGURE(delivery_p99, SCHEMA_F64),
        FIGURE(delivery_max, SCHEMA_F64), FIGURE(timer_p50, SCHEMA_F64),
        FIGURE(timer_p99, SCHEMA_F64),    FIGURE(timer_max, SCHEMA_F64),
        FIGURE(deliveries, SCHEMA_U64),   FIGURE(timers, SCHEMA_U64),
        FIGURE(cpu_time, SCHEMA_F64)};
#undef FIGURE
    int rc = write_columns(g, figures, sizeof figures / sizeof figures[0], r->fidelity,
                           sizeof *r->fidelity, (size_t)r->nodes);
    if (rc == 0) rc |= attr_num(g, "threshold", H5T_NATIVE_DOUBLE, &r->fidelity_threshold);
    H5Gclose(g);
    return rc;
}

static int write_results(hid_t run, const struct run_result *r) {
    hid_t g = H5Gcreate2(run, "results", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    if (g < 0) return -1;
    int rc = 0;
    for (int i = 0; i < r->nresults; i++)
        rc |= dataset(g, r->result_name[i], H5T_NATIVE_DOUBLE, (size_t)r->nodes, 0,
                      r->result_value[i], NULL);
    H5Gclose(g);
    return rc;
}

int h5_write_run(const char *path, const struct run_result *r, char *err, size_t errlen) {
    struct h5_io io;
    hid_t f = h5_file_open(path, &io);
    if (f < 0) {
        snprintf(err, errlen, "cannot open output file '%s' to add %s: %s", path, r->name,
                 strerror(errno));
        return -1;
    }
    char gname[64];
    snprintf(gname, sizeof gname, "runs/%s", r->name);
    hid_t run = H5Gcreate2(f, gname, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    int rc = run < 0 ? -1 : 0;
    if (rc == 0) {
        int nodes = r->nodes;
        unsigned long long seed = r->seed;
        rc |= attr_str(run, "algorithm", r->algorithm);
        rc |= attr_str(run, "family", r->family);
        rc |= attr_num(run, "nodes", H5T_NATIVE_INT, &nodes);
        rc |= attr_num(run, "seed", H5T_NATIVE_ULLONG, &seed);
        rc |= attr_str(run, "status", r->status);
        rc |= attr_str(run, "time", r->time);
        rc |= attr_str(run, "config", r->config_text);
        rc |= attr_num(run, "wall_time", H5T_NATIVE_DOUBLE, &r->wall_time);
        rc |= attr_num(run, "duration", H5T_NATIVE_DOUBLE, &r->duration);
        if (strcmp(r->time, "explore") == 0) {
            const struct explore_result *x = &r->explore;
            rc |= attr_num(run, "explore_executions", H5T_NATIVE_ULLONG, &x->executions);
            rc |= attr_num(run, "explore_distinct", H5T_NATIVE_ULLONG, &x->distinct);
            rc |= attr_num(run, "explore_violations", H5T_NATIVE_ULLONG, &x->violations);
            rc |= attr_num(run, "explore_liveness_failures", H5T_NATIVE_ULLONG,
                           &x->liveness_failures);
            rc |= attr_num(run, "explore_events", H5T_NATIVE_ULLONG, &x->events);
            rc |= attr_num(run, "explore_max_choices", H5T_NATIVE_ULLONG, &x->max_choices);
            rc |= attr_num(run, "explore_exhausted", H5T_NATIVE_INT, &x->exhausted);
            rc |= attr_num(run, "explore_wall_time", H5T_NATIVE_DOUBLE, &x->wall_time);
            rc |= attr_num(run, "explore_first_violation", H5T_NATIVE_DOUBLE, &x->first_violation);
            rc |= attr_str(run, "explore_violation", x->violation);
            rc |= attr_str(run, "explore_schedule", x->schedule ? x->schedule : "");
        }
        if (strcmp(r->time, "virtual") == 0) {
            rc |= attr_num(run, "events_processed", H5T_NATIVE_ULLONG, &r->events_processed);
            rc |= attr_num(run, "event_time", H5T_NATIVE_DOUBLE, &r->event_time);
            rc |= attr_num(run, "windows", H5T_NATIVE_ULLONG, &r->windows);
            rc |= attr_num(run, "window_time", H5T_NATIVE_DOUBLE, &r->window_time);
        }
        /* the groups in turn, up to the first failure (a write the file
         * system refused fails none of them: io says so) */
#define STEP(cond, call)                                                                           \
    if (rc == 0 && !io.error && (cond)) rc = call
        STEP(1, write_nodes(run, r));
        STEP(r->has_clock, write_clock(run, r));
        STEP(1, write_messages(run, r));
        STEP(r->has_election, write_election(run, r));
        STEP(r->has_events, write_events(run, r));
        STEP(r->has_requests, write_requests(run, r));
        STEP(r->has_sections, write_mutex(run, r));
        STEP(r->nresults, write_results(run, r));
        STEP(r->fidelity != NULL, write_fidelity(run, r));
        STEP(r->nevaluation, write_evaluation(run, r));
#undef STEP
        H5Gclose(run);
    }
    if (h5_file_close(f, &io) < 0)
        rc = -1;
    else
        errno = 0;
    if (rc)
        snprintf(err, errlen, "cannot write %s to output file '%s'%s%s", r->name, path,
                 errno ? ": " : "", errno ? strerror(errno) : "");
    return rc ? -1 : 0;
}
