#include "cli.h"

#include <stdio.h>
#include <string.h>

void cli_usage(void) {
    printf("Usage: clocklab [CONFIG.ini] [-o FILE] [--set section.key=value ...]\n"
           "                [--list] [--check] [--force] [--help] [--version]\n"
           "\n"
           "Runs clock-synchronization, logical-clock, election, request-routing and\n"
           "mutual-exclusion algorithms with every MPI rank as one node, and writes the\n"
           "results to an HDF5 file (schema clocklab/1).\n"
           "Start it with mpirun, e.g.  mpirun -n 8 clocklab experiments/berkeley.ini\n"
           "Without CONFIG.ini it runs the default scenario (Bully elects a coordinator,\n"
           "Berkeley synchronizes under it, the coordinator crashes, a new one is elected).\n"
           "\n"
           "  -o, --output FILE   result file (default clocklab.h5)\n"
           "  --set S.K=V         override key K of section [S]; wins over the file\n"
           "  --force             overwrite an existing result file\n"
           "  --check             validate the configuration, print it resolved, run nothing\n"
           "  --list              list algorithms, their message types and parameters\n"
           "  -h, --help          this text\n"
           "  -V, --version       version\n"
           "\n"
           "Times take s, ms, us or ns. Distributions: constant(x), uniform(a, b),\n"
           "exponential(mean), lognormal(median, sigma), values(v0, v1, ...).\n"
           "Plot the result with: /usr/bin/python3 analysis/clocklab_plot.py clocklab.h5\n");
}

int cli_parse(int argc, char **argv, struct cli *c, char *err, size_t n) {
    memset(c, 0, sizeof *c);
    c->output = "clocklab.h5";
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
        } else if (!strcmp(a, "--list")) {
            c->list = 1;
        } else if (!strcmp(a, "--check")) {
            c->check = 1;
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
    return 0;
}
