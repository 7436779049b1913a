/* clocklab: command line, configuration, the loop over the configured runs
 * and the result file. See cli.h for the command line. */
#include "algorithms/algorithm.h"
#include "cli.h"
#include "config/config.h"
#include "config/schema.h"
#include "output/h5writer.h"
#include "runtime/runtime.h"

#include <errno.h>
#include <libgen.h>
#include <math.h>
#include <mpi.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef CLOCKLAB_VERSION
#define CLOCKLAB_VERSION "0.0.0"
#endif
#ifndef CLOCKLAB_GIT_COMMIT
#define CLOCKLAB_GIT_COMMIT "unknown"
#endif

#define ERR_LEN 2048
#define EXIT_USAGE 2
#define MAX_RUNS 100000

static int rank_, size_;

/* Print "clocklab: error: msg" once (rank 0). */
static void report(const char *msg) {
    if (rank_ == 0) fprintf(stderr, "clocklab: error: %s\n", msg);
}

static int finish(int code) {
    MPI_Finalize();
    return code;
}

/* Rank 0 reads the file; every rank gets its text. Returns NULL with a message on failure. */
static char *read_config_text(const char *path, char *err, size_t n) {
    long len = -1;
    char *text = NULL;
    if (rank_ == 0) {
        FILE *f = fopen(path, "rb");
        if (f && fseek(f, 0, SEEK_END) == 0) len = ftell(f);
        if (f && len >= 0 && fseek(f, 0, SEEK_SET) == 0 && (text = malloc((size_t)len + 1)) &&
            fread(text, 1, (size_t)len, f) == (size_t)len)
            text[len] = '\0';
        else {
            snprintf(err, n, "cannot read configuration file '%s': %s", path,
                     errno ? strerror(errno) : "read error");
            len = -1;
        }
        if (f) fclose(f);
    }
    MPI_Bcast(&len, 1, MPI_LONG, 0, MPI_COMM_WORLD);
    if (len < 0) {
        free(text);
        return NULL;
    }
    if (rank_ != 0) text = malloc((size_t)len + 1);
    MPI_Bcast(text, (int)len + 1, MPI_CHAR, 0, MPI_COMM_WORLD);
    return text;
}

static const struct section_schema **build_schema(void) {
    size_t nalg = 0;
    while (algorithm_registry[nalg])
        nalg++;
    const struct section_schema **s = calloc(nalg + 7, sizeof *s);
    struct section_schema *algs = calloc(nalg + 1, sizeof *algs);
    if (!s || !algs) return NULL;
    const struct section_schema *core[] = {&schema_experiment, &schema_clock,    &schema_network,
                                           &schema_faults,     &schema_election, &schema_nodes};
    size_t k = 0;
    for (size_t i = 0; i < 6; i++)
        s[k++] = core[i];
    for (size_t i = 0; i < nalg; i++) {
        algs[i].name = algorithm_registry[i]->name;
        algs[i].params = algorithm_registry[i]->params;
        s[k++] = &algs[i];
    }
    return s;
}

static void print_list(void) {
    printf("Algorithms (run one with --set experiment.algorithm=NAME; stack an election\n"
           "and a clock sync as bully+berkeley):\n");
    for (size_t i = 0; algorithm_registry[i]; i++) {
        const struct algorithm *a = algorithm_registry[i];
        printf("\n%s (%s, >= %d nodes)\n  %s\n  messages:", a->name, family_name(a->family),
               a->min_nodes, a->summary);
        for (size_t t = 0; a->message_types[t]; t++)
            printf(" %s", a->message_types[t]);
        printf("\n");
        for (const struct param *p = a->params; p && p->key; p++)
            printf("  [%s] %-20s = %-12s %s\n", a->name, p->key, p->default_value, p->help);
    }
    printf("\nCore sections:\n");
    const struct section_schema *core[] = {&schema_experiment, &schema_clock,    &schema_network,
                                           &schema_faults,     &schema_election, &schema_nodes};
    for (size_t i = 0; i < 6; i++)
        for (const struct param *p = core[i]->params; p && p->key; p++)
            printf("  [%s] %-16s = %-24s %s\n", core[i]->name, p->key, p->default_value, p->help);
}

