#include "h5writer.h"

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
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    hid_t f = H5Fcreate(path, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    if (f < 0) {
        snprintf(err, errlen, "cannot create output file '%s'", path);
        return -1;
    }
    char created[64];
    time_t now = time(NULL);
    strftime(created, sizeof created, "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));
    int rc = 0;
    rc |= attr_str(f, "schema", "clocklab/1");
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
    if (H5Fclose(f) < 0) rc = -1;
    if (rc) snprintf(err, errlen, "cannot write output file '%s'", path);
    return rc ? -1 : 0;
}

const char *h5_library_version(void) {
    static char v[32];
    unsigned maj, min, rel;
    H5get_libversion(&maj, &min, &rel);
    snprintf(v, sizeof v, "%u.%u.%u", maj, min, rel);
    return v;
}

static int write_nodes(hid_t run, const struct run_result *r) {
    size_t n = (size_t)r->nodes;
    hid_t g = H5Gcreate2(run, "nodes", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    if (g < 0) return -1;
    int rc = 0;
    rc |= dataset(g, "initial_offset", H5T_NATIVE_DOUBLE, n, 0, r->initial_offset, "s");
    rc |= dataset(g, "drift", H5T_NATIVE_DOUBLE, n, 0, r->drift, "ppm");
    rc |= dataset(g, "crashed_at", H5T_NATIVE_DOUBLE, n, 0, r->crashed_at, "s");
    rc |= dataset(g, "recovered_at", H5T_NATIVE_DOUBLE, n, 0, r->recovered_at, "s");
    hid_t st = fixed_string_type(LABEL_LEN);
    rc |= dataset(g, "label", st, n, 0, r->labels, NULL);
    H5Tclose(st);
    H5Gclose(g);
    return rc;
}

static hid_t round_type(void) {
    hid_t t = H5Tcreate(H5T_COMPOUND, sizeof(struct round_row));
    H5Tinsert(t, "node", HOFFSET(struct round_row, node), H5T_NATIVE_INT32);
    H5Tinsert(t, "round", HOFFSET(struct round_row, round), H5T_NATIVE_INT32);
    H5Tinsert(t, "time", HOFFSET(struct round_row, time), H5T_NATIVE_DOUBLE);
    H5Tinsert(t, "rtt", HOFFSET(struct round_row, rtt), H5T_NATIVE_DOUBLE);
    H5Tinsert(t, "estimated_offset", HOFFSET(struct round_row, estimated_offset),
              H5T_NATIVE_DOUBLE);
    H5Tinsert(t, "true_offset", HOFFSET(struct round_row, true_offset), H5T_NATIVE_DOUBLE);
    H5Tinsert(t, "adjustment", HOFFSET(struct round_row, adjustment), H5T_NATIVE_DOUBLE);
    H5Tinsert(t, "excluded", HOFFSET(struct round_row, excluded), H5T_NATIVE_INT8);
    return t;
}

static int write_clock(hid_t run, const struct run_result *r) {
    hid_t g = H5Gcreate2(run, "clock", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    if (g < 0) return -1;
    int rc = 0;
    rc |= dataset(g, "time", H5T_NATIVE_DOUBLE, r->nsamples, 0, r->sample_time, "s");
    rc |= dataset(g, "offset", H5T_NATIVE_DOUBLE, r->nsamples, (size_t)r->nodes, r->offset, "s");
    hid_t rt = round_type();
    rc |= dataset(g, "rounds", rt, r->nrounds, 0, r->rounds, "s");
    H5Tclose(rt);
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
    rc |= dataset(g, "types", st, t, 0, names, NULL);
    H5Tclose(st);
    free(names);
    if (t > 0) {
        rc |= dataset(g, "sent", H5T_NATIVE_UINT64, n, t, r->sent, NULL);
        rc |= dataset(g, "received", H5T_NATIVE_UINT64, n, t, r->received, NULL);
        rc |= dataset(g, "bytes_sent", H5T_NATIVE_UINT64, n, t, r->bytes_sent, "bytes");
        rc |= dataset(g, "dropped", H5T_NATIVE_UINT64, n, t, r->dropped, NULL);
    }
    H5Gclose(g);
    return rc;
}

static int write_election(hid_t run, const struct run_result *r) {
    size_t n = (size_t)r->nodes;
    hid_t g = H5Gcreate2(run, "election", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    if (g < 0) return -1;
    int rc = 0;
    rc |= dataset(g, "ids", H5T_NATIVE_INT32, n, 0, r->ids, NULL);
    rc |= dataset(g, "leader", H5T_NATIVE_INT32, n, 0, r->leader, NULL);
    rc |= dataset(g, "decided_at", H5T_NATIVE_DOUBLE, n, 0, r->decided_at, "s");
    hid_t t = H5Tcreate(H5T_COMPOUND, sizeof(struct history_row));
    H5Tinsert(t, "node", HOFFSET(struct history_row, node), H5T_NATIVE_INT32);
    H5Tinsert(t, "time", HOFFSET(struct history_row, time), H5T_NATIVE_DOUBLE);
    H5Tinsert(t, "leader", HOFFSET(struct history_row, leader), H5T_NATIVE_INT32);
    rc |= dataset(g, "history", t, r->nhistory, 0, r->history, "s");
    H5Tclose(t);
    H5Gclose(g);
    return rc;
}

static int write_events(hid_t run, const struct run_result *r) {
    hid_t g = H5Gcreate2(run, "events", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    if (g < 0) return -1;
    hid_t kind = H5Tenum_create(H5T_NATIVE_INT32);
    const char *names[] = {"SEND", "RECEIVE", "INTERNAL", "DELIVER"};
    for (int32_t v = 0; v < 4; v++)
        H5Tenum_insert(kind, names[v], &v);
    hid_t t = H5Tcreate(H5T_COMPOUND, sizeof(struct event_row));
    H5Tinsert(t, "node", HOFFSET(struct event_row, node), H5T_NATIVE_INT32);
    H5Tinsert(t, "seq", HOFFSET(struct event_row, seq), H5T_NATIVE_UINT64);
    H5Tinsert(t, "kind", HOFFSET(struct event_row, kind), kind);
    H5Tinsert(t, "peer", HOFFSET(struct event_row, peer), H5T_NATIVE_INT32);
    H5Tinsert(t, "type", HOFFSET(struct event_row, type), H5T_NATIVE_INT32);
    H5Tinsert(t, "msg", HOFFSET(struct event_row, msg), H5T_NATIVE_UINT64);
    H5Tinsert(t, "lamport", HOFFSET(struct event_row, lamport), H5T_NATIVE_UINT64);
    H5Tinsert(t, "local_time", HOFFSET(struct event_row, local_time), H5T_NATIVE_DOUBLE);
    H5Tinsert(t, "time", HOFFSET(struct event_row, time), H5T_NATIVE_DOUBLE);
    H5Tinsert(t, "due", HOFFSET(struct event_row, due), H5T_NATIVE_DOUBLE);
    int rc = dataset(g, "table", t, r->nevents, 0, r->events, "s");
    if (r->vectors)
        rc |=
            dataset(g, "vector", H5T_NATIVE_UINT32, r->nevents, (size_t)r->nodes, r->vectors, NULL);
    H5Tclose(t);
    H5Tclose(kind);
    H5Gclose(g);
    return rc;
}

static int write_requests(hid_t run, const struct run_result *r) {
    hid_t g = H5Gcreate2(run, "requests", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    if (g < 0) return -1;
    hid_t status = H5Tenum_create(H5T_NATIVE_INT32);
    const char *names[] = {"SERVED", "TIMEOUT", "NO_SERVER", "PENDING", "LOST"};
    for (int32_t v = 0; v < 5; v++)
        H5Tenum_insert(status, names[v], &v);
    hid_t t = H5Tcreate(H5T_COMPOUND, sizeof(struct request_row));
    H5Tinsert(t, "id", HOFFSET(struct request_row, id), H5T_NATIVE_UINT64);
    H5Tinsert(t, "client", HOFFSET(struct request_row, client), H5T_NATIVE_INT32);
    H5Tinsert(t, "coordinator", HOFFSET(struct request_row, coordinator), H5T_NATIVE_INT32);
    H5Tinsert(t, "server", HOFFSET(struct request_row, server), H5T_NATIVE_INT32);
    H5Tinsert(t, "status", HOFFSET(struct request_row, status), status);
    H5Tinsert(t, "attempts", HOFFSET(struct request_row, attempts), H5T_NATIVE_INT32);
    H5Tinsert(t, "dispatches", HOFFSET(struct request_row, dispatches), H5T_NATIVE_INT32);
    H5Tinsert(t, "served", HOFFSET(struct request_row, served), H5T_NATIVE_INT32);
    const char *times[] = {"sent",     "dispatched", "arrived",       "started",
                           "finished", "received",   "response_local"};
    size_t offsets[] = {
        HOFFSET(struct request_row, sent),          HOFFSET(struct request_row, dispatched),
        HOFFSET(struct request_row, arrived),       HOFFSET(struct request_row, started),
        HOFFSET(struct request_row, finished),      HOFFSET(struct request_row, received),
        HOFFSET(struct request_row, response_local)};
    for (size_t i = 0; i < sizeof offsets / sizeof offsets[0]; i++)
        H5Tinsert(t, times[i], offsets[i], H5T_NATIVE_DOUBLE);
    int rc = dataset(g, "table", t, r->nrequests, 0, r->requests, "s");
    hid_t q = H5Tcreate(H5T_COMPOUND, sizeof(struct queue_row));
    H5Tinsert(q, "node", HOFFSET(struct queue_row, node), H5T_NATIVE_INT32);
    H5Tinsert(q, "time", HOFFSET(struct queue_row, time), H5T_NATIVE_DOUBLE);
    H5Tinsert(q, "waiting", HOFFSET(struct queue_row, waiting), H5T_NATIVE_INT32);
    H5Tinsert(q, "in_service", HOFFSET(struct queue_row, in_service), H5T_NATIVE_INT32);
    rc |= dataset(g, "queue", q, r->nqueue, 0, r->queue, "s");
    H5Tclose(q);
    H5Tclose(t);
    H5Tclose(status);
    H5Gclose(g);
    return rc;
}

static int write_mutex(hid_t run, const struct run_result *r) {
    hid_t g = H5Gcreate2(run, "mutex", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    if (g < 0) return -1;
    hid_t t = H5Tcreate(H5T_COMPOUND, sizeof(struct section_row));
    H5Tinsert(t, "node", HOFFSET(struct section_row, node), H5T_NATIVE_INT32);
    H5Tinsert(t, "seq", HOFFSET(struct section_row, seq), H5T_NATIVE_UINT64);
    H5Tinsert(t, "stamp", HOFFSET(struct section_row, stamp), H5T_NATIVE_UINT64);
    H5Tinsert(t, "requested", HOFFSET(struct section_row, requested), H5T_NATIVE_DOUBLE);
    H5Tinsert(t, "entered", HOFFSET(struct section_row, entered), H5T_NATIVE_DOUBLE);
    H5Tinsert(t, "exited", HOFFSET(struct section_row, exited), H5T_NATIVE_DOUBLE);
    H5Tinsert(t, "requested_local", HOFFSET(struct section_row, requested_local),
              H5T_NATIVE_DOUBLE);
    H5Tinsert(t, "entered_local", HOFFSET(struct section_row, entered_local), H5T_NATIVE_DOUBLE);
    H5Tinsert(t, "exited_local", HOFFSET(struct section_row, exited_local), H5T_NATIVE_DOUBLE);
    int rc = dataset(g, "sections", t, r->nsections, 0, r->sections, "s");
    H5Tclose(t);
    H5Gclose(g);
    return rc;
}

/* fidelity/: one dataset [N] per figure, rows by node. */
static int write_fidelity(hid_t run, const struct run_result *r) {
    size_t n = (size_t)r->nodes;
    hid_t g = H5Gcreate2(run, "fidelity", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    if (g < 0) return -1;
    double *v = malloc(n * sizeof *v + 1);
    uint64_t *c = malloc(n * sizeof *c + 1);
    int rc = v && c ? 0 : -1;
    static const struct {
        const char *name;
        size_t offset;
    } figures[] = {
        {"delivery_p50", offsetof(struct fidelity_summary, delivery_p50)},
        {"delivery_p99", offsetof(struct fidelity_summary, delivery_p99)},
        {"delivery_max", offsetof(struct fidelity_summary, delivery_max)},
        {"timer_p50", offsetof(struct fidelity_summary, timer_p50)},
        {"timer_p99", offsetof(struct fidelity_summary, timer_p99)},
        {"timer_max", offsetof(struct fidelity_summary, timer_max)},
        {"cpu_time", offsetof(struct fidelity_summary, cpu_time)},
    };
    for (size_t k = 0; rc == 0 && k < sizeof figures / sizeof figures[0]; k++) {
        for (size_t i = 0; i < n; i++)
            memcpy(&v[i], (const char *)&r->fidelity[i] + figures[k].offset, sizeof(double));
        rc |= dataset(g, figures[k].name, H5T_NATIVE_DOUBLE, n, 0, v, "s");
    }
    for (size_t i = 0; rc == 0 && i < n; i++)
        c[i] = r->fidelity[i].deliveries;
    if (rc == 0) rc |= dataset(g, "deliveries", H5T_NATIVE_UINT64, n, 0, c, NULL);
    for (size_t i = 0; rc == 0 && i < n; i++)
        c[i] = r->fidelity[i].timers;
    if (rc == 0) rc |= dataset(g, "timers", H5T_NATIVE_UINT64, n, 0, c, NULL);
    if (rc == 0) rc |= attr_num(g, "threshold", H5T_NATIVE_DOUBLE, &r->fidelity_threshold);
    free(v);
    free(c);
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
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    hid_t f = H5Fopen(path, H5F_ACC_RDWR, H5P_DEFAULT);
    if (f < 0) {
        snprintf(err, errlen, "cannot open output file '%s' to add %s", path, r->name);
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
        if (strcmp(r->time, "virtual") == 0) {
            rc |= attr_num(run, "events_processed", H5T_NATIVE_ULLONG, &r->events_processed);
            rc |= attr_num(run, "event_time", H5T_NATIVE_DOUBLE, &r->event_time);
            rc |= attr_num(run, "windows", H5T_NATIVE_ULLONG, &r->windows);
            rc |= attr_num(run, "window_time", H5T_NATIVE_DOUBLE, &r->window_time);
        }
        rc |= write_nodes(run, r);
        if (r->has_clock) rc |= write_clock(run, r);
        rc |= write_messages(run, r);
        if (r->has_election) rc |= write_election(run, r);
        if (r->has_events) rc |= write_events(run, r);
        if (r->has_requests) rc |= write_requests(run, r);
        if (r->has_sections) rc |= write_mutex(run, r);
        if (r->nresults) rc |= write_results(run, r);
        if (r->fidelity) rc |= write_fidelity(run, r);
        H5Gclose(run);
    }
    H5Fflush(f, H5F_SCOPE_GLOBAL);
    if (H5Fclose(f) < 0) rc = -1;
    if (rc) snprintf(err, errlen, "cannot write %s to output file '%s'", r->name, path);
    return rc ? -1 : 0;
}
