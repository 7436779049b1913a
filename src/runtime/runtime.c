/* Run set-up, the event loop and termination. See runtime.h. */
#include "runtime/checkpoint.h"
#include "runtime/node_state.h"
#include "runtime/rt_clock.h"

#include "model/roles.h"
#include "runtime/evaluator.h"
#include "runtime/reftime.h"
#include "runtime/reliable.h"

#include "output/ckpt_writer.h"

#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Everything one node holds. */
static void free_node(struct runtime *rt, struct node_state *ns) {
    for (int i = 0; i < rt->nlayers; i++) {
        if (!ns->state[i]) continue;
        if (rt->layers[i].alg->destroy)
            rt->layers[i].alg->destroy(ns->state[i]);
        else
            free(ns->state[i]);
    }
    clock_free(&ns->clock);
    hwclock_free(ns);
    rec_free(&ns->rec);
    due_map_free(&ns->last_due);
    reliable_free(ns);
    gsl_rng_free(ns->alg_rng);
    gsl_rng_free(ns->net_rng);
    gsl_rng_free(ns->jitter_rng);
    if (ns->vt != ns->vt_small) free(ns->vt);
}

static void teardown(struct runtime *rt) {
    for (int k = 0; rt->local && k < rt->count; k++)
        free_node(rt, &rt->local[k]);
    ckpt_free(rt);
    if (rt->engine) rt->engine->free(rt);
    pool_free(&rt->pool);
    rec_free(&rt->events);
    free(rt->local);
    free(rt->first_of);
    free(rt->type_names);
    free(rt->mpi_sent_to);
    free(rt->mpi_recv_from);
    free(rt->ids);
    free(rt->initiator);
    free(rt->explored.schedule);
    memset(rt, 0, sizeof *rt);
}

/* Initial offsets and drifts are drawn per node from their streams
 * (streams.h) with GSL's taus2 generator, cheap to reseed for every node. */
static double draw(gsl_rng *r, unsigned long seed, int node, enum stream stream,
                   const struct dist *d) {
    if (d->kind == DIST_CONSTANT || d->kind == DIST_VALUES) return dist_sample(d, r, node);
    gsl_rng_set(r, stream_seed(seed, node, stream));
    return dist_sample(d, r, node);
}

/* Set up one node: clock, records, label and its algorithms' state. */
static int setup_node(struct runtime *rt, struct node_state *ns, int id,
                      const struct run_plan *plan, gsl_rng *r, const struct dist *offset,
                      const struct dist *drift, char *err, size_t n) {
    const struct config *cfg = plan->cfg;
    ns->rt = rt;
    ns->id = id;
    ns->leader = -1;
    ns->recover_at = INFINITY;
    double theta = draw(r, plan->seed, id, STREAM_OFFSET, offset),
           rho = draw(r, plan->seed, id, STREAM_DRIFT, drift);
    clock_init(&ns->clock, theta, rho, rt->granularity);
    struct node_summary *s = &ns->summary;
    s->initial_offset = theta;
    s->drift = rho;
    s->crashed_at = s->recovered_at = s->decided_at = NAN;
    s->id = rt->ids[id];
    s->leader = -1;
    const char *labels = config_get(cfg, "nodes", "labels");
    if (labels[0]) roles_label(labels, id, s->label, sizeof s->label);
    if (hwclock_setup(ns, cfg, err, n)) return -1;
    if (rec_init(&ns->rec, id, rt->nodes, rt->ntypes)) {
        snprintf(err, n, "out of memory");
        return -1;
    }
    for (int i = 0; i < rt->nlayers; i++) {
        struct node view = {ns, i};
        if (rt->layers[i].alg->configure(&view, cfg, &ns->state[i], err, n)) return -1;
    }
    return 0;
}

