#include "config.h"

#include "units.h"

#include <ini.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void config_init(struct config *cfg, const struct section_schema *const *schema) {
    memset(cfg, 0, sizeof *cfg);
    cfg->schema = schema;
}

void config_free(struct config *cfg) {
    free(cfg->entries);
    cfg->entries = NULL;
    cfg->n = cfg->cap = 0;
}

const struct section_schema *config_section(const struct config *cfg, const char *name) {
    for (size_t i = 0; cfg->schema[i]; i++)
        if (strcmp(cfg->schema[i]->name, name) == 0) return cfg->schema[i];
    return NULL;
}

static const struct param *find_param(const struct section_schema *s, const char *key) {
    for (const struct param *p = s->params; p && p->key; p++)
        if (strcmp(p->key, key) == 0) return p;
    return NULL;
}

static void known_keys(const struct section_schema *s, char *out, size_t n) {
    out[0] = '\0';
    for (const struct param *p = s->params; p && p->key; p++) {
        size_t len = strlen(out);
        snprintf(out + len, n - len, "%s%s", len ? ", " : "", p->key);
    }
}

static void known_sections(const struct config *cfg, char *out, size_t n) {
    out[0] = '\0';
    for (size_t i = 0; cfg->schema[i]; i++) {
        size_t len = strlen(out);
        snprintf(out + len, n - len, "%s%s", len ? ", " : "", cfg->schema[i]->name);
    }
}

/* Check that section.key is declared; message prefixed with origin. */
static int check_declared(const struct config *cfg, const char *section, const char *key,
                          const char *origin, char *err, size_t n) {
    char list[1024];
    const struct section_schema *s = config_section(cfg, section);
    if (!s) {
        known_sections(cfg, list, sizeof list);
        snprintf(err, n, "%s: unknown section [%s] (known: %s)", origin, section, list);
        return -1;
    }
    if (!find_param(s, key)) {
        known_keys(s, list, sizeof list);
        snprintf(err, n, "%s: unknown key '%s' in [%s] (known: %s)", origin, key, section, list);
        return -1;
    }
    return 0;
}

static int put(struct config *cfg, const char *section, const char *key, const char *value,
               const char *origin, char *err, size_t n) {
    if (check_declared(cfg, section, key, origin, err, n)) return -1;
    if (strlen(value) >= sizeof cfg->entries[0].value) {
        snprintf(err, n, "%s: [%s] %s: value too long", origin, section, key);
        return -1;
    }
    struct config_entry *e = NULL;
    for (size_t i = 0; i < cfg->n; i++)
        if (!strcmp(cfg->entries[i].section, section) && !strcmp(cfg->entries[i].key, key))
            e = &cfg->entries[i];
    if (!e) {
        if (cfg->n == cfg->cap) {
            size_t cap = cfg->cap ? 2 * cfg->cap : 32;
            struct config_entry *p = realloc(cfg->entries, cap * sizeof *p);
            if (!p) {
                snprintf(err, n, "out of memory");
                return -1;
            }
            cfg->entries = p;
            cfg->cap = cap;
        }
        e = &cfg->entries[cfg->n++];
    }
    snprintf(e->section, sizeof e->section, "%s", section);
    snprintf(e->key, sizeof e->key, "%s", key);
    snprintf(e->value, sizeof e->value, "%s", value);
    snprintf(e->origin, sizeof e->origin, "%s", origin);
    return 0;
}

/* inih reads through this so that the handler knows the current line. */
struct ini_stream {
    const char *pos;
    int line;
    struct config *cfg;
    const char *name;
    char *err;
    size_t errlen;
    int failed;
};

static char *read_line(char *str, int num, void *stream) {
    struct ini_stream *s = stream;
    if (!*s->pos || num < 2) return NULL;
    int i = 0;
    while (i < num - 1 && s->pos[i] && s->pos[i] != '\n')
        i++;
    if (s->pos[i] == '\n' && i < num - 1) i++;
    memcpy(str, s->pos, (size_t)i);
    str[i] = '\0';
    s->pos += i;
    s->line++;
    return str;
}

