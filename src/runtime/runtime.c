/* Run set-up, the event loop and termination. See runtime.h. */
#include "runtime_internal.h"

#include "evaluator.h"
#include "reftime.h"
#include "roles.h"

#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <time.h>

static volatile sig_atomic_t stop_signal = 0;

void runtime_request_stop(int signo) {
    stop_signal = signo;
}
int runtime_stop_signal(void) {
    return stop_signal;
}

double rt_clock_now(struct runtime *rt) {
    rt->now = reftime_monotonic() - rt->t0;
    return rt->now;
}

int rt_layer_of_type(const struct runtime *rt, int gt) {
    for (int i = 0; i < rt->nlayers; i++)
        if (gt >= rt->layers[i].type_offset &&
            gt < rt->layers[i].type_offset + rt->layers[i].ntypes)
            return i;
    return -1;
}

int runtime_plan_layers(struct run_plan *plan, const char *stack, char *err, size_t n) {
    char buf[128];
    snprintf(buf, sizeof buf, "%s", stack);
    snprintf(plan->algorithm, sizeof plan->algorithm, "%s", stack);
    plan->nlayers = 0;
    char *save = NULL;
    for (char *tok = strtok_r(buf, "+", &save); tok; tok = strtok_r(NULL, "+", &save)) {
        const struct algorithm *a = algorithm_find(tok);
        if (!a) {
            char names[512] = "";
            for (size_t i = 0; algorithm_registry[i]; i++) {
                size_t len = strlen(names);
                snprintf(names + len, sizeof names - len, "%s%s", len ? ", " : "",
                         algorithm_registry[i]->name);
            }
            snprintf(err, n, "unknown algorithm '%s' (known: %s)", tok, names);
            return -1;
        }
        if (plan->nlayers == RUNTIME_MAX_LAYERS) {
            snprintf(err, n, "'%s': at most %d algorithms in one run", stack, RUNTIME_MAX_LAYERS);
            return -1;
        }
        plan->layers[plan->nlayers++] = a;
    }
    if (plan->nlayers == 0) {
        snprintf(err, n, "no algorithm given");
        return -1;
    }
    return 0;
}

/* splitmix64: independent seeds for (run seed, node, stream). */
static unsigned long mix(unsigned long seed, int node, int stream) {
    uint64_t z = (uint64_t)seed * 0x9E3779B97F4A7C15ULL +
                 (uint64_t)(node + 1) * 0xBF58476D1CE4E5B9ULL +
                 (uint64_t)stream * 0x94D049BB133111EBULL;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return (unsigned long)(z ^ (z >> 31));
}

static gsl_rng *stream_rng(unsigned long seed, int node, int stream) {
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    if (r) gsl_rng_set(r, mix(seed, node, stream));
    return r;
}

static void teardown(struct runtime *rt) {
    for (int i = 0; i < rt->nlayers; i++) {
        if (!rt->layers[i].state) continue;
        if (rt->layers[i].alg->destroy)
            rt->layers[i].alg->destroy(rt->layers[i].state);
        else
            free(rt->layers[i].state);
    }
    transport_free(rt);
    if (rt->wake.slot_of) wake_free(&rt->wake);
    fidelity_free(&rt->fidelity);
    clock_free(&rt->clock);
    hwclock_free(rt);
    rec_free(&rt->rec);
    gsl_rng_free(rt->alg_rng);
    gsl_rng_free(rt->net_rng);
    gsl_rng_free(rt->jitter_rng);
    free(rt->type_names);
    free(rt->last_due);
    free(rt->mpi_sent_to);
    free(rt->mpi_recv_from);
    free(rt->ids);
    free(rt->initiator);
    memset(rt, 0, sizeof *rt);
}

/* A timed sleep may end up to the process's timer slack late (50 us by
 * default; prctl(2) PR_SET_TIMERSLACK): ask for the smallest, 1 ns, unless
 * CLOCKLAB_TIMER_SLACK=default (to measure what it changes). */
static void set_timer_slack(void) {
    const char *e = getenv("CLOCKLAB_TIMER_SLACK");
    if (!e || strcmp(e, "default") != 0) prctl(PR_SET_TIMERSLACK, 1UL, 0UL, 0UL, 0UL);
}

/* User + system CPU time of this process (s), getrusage(2). */
static double cpu_seconds(void) {
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
           1e-6 * (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec);
}

