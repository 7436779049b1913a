/* Command line of clocklab:
 *   clocklab [CONFIG.ini] [-o FILE] [--set section.key=value ...]
 *            [--list] [--check] [--force] [--help] [--version] */
#ifndef CLOCKLAB_CLI_H
#define CLOCKLAB_CLI_H

#include <stddef.h>

#define CLI_MAX_SETS 256

struct cli {
    const char *config_path; /* NULL: the default scenario */
    const char *output;      /* default clocklab.h5 */
    const char *sets[CLI_MAX_SETS];
    int nsets;
    int list, check, force, help, version;
};

/* Parse argv. Returns 0, or -1 with a message in err. */
int cli_parse(int argc, char **argv, struct cli *out, char *err, size_t errlen);

/* The --help text. */
void cli_usage(void);

#endif