static int setup(struct runtime *rt, MPI_Comm comm, const struct run_plan *plan, int check,
                 char *err, size_t n) {
    const struct config *cfg = plan->cfg;
    memset(rt, 0, sizeof *rt);
    rt->comm = comm;
    MPI_Comm_rank(comm, &rt->rank);
    MPI_Comm_size(comm, &rt->size);
    rt->engine = plan->engine;
    if (!rt->engine) {
        snprintf(err, n, "%s: [experiment] time: no such engine",
                 config_origin(cfg, "experiment", "time"));
        return -1;
    }
    /* plan_check_ranks has checked the node count against the ranks (a
     * check without mpirun sets up nodes the ranks will not have) */
    rt->nodes = plan->nodes > 0 ? plan->nodes : rt->size;
    rt->first_of = calloc((size_t)rt->size + 1, sizeof *rt->first_of);
    if (!rt->first_of) {
        snprintf(err, n, "out of memory");
        return -1;
    }
    for (int r = 0; r <= rt->size; r++)
        rt->first_of[r] = (int)((long long)r * rt->nodes / rt->size);
    rt->first = rt->first_of[rt->rank];
    rt->count = rt->first_of[rt->rank + 1] - rt->first;
    /* a check sets up only the first node of the rank (runtime_check) */
    if (check && rt->count > 1) rt->count = 1;
    size_t N = (size_t)rt->nodes;
    rt->nlayers = plan->nlayers;
    for (int i = 0; i < plan->nlayers; i++) {
        struct layer *l = &rt->layers[i];
        l->alg = plan->layers[i];
        l->type_offset = rt->ntypes;
        while (l->alg->message_types[l->ntypes])
            l->ntypes++;
        rt->ntypes += l->ntypes;
        if (l->alg->family == FAMILY_ELECTION) rt->leader_elected = 1;
    }
    rt->reliable = config_bool(cfg, "network", "reliable");
    if (rt->reliable) { /* the channel's types come after the algorithms' */
        rt->retransmit_type = rt->ntypes;
        rt->ack_type = rt->ntypes + 1;
        rt->ntypes += RELIABLE_TYPES;
        rt->rto_initial = config_time(cfg, "network", "rto");
        rt->rto_min = config_time(cfg, "network", "rto_min");
        rt->rto_max = config_time(cfg, "network", "rto_max");
    }
    rt->type_names = calloc((size_t)rt->ntypes + 1, sizeof *rt->type_names);
    rt->mpi_sent_to = calloc((size_t)rt->size, sizeof(uint64_t));
    rt->mpi_recv_from = calloc((size_t)rt->size, sizeof(uint64_t));
    rt->ids = calloc(N, sizeof(int));
    rt->initiator = calloc(N, sizeof(int));
    rt->local = calloc((size_t)rt->count, sizeof *rt->local);
    if (!rt->type_names || !rt->mpi_sent_to || !rt->mpi_recv_from || !rt->ids || !rt->initiator ||
        (rt->count && !rt->local)) {
        snprintf(err, n, "out of memory");
        return -1;
    }
    for (int i = 0, k = 0; i < rt->nlayers; i++)
        for (int j = 0; j < rt->layers[i].ntypes; j++)
            rt->type_names[k++] = rt->layers[i].alg->message_types[j];
    if (rt->reliable)
        for (int j = 0; j < RELIABLE_TYPES; j++)
            rt->type_names[rt->retransmit_type + j] = reliable_type_names[j];
    rt->seed = plan->seed;
    rt->trace = config_bool(cfg, "experiment", "trace");
    rt->duration = config_time(cfg, "experiment", "duration");
    rt->timeout = config_time(cfg, "experiment", "timeout");
    rt->progress_every = rt->rank == 0 && plan->progress_every > 0 ? plan->progress_every : 0;
    snprintf(rt->progress_label, sizeof rt->progress_label, "%s", plan->progress_label);
    rt->writer = rt->rank == 0 ? plan->writer : NULL;
    rt->progress_next = rt->progress_every > 0 ? rt->progress_every : INFINITY;
    rt->granularity = config_time(cfg, "clock", "granularity");
    config_dist(cfg, "clock", "jitter", &rt->jitter);
    rt->zero_jitter = dist_is_zero(&rt->jitter);
    config_dist(cfg, "network", "delay", &rt->delay);
    rt->zero_delay = dist_is_zero(&rt->delay);
    rt->constant_delay = rt->delay.kind == DIST_CONSTANT || rt->delay.kind == DIST_VALUES;
    rt->min_delay = config_time(cfg, "network", "min_delay");
    rt->loss = config_real(cfg, "network", "loss");
    /* plan_check_nodes has checked the crash schedule and the labels */
    if (faults_parse(config_get(cfg, "faults", "crash"), &rt->crashes, err, n)) return -1;
    if (roles_ids(config_get(cfg, "election", "ids"), rt->nodes, plan->seed, rt->ids, err, n) ||
        roles_initiators(config_get(cfg, "election", "initiators"), rt->nodes, rt->ids,
                         rt->initiator, err, n)) {
        char why[512];
        snprintf(why, sizeof why, "%s", err);
        snprintf(err, n, "%s: [election]: %s", config_origin(cfg, "election", "initiators"), why);
        return -1;
    }
    if (evaluator_check(cfg, !rt->engine->paced, err, n)) return -1;
    struct dist offset, drift;
    config_dist(cfg, "clock", "offset", &offset);
    config_dist(cfg, "clock", "drift", &drift);
    gsl_rng *r = gsl_rng_alloc(gsl_rng_taus2);
    if (!r) {
        snprintf(err, n, "out of memory");
        return -1;
    }
    int rc = 0;
    rt->not_done = rt->count;
    if (rec_init(&rt->events, -1, rt->nodes, rt->ntypes)) {
        snprintf(err, n, "out of memory");
        return -1;
    }
    for (int k = 0; rc == 0 && k < rt->count; k++)
        rc = setup_node(rt, &rt->local[k], rt->first + k, plan, r, &offset, &drift, err, n);
    gsl_rng_free(r);
    rt->plan = plan;
    return rc;
}