static int on_pair(void *user, const char *section, const char *name, const char *value) {
    struct ini_stream *s = user;
    if (s->failed) return 1;
    char origin[300];
    snprintf(origin, sizeof origin, "%s:%d", s->name, s->line);
    if (section[0] == '\0') {
        snprintf(s->err, s->errlen, "%s: key '%s' outside any [section]", origin, name);
        s->failed = 1;
        return 0;
    }
    if (put(s->cfg, section, name, value, origin, s->err, s->errlen)) {
        s->failed = 1;
        return 0;
    }
    return 1;
}

int config_parse(struct config *cfg, const char *text, const char *name, char *err, size_t n) {
    struct ini_stream s = {text, 0, cfg, name, err, n, 0};
    ini_allow_multiline = 0;
    ini_use_stack = 0;
    ini_max_line = 4096;
    int rc = ini_parse_stream(read_line, &s, on_pair, &s);
    if (s.failed) return -1;
    if (rc > 0) {
        snprintf(err, n, "%s:%d: not an INI line (expected [section] or key = value)", name, rc);
        return -1;
    }
    if (rc < 0) {
        snprintf(err, n, "%s: cannot be parsed (out of memory)", name);
        return -1;
    }
    return 0;
}

int config_set(struct config *cfg, const char *assignment, char *err, size_t n) {
    char buf[1200];
    snprintf(buf, sizeof buf, "%s", assignment);
    char *eq = strchr(buf, '=');
    char *dot = strchr(buf, '.');
    if (!eq || !dot || dot > eq) {
        snprintf(err, n, "--set %s: expected section.key=value", assignment);
        return -1;
    }
    *eq = '\0';
    *dot = '\0';
    char section[64], key[64], value[1024];
    trim_copy(buf, section, sizeof section);
    trim_copy(dot + 1, key, sizeof key);
    trim_copy(eq + 1, value, sizeof value);
    return put(cfg, section, key, value, "--set", err, n);
}

static int check_value(const struct param *p, const char *value, char *why, size_t n) {
    double d;
    long l;
    int b;
    struct dist dist;
    switch (p->type) {
    case PARAM_STRING:
        if (p->choices) {
            char list[256];
            snprintf(list, sizeof list, "%s", p->choices);
            for (char *tok = strtok(list, "|"); tok; tok = strtok(NULL, "|"))
                if (strcmp(tok, value) == 0) return 0;
            snprintf(why, n, "'%s' is not one of %s", value, p->choices);
            return -1;
        }
        return p->validate ? p->validate(value, why, n) : 0;
    case PARAM_INT:
        return parse_int(value, p->lo < p->hi ? (long)p->lo : -2147483647L,
                         p->lo < p->hi ? (long)p->hi : 2147483647L, &l, why, n);
    case PARAM_REAL:
        if (parse_real(value, 0, &d, why, n)) return -1;
        if (p->lo < p->hi && (d < p->lo || d > p->hi)) {
            snprintf(why, n, "%g is out of range [%g, %g]", d, p->lo, p->hi);
            return -1;
        }
        return 0;
    case PARAM_TIME:
        if (parse_time(value, &d, why, n)) return -1;
        if (d < 0) {
            snprintf(why, n, "'%s': a duration cannot be negative", value);
            return -1;
        }
        return 0;
    case PARAM_BOOL:
        return parse_bool(value, &b, why, n);
    case PARAM_DIST:
        return dist_parse(value, p->dist_unit, &dist, why, n);
    }
    return 0;
}

int config_validate(const struct config *cfg, char *err, size_t n) {
    char why[CONFIG_ERR_LEN];
    for (size_t i = 0; cfg->schema[i]; i++) {
        const struct section_schema *s = cfg->schema[i];
        for (const struct param *p = s->params; p && p->key; p++) {
            const char *v = config_get(cfg, s->name, p->key);
            if (check_value(p, v, why, sizeof why)) {
                snprintf(err, n, "%s: [%s] %s: %s", config_origin(cfg, s->name, p->key), s->name,
                         p->key, why);
                return -1;
            }
        }
    }
    return 0;
}

