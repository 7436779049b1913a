/* clocklab: command line, configuration, the loop over the configured runs
 * and the result file. See cli.h for the command line. */
#include "algorithms/algorithm.h"
#include "cli.h"
#include "config/config.h"
#include "config/schema.h"
#include "output/ckpt_writer.h"
#include "output/outfile.h"
#include "plan.h"
#include "runtime/runtime.h"

#include <errno.h>
#include <fcntl.h>
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
#define CONFIG_MAX_BYTES (64 << 20)

static int rank_, size_;
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

/* Whether st is /dev/null (the README's way to say "no file, built-in defaults"). */
static int is_dev_null(const struct stat *st) {
    struct stat null;
    return S_ISCHR(st->st_mode) && stat("/dev/null", &null) == 0 && S_ISCHR(null.st_mode) &&
           st->st_rdev == null.st_rdev;
}

/* Read a configuration file: a regular file (or /dev/null) of at most
 * CONFIG_MAX_BYTES. Never blocks: a FIFO, device or directory is refused
 * before it is opened, and it is opened non-blocking. Returns the malloc'd
 * text (length *len) or NULL with a message naming the path. */
static char *read_file(const char *path, long *len, char *err, size_t n) {
    struct stat st;
    if (stat(path, &st) != 0) {
        snprintf(err, n, "cannot read configuration file '%s': %s", path, strerror(errno));
        return NULL;
    }
    if (S_ISDIR(st.st_mode)) {
        snprintf(err, n, "configuration file '%s' is a directory", path);
        return NULL;
    }
    if (!S_ISREG(st.st_mode) && !is_dev_null(&st)) {
        snprintf(err, n, "configuration file '%s' is not a regular file (a FIFO, socket or device)",
                 path);
        return NULL;
    }
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0 || fstat(fd, &st) != 0 || (!S_ISREG(st.st_mode) && !is_dev_null(&st))) {
        snprintf(err, n, "cannot read configuration file '%s': %s", path,
                 fd < 0 ? strerror(errno) : "not a regular file");
        if (fd >= 0) close(fd);
        return NULL;
    }
    size_t cap = 4096, used = 0;
    char *text = malloc(cap + 1);
    for (;;) {
        if (!text) break;
        if (used == cap) {
            if (cap >= CONFIG_MAX_BYTES) {
                snprintf(err, n, "configuration file '%s' is larger than %d MiB", path,
                         CONFIG_MAX_BYTES >> 20);
                free(text);
                close(fd);
                return NULL;
            }
            char *grown = realloc(text, 2 * cap + 1);
            if (!grown) {
                free(text);
                text = NULL;
                break;
            }
            text = grown;
            cap *= 2;
        }
        ssize_t k = read(fd, text + used, cap - used);
        if (k < 0 && errno == EINTR) continue;
        if (k < 0) {
            snprintf(err, n, "cannot read configuration file '%s': %s", path, strerror(errno));
            free(text);
            close(fd);
            return NULL;
        }
        if (k == 0) break;
        used += (size_t)k;
    }
    close(fd);
    if (!text) {
        snprintf(err, n, "cannot read configuration file '%s': out of memory", path);
        return NULL;
    }
    text[used] = '\0';
    *len = (long)used;
    return text;
}

/* Rank 0 reads the file; every rank gets its text (len bytes, NUL added).
 * Returns NULL on every rank, with the message on rank 0, on failure. */
static char *read_config_text(const char *path, long *len, char *err, size_t n) {
    char *text = NULL;
    *len = -1;
    if (rank_ == 0) text = read_file(path, len, err, n);
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
                                           &schema_faults,     &schema_election, &schema_nodes,
                                           &schema_evaluation};
    for (size_t i = 0; i < sizeof core / sizeof core[0]; i++)
        for (const struct param *p = core[i]->params; p && p->key; p++)
            printf("  [%s] %-16s = %-24s %s\n", core[i]->name, p->key, p->default_value, p->help);
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
        char *dir = strdup(c->output);
        const char *d = dir ? dirname(dir) : ".";
        int exists = stat(c->output, &st) == 0;
        if (exists && !S_ISREG(st.st_mode)) {
            snprintf(err, n,
                     "output file '%s' is not a regular file (-o names the HDF5 file to write)",
                     c->output);
            rc = -1;
        } else if (exists && !c->force) {
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
            rc = outfile_create(&out_, c->output, &a, err, n);
            if (rc == 0) {
                writer_ = ckpt_writer_new(&out_);
                runtime_set_checkpoint_writer(writer_);
            }
            free(cmd);
        }
        free(dir);
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
    struct config cfg;
    config_init(&cfg, plan_schema());
    long len = 0;
    char *text = NULL;
    if (c.config_path) {
        text = read_config_text(c.config_path, &len, err, sizeof err);
    } else if ((text = strdup(schema_default_scenario))) {
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
    if (rc == 0) rc = plan_runs(&cfg, &plans, &nplans, err, sizeof err);
    /* The memory limit follows rank 0's host, where the run is gathered. */
    double phys = (double)sysconf(_SC_PHYS_PAGES) * (double)sysconf(_SC_PAGE_SIZE);
    MPI_Bcast(&phys, 1, MPI_DOUBLE, 0, MPI_COMM_WORLD);
    for (int i = 0; rc == 0 && i < nplans; i++) {
        if (i > 0 && strcmp(plans[i].algorithm, plans[i - 1].algorithm) == 0 &&
            plans[i].nodes == plans[i - 1].nodes)
            continue;
        /* plans[i].nodes, or one node per rank (runtime_check refuses a
         * real-time run whose node count is not the rank count) */
        int nodes = plans[i].nodes > 0 ? plans[i].nodes : size_;
        rc = plan_check_nodes(&plans[i], nodes, err, sizeof err);
        if (rc == 0) rc = runtime_check(MPI_COMM_WORLD, &plans[i], err, sizeof err);
        if (rc == 0) rc = plan_check_memory(&plans[i], nodes, phys, err, sizeof err);
    }
    if (rc == 0 && c.check) {
        if (rank_ == 0) {
            char *resolved = plan_resolved_config(&plans[0]);
            printf("; configuration OK: %d run(s) on %d nodes; the first one resolves to:\n%s",
                   nplans, plans[0].nodes > 0 ? plans[0].nodes : size_, resolved ? resolved : "");
            free(resolved);
        }
    } else if (rc == 0) {
        rc = create_output(&c, argc, argv, err, sizeof err);
        if (rc == 0) {
            catch_stop_signals();
            rc = run_all(&c, plans, nplans);
            err[0] = '\0';
            if (rank_ == 0) {
                ckpt_writer_free(writer_);
                runtime_set_checkpoint_writer(NULL);
                outfile_close(&out_);
            }
        }
    }
    if (rc && err[0]) report(err);
    free(plans);
    config_free(&cfg);
    return finish(rc == -1 ? EXIT_USAGE : rc);
}
