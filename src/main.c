/* clocklab: the command line (cli.h) and the run loop: read the
 * configuration, plan and check the runs (plan.h), open the result file
 * (output/output_open.h), run each plan and write it. */
#include "cli.h"
#include "config/config.h"
#include "config/schema.h"
#include "engine/engines.h"
#include "output/ckpt_writer.h"
#include "output/outfile.h"
#include "output/output_open.h"
#include "output/schema_names.h"
#include "plan.h"
#include "runtime/runtime.h"

#include <math.h>
#include <mpi.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifndef CLOCKLAB_VERSION
#define CLOCKLAB_VERSION "0.0.0"
#endif
#ifndef CLOCKLAB_GIT_COMMIT
#define CLOCKLAB_GIT_COMMIT "unknown"
#endif

#define ERR_LEN 2048
#define EXIT_USAGE 2

static int rank_, size_;
static double progress_every_;      /* rank 0: seconds between progress lines, 0 none */
static struct outfile out_;         /* rank 0: the result file */
static struct ckpt_writer *writer_; /* rank 0: its checkpoint writer */

/* Print "clocklab: error: msg" once (rank 0). */
static void report(const char *msg) {
    if (rank_ == 0) fprintf(stderr, "clocklab: error: %s\n", msg);
}

static int finish(int code) {
    MPI_Finalize();
    return code;
}

/* Rank 0 reads the file; every rank gets its text (len bytes, NUL added).
 * Returns NULL on every rank, with the message on rank 0, on failure. */
static char *read_config_text(const char *path, long *len, char *err, size_t n) {
    char *text = NULL;
    *len = -1;
    if (rank_ == 0) text = config_read_file(path, len, err, n);
    MPI_Bcast(len, 1, MPI_LONG, 0, MPI_COMM_WORLD);
    if (*len < 0) {
        free(text);
        return NULL;
    }
    if (rank_ != 0) text = malloc((size_t)*len + 1);
    int ok = text != NULL, all = 0;
    MPI_Allreduce(&ok, &all, 1, MPI_INT, MPI_MIN, MPI_COMM_WORLD);
    if (!all) {
        snprintf(err, n, "cannot read configuration file '%s': out of memory", path);
        free(text);
        return NULL;
    }
    MPI_Bcast(text, (int)*len + 1, MPI_CHAR, 0, MPI_COMM_WORLD);
    return text;
}

/* Open the result file (collective); rank 0 starts its checkpoint writer. */
static int open_output(const struct cli *c, int argc, char **argv, char *err, size_t n) {
    struct output_request req = {.path = c->output,
                                 .force = c->force,
                                 .argc = argc,
                                 .argv = argv,
                                 .version = CLOCKLAB_VERSION,
                                 .git_commit = CLOCKLAB_GIT_COMMIT};
    int rc = output_open(MPI_COMM_WORLD, &out_, &req, err, n);
    if (rc == 0 && rank_ == 0) {
        writer_ = ckpt_writer_new(&out_);
    }
    return rc;
}

/* plan_check_runs' check of a run by its algorithms' configure (collective). */
static int configure_check(const struct run_plan *plan, char *err, size_t n) {
    return runtime_check(MPI_COMM_WORLD, plan, err, n);
}

/* What a run starts from: the file; without one, the default scenario only
 * when nothing at all is given, so that --set alone starts from the
 * built-in defaults and never inherits the scenario's crash or heartbeat. */
static const char *base_of(const struct cli *c) {
    return c->config_path ? c->config_path
           : c->nsets     ? "the built-in defaults (--set without CONFIG.ini)"
                          : "the default scenario (no CONFIG.ini, no --set)";
}

/* --check's report (rank 0): the base, the node counts, the first run
 * resolved and, in real time, how many ranks to start. */
static void print_check(const struct cli *c, const struct run_plan *plans, int nplans) {
    int lo = 0, hi = 0;
    for (int i = 0; i < nplans; i++) {
        int nodes = plans[i].nodes > 0 ? plans[i].nodes : size_;
        if (i == 0 || nodes < lo) lo = nodes;
        if (i == 0 || nodes > hi) hi = nodes;
    }
    char counts[48];
    snprintf(counts, sizeof counts, lo == hi ? "%d" : "%d to %d", lo, hi);
    printf("; base: %s\n", base_of(c));
    char *resolved = plan_resolved_config(&plans[0]);
    printf("; configuration OK: %d run(s) on %s nodes; the first one resolves to:\n%s", nplans,
           counts, resolved ? resolved : "");
    free(resolved);
    if (engine_paced(plans[0].cfg)) {
        long cpus = sysconf(_SC_NPROCESSORS_ONLN);
        long ranks = cpus > 0 && cpus < lo ? cpus : lo;
        printf("; in real time the %s nodes are spread over the ranks, 1 to %d of them; no more "
               "ranks than this host's %ld CPUs keeps the timing trustworthy: start it with "
               "mpirun -n %ld\n",
               counts, lo, cpus, ranks);
    }
}

