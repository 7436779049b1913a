/* Experiment configuration: INI text (parsed with inih) plus command-line
 * overrides "section.key=value", checked against the declared parameters of
 * every section. Every value remembers where it came from ("file.ini:12",
 * "--set", "default") so that an error names the file, line and key.
 *
 * Every value is checked when it is given (also one that a later --set
 * replaces), kept whole (no length limit) and must read back identically
 * from the resolved INI text (config_resolved): values hold no control
 * characters but tab and no ';' that would start an inline comment. A key
 * given twice in one file, or twice on the command line, is an error. */
#ifndef CLOCKLAB_CONFIG_H
#define CLOCKLAB_CONFIG_H

#include "model/distribution.h"

#include <stddef.h>

enum param_type { PARAM_STRING, PARAM_INT, PARAM_REAL, PARAM_TIME, PARAM_BOOL, PARAM_DIST };

/* The shortest period, timeout or interval (s) the runtime is asked to
 * honour: timers firing more often than this are refused in configurations. */
#define CONFIG_MIN_PERIOD 10e-6

/* The largest magnitude (s) of a time a distribution gives ([clock] offset
 * and jitter, [network] delay, intervals, service times; for exponential
 * and lognormal, which have no largest value, the mean). Readings and event
 * times are sums t + x of doubles, exact to 1 ns (an ulp of at most 2^-30 s)
 * while |t + x| < 2^23 s (97 days): 10^6 s (11.6 days) keeps that for runs
 * of up to 85 days, where constant(1e300s) made every reading the same. */
#define CONFIG_MAX_TIME 1e6

/* Whether a parameter's value keeps a run going until its end, so that the
 * run needs [experiment] duration > 0 (with duration 0 a run ends when every
 * node is done). Checked for the algorithms of a run by
 * config_check_duration. */
enum param_needs_duration {
    NEEDS_DURATION_NEVER = 0,
    NEEDS_DURATION_AT_ZERO,    /* INT: 0 = until the run ends (rounds, polls, entries) */
    NEEDS_DURATION_UNLESS_ZERO /* TIME: a nonzero period never ends (heartbeats) */
};

/* One declared parameter, written with designated initializers (unset
 * fields are 0: no range, no choices). Tables of them end with an entry
 * whose key is NULL. */
struct param {
    const char *key;
    enum param_type type;
    const char *default_value;
    const char *help;
    /* Inclusive range, checked when lo < hi. INT, REAL, TIME: the value.
     * DIST: every value a draw can take (an unbounded distribution exceeds
     * any finite hi); for DIST_INTERVAL each node's mean wait. A DIST of
     * times is also within +-CONFIG_MAX_TIME, whatever its range. */
    double lo, hi;
    int zero_ok;              /* TIME, DIST: 0 is allowed outside [lo, hi] (0 = off) */
    enum dist_unit dist_unit; /* DIST: what the arguments are */
    const char *choices;      /* STRING: "a|b|c" allowed values, NULL = free text */
    /* STRING: extra check of the value; returns 0 or -1 with a message. */
    int (*validate)(const char *value, char *err, size_t errlen);
    enum param_needs_duration needs_duration;
};

struct section_schema {
    const char *name;
    const struct param *params;
};

enum config_source { SOURCE_FILE, SOURCE_SET, SOURCE_PROGRAM };

struct config_entry { /* all strings malloc'd */
    char *section, *key, *value, *origin;
    enum config_source source;
};

struct config {
    struct config_entry *entries;
    size_t n, cap;
    const struct section_schema *const *schema; /* NULL-terminated */
};

#define CONFIG_ERR_LEN 1024

/* Empty configuration over the given schema (a NULL-terminated list). */
void config_init(struct config *cfg, const struct section_schema *const *schema);
void config_free(struct config *cfg);

/* Parse INI text of len bytes; name is used in messages ("experiments/berkeley.ini").
 * Unknown sections and keys, duplicate keys, invalid values, NUL bytes and
 * lines inih would not read whole are errors. Returns 0, or -1 with
 * "name:line: ..." in err. */