void rt_reset_nodes(struct runtime *rt) {
    const struct run_plan *plan = rt->plan;
    struct dist offset, drift;
    config_dist(plan->cfg, "clock", "offset", &offset);
    config_dist(plan->cfg, "clock", "drift", &drift);
    gsl_rng *r = gsl_rng_alloc(gsl_rng_taus2);
    if (!r) rt_out_of_memory();
    rec_free(&rt->events);
    if (rec_init(&rt->events, -1, rt->nodes, rt->ntypes)) rt_out_of_memory();
    rt->now = 0;
    rt->stopped = rt->interrupted = rt->timed_out = 0;
    rt->not_done = rt->count;
    char err[CONFIG_ERR_LEN];
    for (int k = 0; k < rt->count; k++) {
        struct node_state *ns = &rt->local[k];
        free_node(rt, ns);
        memset(ns, 0, sizeof *ns);
        /* it was set up once from the same configuration: only memory can fail */
        if (setup_node(rt, ns, rt->first + k, plan, r, &offset, &drift, err, sizeof err))
            rt_fatal("%s", err);
    }
    gsl_rng_free(r);
}

/* Agree on failure: every rank returns -1 with the lowest failing rank's message. */
static int agree(MPI_Comm comm, int rc, char *err, size_t n) {
    int rank, size;
    MPI_Comm_rank(comm, &rank);
    MPI_Comm_size(comm, &size);
    int mine = rc ? rank : size, first = size;
    MPI_Allreduce(&mine, &first, 1, MPI_INT, MPI_MIN, comm);
    if (first == size) return 0;
    MPI_Bcast(err, (int)n, MPI_CHAR, first, comm);
    return -1;
}

int runtime_check(MPI_Comm comm, const struct run_plan *plan, char *err, size_t n) {
    struct runtime *rt = calloc(1, sizeof *rt);
    int rc = rt ? setup(rt, comm, plan, 1, err, n) : -1;
    if (rt) {
        teardown(rt);
        free(rt);
    }
    return agree(comm, rc, err, n);
}

static void join_families(const struct run_plan *plan, char *out, size_t n) {
    out[0] = '\0';
    for (int i = 0; i < plan->nlayers; i++) {
        size_t len = strlen(out);
        snprintf(out + len, n - len, "%s%s", i ? "+" : "", family_name(plan->layers[i]->family));
    }
}

/* Put a table of events of several nodes in node order, keeping each
 * node's rows in the order they happened (a stable counting sort on the
 * node), with their vector rows. Returns 0 or -1 (no memory). */