static void on_signal(int signo) {
    runtime_request_stop(signo);
}

/* Stop the current run on SIGTERM/SIGINT, write it as "interrupted", exit.
 * sigaction, not signal(): under -std=c11 glibc's signal() has System V
 * semantics (SA_RESETHAND), and at a Slurm time limit each rank gets SIGTERM
 * twice within milliseconds (both from slurmstepd), so the second one killed
 * it before rank 0 had written the run. SIGTERM stays caught; a second
 * SIGINT (Ctrl-C twice) still ends the program at once. */
static void catch_stop_signals(void) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, NULL);
    sa.sa_flags = SA_RESETHAND;
    sigaction(SIGINT, &sa, NULL);
}

/* Worst p99 lateness over the nodes, deliveries and timers (s; NaN: none). */
static double worst_p99(const struct run_result *r) {
    double worst = NAN;
    for (int k = 0; r->fidelity && k < r->nodes; k++) {
        double d = r->fidelity[k].delivery_p99, t = r->fidelity[k].timer_p99;
        if (!isnan(d) && !(d <= worst)) worst = d;
        if (!isnan(t) && !(t <= worst)) worst = t;
    }
    return worst;
}

/* Rank 0's line for a finished run, and a warning when its timing is not to
 * be trusted (fidelity.h). */
static void report_run(const struct run_result *r, const struct run_plan *p, int i, int nplans) {
    double p99 = worst_p99(r);
    printf("clocklab: run %d/%d %s: %d nodes, seed %lu, %s, %.2f s", i + 1, nplans, p->algorithm,
           r->nodes, p->seed, r->status, r->wall_time);
    if (r->fidelity)
        printf(", lateness p99 %.0f us\n", p99 * 1e6);
    else
        printf(", virtual time %.6g s\n", r->duration);
    fflush(stdout);
    if (r->fidelity && p99 > r->fidelity_threshold)
        fprintf(stderr,
                "clocklab: warning: run %d: p99 lateness %.0f us is above %.0f us (10%% of the "
                "smallest mean delay, or 100 us without delay): the machine was too loaded to "
                "trust this run's timing (fidelity/ in the file)\n",
                i + 1, p99 * 1e6, r->fidelity_threshold * 1e6);
}