static int setup(struct runtime *rt, MPI_Comm comm, const struct run_plan *plan, char *err,
                 size_t n) {
    const struct config *cfg = plan->cfg;
    memset(rt, 0, sizeof *rt);
    rt->comm = comm;
    MPI_Comm_rank(comm, &rt->rank);
    MPI_Comm_size(comm, &rt->size);
    size_t size = (size_t)rt->size;
    rt->nlayers = plan->nlayers;
    for (int i = 0; i < plan->nlayers; i++) {
        struct layer *l = &rt->layers[i];
        l->alg = plan->layers[i];
        l->type_offset = rt->ntypes;
        while (l->alg->message_types[l->ntypes])
            l->ntypes++;
        rt->ntypes += l->ntypes;
        l->view = (struct node){rt, i};
        if (l->alg->family == FAMILY_ELECTION) rt->leader_elected = 1;
        if (rt->size < l->alg->min_nodes) {
            snprintf(err, n, "%s needs at least %d nodes, this run has %d (mpirun -n)",
                     l->alg->name, l->alg->min_nodes, rt->size);
            return -1;
        }
    }
    rt->type_names = calloc((size_t)rt->ntypes + 1, sizeof *rt->type_names);
    rt->last_due = calloc(size, sizeof(double));
    rt->mpi_sent_to = calloc(size, sizeof(uint64_t));
    rt->mpi_recv_from = calloc(size, sizeof(uint64_t));
    rt->ids = calloc(size, sizeof(int));
    rt->initiator = calloc(size, sizeof(int));
    if (!rt->type_names || !rt->last_due || !rt->mpi_sent_to || !rt->mpi_recv_from || !rt->ids ||
        !rt->initiator || rec_init(&rt->rec, rt->size, rt->ntypes)) {
        snprintf(err, n, "out of memory");
        return -1;
    }
    for (int i = 0, k = 0; i < rt->nlayers; i++)
        for (int j = 0; j < rt->layers[i].ntypes; j++)
            rt->type_names[k++] = rt->layers[i].alg->message_types[j];
    fidelity_init(&rt->fidelity);
    timers_clear(&rt->timers);
    rt->trace = config_bool(cfg, "experiment", "trace");
    rt->duration = config_time(cfg, "experiment", "duration");
    rt->timeout = config_time(cfg, "experiment", "timeout");

    struct dist offset, drift;
    config_dist(cfg, "clock", "offset", &offset);
    config_dist(cfg, "clock", "drift", &drift);
    gsl_rng *r1 = stream_rng(plan->seed, rt->rank, 1), *r2 = stream_rng(plan->seed, rt->rank, 2);
    double theta = dist_sample(&offset, r1, rt->rank), rho = dist_sample(&drift, r2, rt->rank);
    gsl_rng_free(r1);
    gsl_rng_free(r2);
    clock_init(&rt->clock, theta, rho, config_time(cfg, "clock", "granularity"));
    config_dist(cfg, "clock", "jitter", &rt->jitter);
    rt->zero_jitter = dist_is_zero(&rt->jitter);
    config_dist(cfg, "network", "delay", &rt->delay);
    rt->zero_delay = dist_is_zero(&rt->delay);
    rt->loss = config_real(cfg, "network", "loss");
    rt->alg_rng = stream_rng(plan->seed, rt->rank, 3);
    rt->net_rng = stream_rng(plan->seed, rt->rank, 4);
    rt->jitter_rng = stream_rng(plan->seed, rt->rank, 5);
    if (hwclock_setup(rt, cfg, err, n)) return -1;

    if (faults_parse(config_get(cfg, "faults", "crash"), &rt->crashes, err, n)) return -1;
    for (int i = 0; i < rt->crashes.n; i++)
        if (rt->crashes.ev[i].node >= rt->size) {
            snprintf(err, n, "%s: [faults] crash: node %d does not exist in a %d-node run",
                     config_origin(cfg, "faults", "crash"), rt->crashes.ev[i].node, rt->size);
            return -1;
        }
    if (roles_ids(config_get(cfg, "election", "ids"), rt->size, plan->seed, rt->ids, err, n) ||
        roles_initiators(config_get(cfg, "election", "initiators"), rt->size, rt->ids,
                         rt->initiator, err, n)) {
        char why[512];
        snprintf(why, sizeof why, "%s", err);
        snprintf(err, n, "%s: [election]: %s", config_origin(cfg, "election", "initiators"), why);
        return -1;
    }
    rt->leader = -1;
    rt->recover_at = INFINITY;
    struct node_summary *s = &rt->summary;
    if (!rt->hw) {
        s->initial_offset = theta;
        s->drift = rho;
    }
    s->crashed_at = s->recovered_at = s->decided_at = NAN;
    s->id = rt->ids[rt->rank];
    s->leader = -1;
    const char *labels = config_get(cfg, "nodes", "labels");
    int nlabels = roles_label_count(labels);
    if (nlabels && nlabels != rt->size) {
        snprintf(err, n, "%s: [nodes] labels: %d labels for a %d-node run",
                 config_origin(cfg, "nodes", "labels"), nlabels, rt->size);
        return -1;
    }
    if (nlabels) roles_label(labels, rt->rank, s->label, sizeof s->label);

    for (int i = 0; i < rt->nlayers; i++) {
        struct layer *l = &rt->layers[i];
        if (l->alg->configure(&l->view, cfg, &l->state, err, n)) return -1;
    }
    return 0;
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
    int rc = rt ? setup(rt, comm, plan, err, n) : -1;
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

int runtime_run(MPI_Comm comm, const struct run_plan *plan, struct run_result *res, char *err,
                size_t n) {
    struct runtime *rt = calloc(1, sizeof *rt);
    int rc = rt ? setup(rt, comm, plan, err, n) : -1;
    if (agree(comm, rc, err, n)) {
        if (rt) teardown(rt);
        free(rt);
        return -1;
    }
    double host_offset = reftime_host_offset(comm);
    if (wake_init(&rt->wake, comm)) rt_out_of_memory();
    transport_start(rt);
    set_timer_slack();
    double cpu0 = cpu_seconds();
    MPI_Barrier(comm);
    double t0 = reftime_monotonic();
    MPI_Bcast(&t0, 1, MPI_DOUBLE, 0, comm);
    rt->t0 = t0 - host_offset;
    if (rt->hw) hwclock_start(rt);

    rt_event_loop(rt);
    double stop_time = rt->now;
    transport_drain(rt);
    struct fidelity_summary fid;
    fidelity_summarize(&rt->fidelity, &fid);
    fid.cpu_time = cpu_seconds() - cpu0;
    for (int i = 0; i < rt->nlayers && !rt->crashed; i++)
        if (rt->layers[i].alg->finish)
            rt->layers[i].alg->finish(&rt->layers[i].view, rt->layers[i].state);

    double end_time = 0;
    int flags[2] = {rt->interrupted, rt->timed_out}, any[2] = {0, 0};
    MPI_Allreduce(&stop_time, &end_time, 1, MPI_DOUBLE, MPI_MAX, comm);
    MPI_Allreduce(flags, any, 2, MPI_INT, MPI_MAX, comm);
    struct vec evaluation = {NULL, 0, 0, sizeof(struct eval_row)};
    double at[EVAL_MAX_AT];
    int nat = 0;
    evaluation_parse_at(config_get(plan->cfg, "evaluation", "at"), at, &nat, err, n);
    if (!any[0] && !any[1] &&
        evaluator_run(rt, end_time, at, nat, (int)config_int(plan->cfg, "evaluation", "pingpongs"),
                      &evaluation))
        any[0] = 1;
    double dt = config_time(plan->cfg, "clock", "sample_interval");
    size_t ns = (size_t)floor(end_time / dt + 1e-9) + 1;
    double *offsets = malloc(ns * sizeof *offsets);
    double *times = malloc(ns * sizeof *times);
    if (!offsets || !times) rt_out_of_memory();
    for (size_t k = 0; k < ns; k++) {
        times[k] = (double)k * dt;
        offsets[k] = rt_true_offset(rt, times[k]);
    }
    rc = gather_run(comm, &rt->summary, &rt->rec, &fid, offsets, ns, res);
    free(offsets);
    if (rt->rank == 0) {
        res->sample_time = times;
        res->type_names = (const char *const *)rt->type_names;
        rt->type_names = NULL; /* now owned by res; freed with the plan's lifetime */
        snprintf(res->algorithm, sizeof res->algorithm, "%s", plan->algorithm);
        join_families(plan, res->family, sizeof res->family);
        snprintf(res->status, sizeof res->status, "%s",
                 any[0]   ? "interrupted"
                 : any[1] ? "failed"
                          : "complete");
        res->seed = plan->seed;
        res->evaluation = evaluation.data;
        res->nevaluation = evaluation.n;
        res->duration = end_time;
        res->fidelity_threshold = fidelity_threshold(dist_smallest_mean(&rt->delay));
        for (int i = 0; i < plan->nlayers; i++) {
            if (plan->layers[i]->family == FAMILY_CLOCK_SYNC) res->has_clock = 1;
            if (plan->layers[i]->family == FAMILY_ELECTION) res->has_election = 1;
            if (plan->layers[i]->records_events) res->has_events = 1;
        }
        if (rt->trace) res->has_events = 1;
    } else {
        free(times);
    }
    teardown(rt);
    free(rt);
    if (rc) snprintf(err, n, "out of memory while collecting the results");
    return agree(comm, rc, err, n);
}
