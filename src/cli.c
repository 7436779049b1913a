#include "cli.h"

#include "api/algorithm.h"
#include "config/schema.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void cli_usage(void) {
    printf("Usage: clocklab [CONFIG.ini] [-o FILE] [--set section.key=value ...] [--force]\n"
           "                [--progress[=SECONDS] | --no-progress]\n"
           "                [--check [--nodes N]] [--list] [--schema] [--help] [--version]\n"
           "\n"
           "Runs clock-synchronization, logical-clock, election, request-routing and\n"
           "mutual-exclusion algorithms on nodes spread over the MPI ranks (one per rank,\n"
           "or [experiment] nodes), and writes the results to an HDF5 file (schema\n"
           "clocklab/1).\n"
           "Start it with mpirun, e.g.  mpirun -n 2 clocklab experiments/berkeley.ini\n"
           "([experiment] nodes = N spreads N nodes over the ranks; start no more ranks\n"
           "than CPUs in real time, or use --set experiment.time=virtual).\n"
           "Without CONFIG.ini and without --set it runs the default scenario\n"
           "(experiments/default.ini: Bully elects a coordinator, Berkeley synchronizes\n"
           "under it, the coordinator crashes, a new one is elected); --set without\n"
           "CONFIG.ini starts from the built-in defaults (--list shows them).\n"
           "\n"
           "  -o, --output FILE   result file (default clocklab.h5)\n"
           "  --set S.K=V         override key K of section [S]; wins over the file\n"
           "  --force             overwrite an existing result file\n"
           "  --progress[=S]      rank 0 prints the reference time each run has reached to\n"
           "                      stderr every S seconds of wall time (default 5); on by\n"
           "                      default only when stderr is a terminal\n"
           "  --no-progress       no progress lines\n"
           "  --check             validate the configuration, print it resolved, run nothing;\n"
           "                      needs no mpirun: node-count rules are checked for\n"
           "                      --nodes N, else [experiment] nodes, else the rank count;\n"
           "                      -o FILE is checked as the run would check it\n"
           "  --nodes N           with --check: the node count to check the runs for\n"
           "  --list              list algorithms, their message types and parameters\n"
           "  --schema            list the datasets, fields, units and enums of the output\n"
           "  -h, --help          this text\n"
           "  -V, --version       version\n"
           "\n"
           "Times take s, ms, us or ns. Distributions: constant(x), uniform(a, b),\n"
           "exponential(mean), lognormal(median, sigma), values(v0, v1, ...).\n"
           "Plot the result with:  analysis/clocklab-analysis plot clocklab.h5\n"
           "Documentation: README.md and docs/ in the source tree.\n");
}

int cli_parse(int argc, char **argv, struct cli *c, char *err, size_t n) {
    memset(c, 0, sizeof *c);
    c->output = "clocklab.h5";
    c->progress_every = CLI_PROGRESS_EVERY;
    int outputs = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *value = NULL;
        int is_set = 0, is_output = 0;
        if (!strcmp(a, "-o") || !strcmp(a, "--output") || !strcmp(a, "--set")) {
            if (i + 1 >= argc) {
                snprintf(err, n, "%s needs a value", a);
                return -1;
            }
            value = argv[++i];
            is_set = a[2] == 's';
            is_output = !is_set;
        } else if (!strncmp(a, "--set=", 6)) {
            value = a + 6;
            is_set = 1;
        } else if (!strncmp(a, "--output=", 9)) {
            value = a + 9;
            is_output = 1;
        }
        if (is_set && value[0] == '-' && !strchr(value, '=')) {
            /* "--set -o out.h5": the option after --set is not its value */
            snprintf(err, n, "--set needs section.key=value, not the option '%s'", value);
            return -1;
        }
        if (is_set) {
            if (c->nsets == CLI_MAX_SETS) {
                snprintf(err, n, "too many --set options (at most %d)", CLI_MAX_SETS);
                return -1;
            }
            c->sets[c->nsets++] = value;
        } else if (is_output) {
            if (outputs++) {
                snprintf(err, n, "more than one output file ('%s' and '%s')", c->output, value);
                return -1;
            }
            c->output = value;
            c->output_given = 1;
        } else if (!strcmp(a, "--list")) {
            c->list = 1;
        } else if (!strcmp(a, "--check")) {
            c->check = 1;
        } else if (!strcmp(a, "--schema")) {
            c->schema = 1;
        } else if (!strcmp(a, "--nodes") || !strncmp(a, "--nodes=", 8)) {
            const char *v = a[7] == '=' ? a + 8 : (i + 1 < argc ? argv[++i] : NULL);
            char *end = NULL;
            errno = 0;
            long k = v ? strtol(v, &end, 10) : 0;
            if (!v || end == v || *end || errno || k < 1 || k > (1 << 20)) {
                snprintf(err, n, "--nodes needs a node count from 1 to %d", 1 << 20);
                return -1;
            }
            c->nodes = (int)k;
        } else if (!strcmp(a, "--progress") || !strncmp(a, "--progress=", 11)) {
            c->progress = 1;
            if (a[10] == '=') {
                char *end = NULL;
                double s = strtod(a + 11, &end);
                if (end == a + 11 || *end || !isfinite(s) || s < 0.01 || s > 86400) {
                    snprintf(err, n, "--progress=SECONDS needs seconds from 0.01 to 86400");
                    return -1;
                }
                c->progress_every = s;
            }
        } else if (!strcmp(a, "--no-progress")) {
            c->progress = -1;
        } else if (!strcmp(a, "--force")) {
            c->force = 1;
        } else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            c->help = 1;
        } else if (!strcmp(a, "-V") || !strcmp(a, "--version")) {
            c->version = 1;
        } else if (a[0] == '-' && a[1] != '\0') {
            snprintf(err, n, "unknown option '%s' (see --help)", a);
            return -1;
        } else if (c->config_path) {
            snprintf(err, n, "more than one configuration file ('%s' and '%s')", c->config_path, a);
            return -1;
        } else {
            c->config_path = a;
        }
    }
    if (c->output[0] == '\0') {
        snprintf(err, n, "-o needs a file name");
        return -1;
    }
    if (c->nodes && !c->check) {
        snprintf(err, n,
                 "--nodes goes with --check (a run takes its node count from [experiment] nodes "
                 "or mpirun -n)");
        return -1;
    }
    return 0;
}

void cli_list(void) {
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
    for (size_t i = 0; schema_core[i]; i++)
        for (const struct param *p = schema_core[i]->params; p && p->key; p++)
            printf("  [%s] %-16s = %-24s %s\n", schema_core[i]->name, p->key, p->default_value,
                   p->help);
}
