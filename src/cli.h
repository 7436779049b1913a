/* Command line of clocklab:
 *   clocklab [CONFIG.ini] [-o FILE] [--set section.key=value ...] [--force]
 *            [--progress[=SECONDS] | --no-progress]
 *            [--check [--nodes N]] [--list] [--schema] [--help] [--version] */
#ifndef CLOCKLAB_CLI_H
#define CLOCKLAB_CLI_H

#include <stddef.h>

#define CLI_MAX_SETS 256

struct cli {
    const char *config_path; /* NULL: the default scenario, or with --set the built-in defaults */
    const char *output;      /* default clocklab.h5 */
    int output_given;        /* -o was given */
    const char *sets[CLI_MAX_SETS];
    int nsets;
    int list, check, force, help, version, schema;
    int nodes;    /* --nodes N with --check: the node count to check for; 0 none */
    int progress; /* 1 --progress, -1 --no-progress, 0 auto (on when stderr is a terminal) */
    double progress_every; /* seconds of wall time between progress lines */
};

/* The seconds between progress lines without --progress=SECONDS. */
#define CLI_PROGRESS_EVERY 5.0

/* --list: the algorithms, their message types and parameters, and the
 * core sections' parameters, on stdout. */
void cli_list(void);

/* Parse argv. Returns 0, or -1 with a message in err. */
int cli_parse(int argc, char **argv, struct cli *out, char *err, size_t errlen);

/* The --help text. */
void cli_usage(void);

#endif