static int node_order(struct recorder *r) {
    size_t n = r->events.n, nodes = (size_t)r->nodes, w = (size_t)r->vector_width;
    if (n == 0) return 0;
    const struct event_row *rows = r->events.data;
    size_t *start = calloc(nodes + 1, sizeof *start);
    struct event_row *sorted = malloc(n * sizeof *sorted);
    uint32_t *vsorted = w ? malloc(n * w * sizeof *vsorted) : NULL;
    if (!start || !sorted || (w && !vsorted)) {
        free(start);
        free(sorted);
        free(vsorted);
        return -1;
    }
    for (size_t i = 0; i < n; i++)
        start[rows[i].node + 1]++;
    for (size_t k = 0; k < nodes; k++)
        start[k + 1] += start[k];
    const uint32_t *vrows = r->vectors.data;
    for (size_t i = 0; i < n; i++) {
        size_t at = start[rows[i].node]++;
        sorted[at] = rows[i];
        if (w) memcpy(vsorted + at * w, vrows + i * w, w * sizeof *vsorted);
    }
    free(start);
    free(r->events.data);
    r->events.data = sorted;
    r->events.cap = n;
    if (w) {
        free(r->vectors.data);
        r->vectors.data = vsorted;
        r->vectors.cap = n;
    }
    return 0;
}

/* The attributes of a run's result that its plan and set-up decide (rank 0). */
static void run_attributes(const struct runtime *rt, const struct run_plan *plan,
                           struct run_result *res) {
    snprintf(res->algorithm, sizeof res->algorithm, "%s", plan->algorithm);
    join_families(plan, res->family, sizeof res->family);
    snprintf(res->time, sizeof res->time, "%s", rt->engine->name);
    res->seed = plan->seed;
    res->fidelity_threshold = fidelity_threshold(rt->min_delay + dist_smallest_mean(&rt->delay));
    for (int i = 0; i < plan->nlayers; i++) {
        if (plan->layers[i]->family == FAMILY_CLOCK_SYNC) res->has_clock = 1;
        if (plan->layers[i]->family == FAMILY_ELECTION) res->has_election = 1;
        if (plan->layers[i]->records_events) res->has_events = 1;
    }
    if (rt->trace) res->has_events = 1;
}

/* Rank 0: start the checkpoint writer for this run (none when it cannot
 * start: the run goes on without checkpoints). */
static void start_checkpoints(struct runtime *rt, const struct run_plan *plan) {
    if (rt->rank != 0 || !(rt->ck.interval > 0) || !rt->writer) return;
    struct run_result tmpl;
    memset(&tmpl, 0, sizeof tmpl);
    run_attributes(rt, plan, &tmpl);
    tmpl.nodes = rt->nodes;
    tmpl.ntypes = rt->ntypes;
    tmpl.type_names = (const char *const *)rt->type_names;
    if (ckpt_writer_begin(rt->writer, &tmpl, rt->size,
                          config_time(plan->cfg, "clock", "sample_interval"), rt->engine->paced))
        fprintf(stderr,
                "clocklab: warning: no checkpoint writer; run %d goes on without "
                "checkpoints\n",
                plan->index + 1);
}