/* Split [experiment] algorithm into run plans (algorithms x repeat). */
static int plan_runs(const struct config *cfg, struct run_plan **plans, int *nplans, char *err,
                     size_t n) {
    char list[1024];
    snprintf(list, sizeof list, "%s", config_get(cfg, "experiment", "algorithm"));
    long repeat = config_int(cfg, "experiment", "repeat");
    unsigned long seed = (unsigned long)config_int(cfg, "experiment", "seed");
    int count = 1;
    for (const char *p = list; *p; p++)
        count += *p == ',';
    if ((long)count * repeat > MAX_RUNS) {
        snprintf(err, n, "%s: [experiment] repeat: at most %d runs in one file",
                 config_origin(cfg, "experiment", "repeat"), MAX_RUNS);
        return -1;
    }
    *plans = calloc((size_t)(count * repeat), sizeof **plans);
    if (!*plans) return -1;
    *nplans = 0;
    char *save = NULL;
    for (char *tok = strtok_r(list, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        while (*tok == ' ')
            tok++;
        size_t len = strlen(tok);
        while (len && tok[len - 1] == ' ')
            tok[--len] = '\0';
        for (long k = 0; k < repeat; k++) {
            struct run_plan *p = &(*plans)[*nplans];
            p->index = *nplans;
            p->seed = seed + (unsigned long)k;
            p->cfg = cfg;
            if (runtime_plan_layers(p, tok, err, n)) {
                char why[ERR_LEN / 2];
                snprintf(why, sizeof why, "%s", err);
                snprintf(err, n, "%.200s: [experiment] algorithm: %.1000s",
                         config_origin(cfg, "experiment", "algorithm"), why);
                return -1;
            }
            (*nplans)++;
        }
    }
    return 0;
}

/* The resolved configuration that reproduces one run. */
static char *resolved_config(const struct config *cfg, const struct run_plan *p) {
    struct config copy;
    if (config_copy(&copy, cfg)) return NULL;
    char buf[256], err[ERR_LEN];
    snprintf(buf, sizeof buf, "experiment.algorithm=%s", p->algorithm);
    config_set(&copy, buf, err, sizeof err);
    snprintf(buf, sizeof buf, "experiment.seed=%lu", p->seed);
    config_set(&copy, buf, err, sizeof err);
    config_set(&copy, "experiment.repeat=1", err, sizeof err);
    const char *sections[6 + RUNTIME_MAX_LAYERS + 1];
    int k = 0;
    for (; schema_core_names[k]; k++)
        sections[k] = schema_core_names[k];
    for (int i = 0; i < p->nlayers; i++)
        sections[k++] = p->layers[i]->name;
    sections[k] = NULL;
    char *text = config_resolved(&copy, sections);
    config_free(&copy);
    return text;
}

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

/* Comma list of the distinct host names of all ranks (rank 0 gets it). */
static void host_list(char *out, size_t n) {
    char me[MPI_MAX_PROCESSOR_NAME] = {0};
    int len;
    MPI_Get_processor_name(me, &len);
    char *all = rank_ == 0 ? calloc((size_t)size_, MPI_MAX_PROCESSOR_NAME) : NULL;
    MPI_Gather(me, MPI_MAX_PROCESSOR_NAME, MPI_CHAR, all, MPI_MAX_PROCESSOR_NAME, MPI_CHAR, 0,
               MPI_COMM_WORLD);
    out[0] = '\0';
    if (rank_ != 0) return;
    for (int i = 0; i < size_; i++) {
        const char *h = all + (size_t)i * MPI_MAX_PROCESSOR_NAME;
        int seen = 0;
        for (int j = 0; j < i && !seen; j++)
            seen = !strcmp(h, all + (size_t)j * MPI_MAX_PROCESSOR_NAME);
        size_t l = strlen(out);
        if (!seen) snprintf(out + l, n - l, "%s%s", l ? "," : "", h);
    }
    free(all);
}

/* Rank 0 creates the output file; all ranks learn whether it worked. */
static int create_output(const struct cli *c, int argc, char **argv, char *err, size_t n) {
    int rc = 0;
    char hosts[4096];
    host_list(hosts, sizeof hosts);
    if (rank_ == 0) {
        struct stat st;
        char dir[4096];
        snprintf(dir, sizeof dir, "%s", c->output);
        const char *d = dirname(dir);
        if (stat(c->output, &st) == 0 && !c->force) {
            snprintf(err, n, "output file '%s' exists (use --force to overwrite, or -o FILE)",
                     c->output);
            rc = -1;
        } else if (access(d, W_OK) != 0) {
            snprintf(err, n, "cannot create output file '%s': directory '%s': %s", c->output, d,
                     strerror(errno));
            rc = -1;
        } else {
            char lib[MPI_MAX_LIBRARY_VERSION_STRING];
            int len;
            MPI_Get_library_version(lib, &len);
            char *nl = strchr(lib, '\n');
            if (nl) *nl = '\0';
            char *cmd = join_args(argc, argv);
            struct file_attrs a = {CLOCKLAB_VERSION,
                                   CLOCKLAB_GIT_COMMIT,
                                   cmd ? cmd : "",
                                   lib,
                                   hosts,
                                   size_,
                                   getenv("SLURM_JOB_ID"),
                                   getenv("SLURM_ARRAY_TASK_ID"),
                                   getenv("SLURM_ARRAY_JOB_ID")};
            rc = h5_create(c->output, &a, err, n);
            free(cmd);
        }
    }
    MPI_Bcast(&rc, 1, MPI_INT, 0, MPI_COMM_WORLD);
    return rc;
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
    printf("clocklab: run %d/%d %s: %d nodes, seed %lu, %s, %.2f s, lateness p99 %.0f us\n", i + 1,
           nplans, p->algorithm, r->nodes, p->seed, r->status, r->wall_time, p99 * 1e6);
    fflush(stdout);
    if (p99 > r->fidelity_threshold)
        fprintf(stderr,
                "clocklab: warning: run %d: p99 lateness %.0f us is above %.0f us (10%% of the "
                "smallest mean delay, or 100 us without delay): the machine was too loaded to "
                "trust this run's timing (fidelity/ in the file)\n",
                i + 1, p99 * 1e6, r->fidelity_threshold * 1e6);
}

static int run_all(const struct cli *c, const struct config *cfg, struct run_plan *plans,
                   int nplans) {
    int failed = 0;
    char err[ERR_LEN];
    for (int i = 0; i < nplans; i++) {
        struct run_result res;
        memset(&res, 0, sizeof res);
        double t0 = MPI_Wtime();
        if (runtime_run(MPI_COMM_WORLD, &plans[i], &res, err, sizeof err)) {
            report(err);
            return 1;
        }
        int wrc = 0;
        if (rank_ == 0) {
            res.wall_time = MPI_Wtime() - t0;
            snprintf(res.name, sizeof res.name, "run%03d", i);
            res.config_text = resolved_config(cfg, &plans[i]);
            wrc = h5_write_run(c->output, &res, err, sizeof err);
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
    MPI_Init(&argc, &argv);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
    MPI_Comm_size(MPI_COMM_WORLD, &size_);
    char err[ERR_LEN];
    struct cli c;
    if (cli_parse(argc, argv, &c, err, sizeof err)) {
        report(err);
        return finish(EXIT_USAGE);
    }
    if (c.help || c.version || c.list) {
        if (rank_ == 0) {
            if (c.help) cli_usage();
            if (c.version) printf("clocklab %s (%s)\n", CLOCKLAB_VERSION, CLOCKLAB_GIT_COMMIT);
            if (c.list) print_list();
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
    const struct section_schema **schema = build_schema();
    struct config cfg;
    config_init(&cfg, (const struct section_schema *const *)schema);
    char *text = c.config_path ? read_config_text(c.config_path, err, sizeof err)
                               : strdup(schema_default_scenario);
    int rc = text ? config_parse(&cfg, text, c.config_path ? c.config_path : "<default scenario>",
                                 err, sizeof err)
                  : -1;
    free(text);
    for (int i = 0; rc == 0 && i < c.nsets; i++)
        rc = config_set(&cfg, c.sets[i], err, sizeof err);
    if (rc == 0) rc = config_validate(&cfg, err, sizeof err);
    struct run_plan *plans = NULL;
    int nplans = 0;
    if (rc == 0) rc = plan_runs(&cfg, &plans, &nplans, err, sizeof err);
    for (int i = 0; rc == 0 && i < nplans; i++)
        if (i == 0 || strcmp(plans[i].algorithm, plans[i - 1].algorithm) != 0)
            rc = runtime_check(MPI_COMM_WORLD, &plans[i], err, sizeof err);
    if (rc == 0 && c.check) {
        if (rank_ == 0) {
            char *resolved = resolved_config(&cfg, &plans[0]);
            printf("; configuration OK: %d run(s) on %d nodes; the first one resolves to:\n%s",
                   nplans, size_, resolved ? resolved : "");
            free(resolved);
        }
    } else if (rc == 0) {
        rc = create_output(&c, argc, argv, err, sizeof err);
        if (rc == 0) {
            catch_stop_signals();
            rc = run_all(&c, &cfg, plans, nplans);
            err[0] = '\0';
        }
    }
    if (rc && err[0]) report(err);
    free(plans);
    config_free(&cfg);
    if (schema) free((void *)schema[6]);
    free(schema);
    return finish(rc == -1 ? EXIT_USAGE : rc);
}
