/* Experiment configuration: INI text (parsed with inih) plus command-line
 * overrides "section.key=value", checked against the declared parameters of
 * every section. Every value remembers where it came from ("file.ini:12",
 * "--set", "default") so that an error names the file, line and key. */
#ifndef CLOCKLAB_CONFIG_H
#define CLOCKLAB_CONFIG_H

#include "../runtime/distribution.h"

#include <stddef.h>

enum param_type { PARAM_STRING, PARAM_INT, PARAM_REAL, PARAM_TIME, PARAM_BOOL, PARAM_DIST };

/* One declared parameter. Tables of them end with an entry whose key is NULL. */
struct param {
    const char *key;
    enum param_type type;
    const char *default_value;
    const char *help;
    double lo, hi;            /* INT/REAL: inclusive range, checked when lo < hi */
    enum dist_unit dist_unit; /* DIST: what the arguments are */
    const char *choices;      /* STRING: "a|b|c" allowed values, NULL = free text */
    /* STRING: extra check of the value; returns 0 or -1 with a message. */
    int (*validate)(const char *value, char *err, size_t errlen);
};

struct section_schema {
    const char *name;
    const struct param *params;
};

struct config_entry {
    char section[64];
    char key[64];
    char value[1024];
    char origin[300];
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

/* Parse INI text; name is used in messages ("experiments/berkeley.ini").
 * Unknown sections and keys are errors. Returns 0, or -1 with "name:line: ..." in err. */
int config_parse(struct config *cfg, const char *text, const char *name, char *err, size_t errlen);

/* Apply an override "section.key=value" (command line). Returns 0, or -1 with a message. */
int config_set(struct config *cfg, const char *assignment, char *err, size_t errlen);

/* Check every value given against its declaration (type, unit, range, choices).
 * Returns 0, or -1 with a message naming origin, section and key. */
int config_validate(const struct config *cfg, char *err, size_t errlen);

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
 * every declared key with its resolved value, into a malloc'd string. */
char *config_resolved(const struct config *cfg, const char *const *sections);

/* Deep copy of src into dst (dst uninitialised). Returns 0 or -1 (no memory). */
int config_copy(struct config *dst, const struct config *src);

/* Find a section's declaration, or NULL. */
const struct section_schema *config_section(const struct config *cfg, const char *name);

#endif