int runtime_run(MPI_Comm comm, const struct run_plan *plan, struct run_result *res, char *err,
                size_t n) {
    struct runtime *rt = calloc(1, sizeof *rt);
    int rc = rt ? setup(rt, comm, plan, 0, err, n) : -1;
    if (rc == 0 && rt->engine->init(rt)) {
        snprintf(err, n, "out of memory");
        rc = -1;
    }
    if (rc == 0 && ckpt_init(rt, plan)) {
        snprintf(err, n, "out of memory");
        rc = -1;
    }
    if (agree(comm, rc, err, n)) {
        if (rt) teardown(rt);
        free(rt);
        return -1;
    }
    start_checkpoints(rt, plan);
    double cpu = 0;
    rt->engine->run(rt, &cpu);
    ckpt_finish(rt);
    double stop_time = rt->now;
    for (int k = 0; k < rt->count; k++) {
        struct node_state *ns = &rt->local[k];
        for (int i = 0; i < rt->nlayers && !ns->crashed; i++)
            if (rt->layers[i].alg->finish) {
                struct node view = {ns, i};
                rt->layers[i].alg->finish(&view, ns->state[i]);
            }
    }
    /* real time: how late each node's deliveries and timers were */
    struct fidelity_summary *fid = NULL;
    if (rt->core.lateness) {
        fid = calloc((size_t)rt->count + 1, sizeof *fid);
        if (!fid) rt_out_of_memory();
        for (int k = 0; k < rt->count; k++) {
            fidelity_summarize(&rt->core.lateness[k], &fid[k]);
            fid[k].cpu_time = cpu / rt->count; /* the rank's, shared among its nodes */
        }
    }

    double end_time = 0, event_time = 0;
    unsigned long long events = 0, mine = rt->events_processed;
    int flags[2] = {rt->interrupted, rt->timed_out}, any[2] = {0, 0};
    MPI_Allreduce(&stop_time, &end_time, 1, MPI_DOUBLE, MPI_MAX, comm);
    MPI_Allreduce(&rt->event_time, &event_time, 1, MPI_DOUBLE, MPI_MAX, comm);
    double window_time = 0;
    MPI_Allreduce(&rt->window_time, &window_time, 1, MPI_DOUBLE, MPI_MAX, comm);
    MPI_Allreduce(&mine, &events, 1, MPI_UNSIGNED_LONG_LONG, MPI_SUM, comm);
    MPI_Allreduce(flags, any, 2, MPI_INT, MPI_MAX, comm);
    struct vec evaluation = {NULL, 0, 0, sizeof(struct eval_row)};
    if (!any[0] && !any[1] && evaluator_run(rt, plan->cfg, end_time, &evaluation)) any[0] = 1;
    double dt = config_time(plan->cfg, "clock", "sample_interval");
    int clock_sync = 0;
    for (int i = 0; i < plan->nlayers; i++)
        clock_sync |= plan->layers[i]->family == FAMILY_CLOCK_SYNC;
    /* clock/offset: only for runs that synchronize clocks */
    size_t ns = clock_sync ? (size_t)floor(end_time / dt + 1e-9) + 1 : 0;
    double *offsets = malloc((size_t)rt->count * ns * sizeof *offsets + 1);
    double *times = malloc(ns * sizeof *times);
    struct node_summary *sums = malloc((size_t)rt->count * sizeof *sums + 1);
    const struct recorder **recs = malloc((size_t)rt->count * sizeof *recs + 1);
    if (!offsets || !times || !sums || !recs) rt_out_of_memory();
    for (size_t k = 0; k < ns; k++)
        times[k] = (double)k * dt;
    for (int i = 0; i < rt->count; i++) {
        for (size_t k = 0; k < ns; k++)
            offsets[(size_t)i * ns + k] = rt_clock_true_offset(&rt->local[i], times[k]);
        sums[i] = rt->local[i].summary;
        recs[i] = &rt->local[i].rec;
    }
    if (node_order(&rt->events)) rt_out_of_memory();
    rc = gather_run(comm, rt->count, sums, recs, &rt->events, fid, offsets, ns, res);
    free(fid);
    free(offsets);
    free(sums);
    free(recs);
    if (rt->rank == 0) {
        res->sample_time = times;
        res->type_names = (const char *const *)rt->type_names;
        rt->type_names = NULL; /* now owned by res; freed with the plan's lifetime */
        run_attributes(rt, plan, res);
        snprintf(res->status, sizeof res->status, "%s",
                 any[0]   ? "interrupted"
                 : any[1] ? "failed"
                          : "complete");
        res->evaluation = evaluation.data;
        res->nevaluation = evaluation.n;
        res->duration = end_time;
        res->events_processed = events;
        res->event_time = event_time;
        res->windows = rt->windows;
        res->window_time = window_time;
        res->explore = rt->explored;
        rt->explored.schedule = NULL; /* now owned by res */
    } else {
        free(times);
    }
    teardown(rt);
    free(rt);
    if (rc) snprintf(err, n, "out of memory while collecting the results");
    return agree(comm, rc, err, n);
}