int config_parse_n(struct config *cfg, const char *text, size_t len, const char *name, char *err,
                   size_t errlen);
/* Read a configuration file: a regular file (or /dev/null, "no file") of
 * at most CONFIG_MAX_BYTES. Never blocks: a FIFO, device or directory is
 * refused before it is opened, and it is opened non-blocking. Returns the
 * malloc'd text (length *len, NUL added) or NULL with a message naming the
 * path in err. */
#define CONFIG_MAX_BYTES (64 << 20)
char *config_read_file(const char *path, long *len, char *err, size_t errlen);

/* The same for NUL-terminated text. */
int config_parse(struct config *cfg, const char *text, const char *name, char *err, size_t errlen);

/* Apply an override "section.key=value" (command line): replaces a value from
 * the file; the same key twice on the command line is an error. Returns 0,
 * or -1 with a message. */
int config_set(struct config *cfg, const char *assignment, char *err, size_t errlen);

/* Set section.key to value (checked like any other), replacing what was
 * there; origin names it in messages. Returns 0, or -1 with a message. */
int config_put(struct config *cfg, const char *section, const char *key, const char *value,
               const char *origin, char *err, size_t errlen);

/* Check every value (given or default) against its declaration (type, unit,
 * range, choices). Returns 0, or -1 with a message naming origin, section and key. */
int config_validate(const struct config *cfg, char *err, size_t errlen);

/* For every parameter of [section] that needs a duration (struct param
 * needs_duration), refuse its value when [experiment] duration is 0.
 * Returns 0, or -1 with "ORIGIN: [section] key: why" in err. */
int config_check_duration(const struct config *cfg, const char *section, char *err, size_t errlen);

/* The one form of an error about a key: writes "ORIGIN: [section] key: WHY"
 * into err, WHY formatted from fmt (printf), ORIGIN from config_origin.
 * Returns -1, so that a check can end with `return config_fail(...)`. */
int config_fail(const struct config *cfg, const char *section, const char *key, char *err,
                size_t errlen, const char *fmt, ...) __attribute__((format(printf, 6, 7)));

/* Check that [section] key, an INT naming a node, exists in a run of
 * `nodes` nodes (a value below 0 passes: "none", where the range allows it).
 * Returns 0, or -1 with "ORIGIN: [section] key: node I does not exist in an
 * N-node run (nodes 0..N-1)" in err. */
int config_check_node(const struct config *cfg, const char *section, const char *key, int nodes,
                      char *err, size_t errlen);

/* Check one value against the declaration p; why gets the reason. */
int config_check_value(const struct param *p, const char *value, char *why, size_t n);

/* The value of section.key (given or default). Aborts on an undeclared key:
 * that is a programming error, not an input error. */
const char *config_get(const struct config *cfg, const char *section, const char *key);
/* Where the value of section.key came from: "file:line", "--set" or "default". */
const char *config_origin(const struct config *cfg, const char *section, const char *key);

/* Typed accessors for validated values (times in seconds). */
double config_time(const struct config *cfg, const char *section, const char *key);
double config_real(const struct config *cfg, const char *section, const char *key);
long config_int(const struct config *cfg, const char *section, const char *key);
int config_bool(const struct config *cfg, const char *section, const char *key);
void config_dist(const struct config *cfg, const char *section, const char *key, struct dist *out);

/* Write "[section]\nkey = value\n..." for the named sections (NULL-terminated),
 * every declared key with its resolved value, into a malloc'd string (NULL
 * when out of memory). config_parse of it gives the same values. */
char *config_resolved(const struct config *cfg, const char *const *sections);

/* Deep copy of src into dst (dst uninitialised). Returns 0 or -1 (no memory). */
int config_copy(struct config *dst, const struct config *src);

/* Find a section's declaration, or NULL. */
const struct section_schema *config_section(const struct config *cfg, const char *name);
/* Find a parameter's declaration in a section, or NULL. */
const struct param *config_param(const struct section_schema *s, const char *key);

#endif