static int run_all(const struct cli *c, struct run_plan *plans, int nplans) {
    int failed = 0;
    char err[ERR_LEN];
    for (int i = 0; i < nplans; i++) {
        struct run_result res;
        memset(&res, 0, sizeof res);
        char *config_text = NULL, name[32];
        snprintf(name, sizeof name, "run%03d", i);
        if (rank_ == 0) {
            config_text = plan_resolved_config(&plans[i]);
            if (writer_) ckpt_writer_name(writer_, name, config_text);
        }
        plans[i].writer = writer_;
        plans[i].progress_every = progress_every_;
        snprintf(plans[i].progress_label, sizeof plans[i].progress_label, "run %d/%d %s", i + 1,
                 nplans, plans[i].algorithm);
        double t0 = MPI_Wtime();
        if (runtime_run(MPI_COMM_WORLD, &plans[i], &res, err, sizeof err)) {
            report(err);
            free(config_text);
            return 1;
        }
        int wrc = 0;
        if (rank_ == 0) {
            res.wall_time = MPI_Wtime() - t0;
            snprintf(res.name, sizeof res.name, "%s", name);
            res.config_text = config_text;
            /* The last run, or one stopped by a signal: the shadow copy
             * will not be needed again. */
            int last = i + 1 == nplans || strcmp(res.status, "interrupted") == 0;
            wrc = outfile_write_run(&out_, &res, last, err, sizeof err);
            if (wrc)
                report(err);
            else
                report_run(&res, &plans[i], i, nplans);
            if (strcmp(res.status, "failed") == 0) failed = 1;
        }
        MPI_Bcast(&wrc, 1, MPI_INT, 0, MPI_COMM_WORLD);
        run_result_free(&res);
        if (wrc) return 1;
        int sig = runtime_stop_signal(), any = 0;
        MPI_Allreduce(&sig, &any, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
        if (any) {
            if (rank_ == 0)
                fprintf(stderr,
                        "clocklab: stopped by signal %d after run %d/%d; '%s' holds the "
                        "runs so far\n",
                        any, i + 1, nplans, c->output);
            return 128 + any;
        }
    }
    MPI_Bcast(&failed, 1, MPI_INT, 0, MPI_COMM_WORLD);
    return failed ? 3 : 0;
}

int main(int argc, char **argv) {
    /* Rank 0 writes checkpoints from a second thread that never calls MPI. */
    int provided;
    MPI_Init_thread(&argc, &argv, MPI_THREAD_FUNNELED, &provided);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
    MPI_Comm_size(MPI_COMM_WORLD, &size_);
    char err[ERR_LEN] = "";
    struct cli c;
    if (cli_parse(argc, argv, &c, err, sizeof err)) {
        report(err);
        return finish(EXIT_USAGE);
    }
    if (c.help || c.version || c.list || c.schema) {
        if (rank_ == 0) {
            if (c.help) cli_usage();
            if (c.version) printf("clocklab %s (%s)\n", CLOCKLAB_VERSION, CLOCKLAB_GIT_COMMIT);
            if (c.list) cli_list();
            if (c.schema) schema_print(stdout);
        }
        return finish(0);
    }
    /* srun without PMI wire-up (--mpi=none, or a plugin this MPI lacks) would
     * start N singletons, each rank 0 of 1. Open MPI 4.1 already aborts in
     * MPI_Init when it sees such a step; other MPI libraries may not, so stop
     * here too. mpirun inside an allocation sets OMPI_COMM_WORLD_SIZE; a batch
     * script has no SLURM_STEP_ID; `srun -n 1` has SLURM_NTASKS=1. */
    const char *ntasks = getenv("SLURM_NTASKS");
    if (size_ == 1 && ntasks && atoi(ntasks) > 1 && getenv("SLURM_STEP_ID") &&
        !getenv("OMPI_COMM_WORLD_SIZE")) {
        if (rank_ == 0)
            fprintf(stderr,
                    "clocklab: error: started as 1 rank inside a %s-task Slurm step: "
                    "the launcher has no MPI wire-up (use srun --mpi=pmix or mpirun)\n",
                    ntasks);
        return finish(EXIT_USAGE);
    }
    struct config cfg;
    config_init(&cfg, plan_schema());
    long len = 0;
    char *text = NULL;
    if (c.config_path) {
        text = read_config_text(c.config_path, &len, err, sizeof err);
    } else if ((text = strdup(c.nsets ? "" : schema_default_scenario))) {
        len = (long)strlen(text);
    }
    int rc =
        text ? config_parse_n(&cfg, text, (size_t)len,
                              c.config_path ? c.config_path : "<default scenario>", err, sizeof err)
             : -1;
    free(text);
    for (int i = 0; rc == 0 && i < c.nsets; i++)
        rc = config_set(&cfg, c.sets[i], err, sizeof err);
    if (rc == 0) rc = config_validate(&cfg, err, sizeof err);
    struct run_plan *plans = NULL;
    int nplans = 0;
    if (rc == 0 && c.nodes) { /* --check --nodes N */
        char nodes[32];
        snprintf(nodes, sizeof nodes, "%d", c.nodes);
        rc = config_put(&cfg, "experiment", "nodes", nodes, "--nodes", err, sizeof err);
    }
    if (rc == 0) rc = plan_runs(&cfg, &plans, &nplans, err, sizeof err);
    /* The memory limit follows rank 0's host, where the run is gathered. */
    double phys = (double)sysconf(_SC_PHYS_PAGES) * (double)sysconf(_SC_PAGE_SIZE);
    MPI_Bcast(&phys, 1, MPI_DOUBLE, 0, MPI_COMM_WORLD);
    /* --check on one process (no mpirun) or for --nodes N checks the runs,
     * not the ranks they will be started on */
    int check_ranks = !c.check || (size_ > 1 && !c.nodes);
    if (rc == 0)
        rc = plan_check_runs(plans, nplans, size_, phys, check_ranks, configure_check, err,
                             sizeof err);
    if (rc == 0 && c.check) {
        /* the run's path checks; an existing file only when -o names it (a
         * check after a run would otherwise trip over the default file) */
        if (rank_ == 0) rc = output_check_path(c.output, c.force, c.output_given, err, sizeof err);
        MPI_Bcast(&rc, 1, MPI_INT, 0, MPI_COMM_WORLD);
    }
    if (rc == 0 && c.check) {
        if (rank_ == 0) print_check(&c, plans, nplans);
    } else if (rc == 0) {
        rc = open_output(&c, argc, argv, err, sizeof err);
        if (rc == 0) {
            catch_stop_signals();
            if (rank_ == 0 && (c.progress > 0 || (c.progress == 0 && isatty(STDERR_FILENO))))
                progress_every_ = c.progress_every;
            rc = run_all(&c, plans, nplans);
            err[0] = '\0';
            if (rank_ == 0) {
                ckpt_writer_free(writer_);
                outfile_close(&out_);
            }
        }
    }
    if (rc && err[0]) report(err);
    free(plans);
    config_free(&cfg);
    return finish(rc == -1 ? EXIT_USAGE : rc);
}