static const struct config_entry *find_entry(const struct config *cfg, const char *section,
                                             const char *key) {
    for (size_t i = 0; i < cfg->n; i++)
        if (!strcmp(cfg->entries[i].section, section) && !strcmp(cfg->entries[i].key, key))
            return &cfg->entries[i];
    return NULL;
}

static const struct param *declared(const struct config *cfg, const char *section,
                                    const char *key) {
    const struct section_schema *s = config_section(cfg, section);
    const struct param *p = s ? find_param(s, key) : NULL;
    if (!p) {
        fprintf(stderr, "clocklab: internal error: undeclared parameter [%s] %s\n", section, key);
        abort();
    }
    return p;
}

const char *config_get(const struct config *cfg, const char *section, const char *key) {
    const struct config_entry *e = find_entry(cfg, section, key);
    return e ? e->value : declared(cfg, section, key)->default_value;
}

const char *config_origin(const struct config *cfg, const char *section, const char *key) {
    const struct config_entry *e = find_entry(cfg, section, key);
    return e ? e->origin : "default";
}

static void must(int rc, const char *section, const char *key) {
    if (rc) {
        fprintf(stderr, "clocklab: internal error: [%s] %s used before validation\n", section, key);
        abort();
    }
}

double config_time(const struct config *cfg, const char *section, const char *key) {
    char why[256];
    double v = 0;
    must(parse_time(config_get(cfg, section, key), &v, why, sizeof why), section, key);
    return v;
}

double config_real(const struct config *cfg, const char *section, const char *key) {
    char why[256];
    double v = 0;
    must(parse_real(config_get(cfg, section, key), 0, &v, why, sizeof why), section, key);
    return v;
}

long config_int(const struct config *cfg, const char *section, const char *key) {
    char why[256];
    long v = 0;
    must(parse_int(config_get(cfg, section, key), -2147483647L, 2147483647L, &v, why, sizeof why),
         section, key);
    return v;
}

int config_bool(const struct config *cfg, const char *section, const char *key) {
    char why[256];
    int v = 0;
    must(parse_bool(config_get(cfg, section, key), &v, why, sizeof why), section, key);
    return v;
}

void config_dist(const struct config *cfg, const char *section, const char *key, struct dist *out) {
    char why[CONFIG_ERR_LEN];
    const struct param *p = declared(cfg, section, key);
    must(dist_parse(config_get(cfg, section, key), p->dist_unit, out, why, sizeof why), section,
         key);
}

/* Append formatted text to a growing malloc'd buffer. */
static void append(char **buf, size_t *len, size_t *cap, const char *fmt, ...) {
    va_list ap;
    for (;;) {
        va_start(ap, fmt);
        int k = vsnprintf(*buf ? *buf + *len : NULL, *buf ? *cap - *len : 0, fmt, ap);
        va_end(ap);
        if (k < 0) return;
        if (*buf && *len + (size_t)k < *cap) {
            *len += (size_t)k;
            return;
        }
        size_t cap2 = (*cap + (size_t)k + 1) * 2;
        char *p = realloc(*buf, cap2);
        if (!p) return;
        *buf = p;
        *cap = cap2;
    }
}

char *config_resolved(const struct config *cfg, const char *const *sections) {
    char *buf = NULL;
    size_t len = 0, cap = 0;
    append(&buf, &len, &cap, "%s", "");
    for (size_t i = 0; sections[i]; i++) {
        const struct section_schema *s = config_section(cfg, sections[i]);
        if (!s) continue;
        append(&buf, &len, &cap, "%s[%s]\n", i ? "\n" : "", s->name);
        for (const struct param *p = s->params; p && p->key; p++)
            append(&buf, &len, &cap, "%s = %s\n", p->key, config_get(cfg, s->name, p->key));
    }
    return buf;
}

int config_copy(struct config *dst, const struct config *src) {
    *dst = *src;
    dst->entries = NULL;
    dst->cap = src->n;
    if (src->n == 0) return 0;
    dst->entries = malloc(src->n * sizeof *dst->entries);
    if (!dst->entries) return -1;
    memcpy(dst->entries, src->entries, src->n * sizeof *dst->entries);
    return 0;
}
