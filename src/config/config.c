#include "config/config.h"

#include "util/units.h"

#include <ctype.h>
#include <ini.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Quoted values in messages are cut to this many bytes. */
#define QUOTE_MAX 60
/* inih keeps section names in a buffer of this size (MAX_SECTION in ini.c). */
#define INIH_MAX_SECTION 50

void config_init(struct config *cfg, const struct section_schema *const *schema) {
    memset(cfg, 0, sizeof *cfg);
    cfg->schema = schema;
}

static void entry_free(struct config_entry *e) {
    free(e->section);
    free(e->key);
    free(e->value);
    free(e->origin);
}

void config_free(struct config *cfg) {
    for (size_t i = 0; i < cfg->n; i++)
        entry_free(&cfg->entries[i]);
    free(cfg->entries);
    cfg->entries = NULL;
    cfg->n = cfg->cap = 0;
}

const struct section_schema *config_section(const struct config *cfg, const char *name) {
    for (size_t i = 0; cfg->schema[i]; i++)
        if (strcmp(cfg->schema[i]->name, name) == 0) return cfg->schema[i];
    return NULL;
}

const struct param *config_param(const struct section_schema *s, const char *key) {
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

static int unknown_section(const struct config *cfg, const char *section, const char *origin,
                           char *err, size_t n) {
    char list[1024];
    known_sections(cfg, list, sizeof list);
    int cut = strlen(section) > QUOTE_MAX;
    snprintf(err, n, "%s: unknown section [%.*s%s] (known: %s)", origin, QUOTE_MAX, section,
             cut ? "..." : "", list);
    return -1;
}

/* Check that section.key is declared; message prefixed with origin. */
static const struct param *check_declared(const struct config *cfg, const char *section,
                                          const char *key, const char *origin, char *err,
                                          size_t n) {
    char list[1024], q[QUOTE_MAX + 8];
    const struct section_schema *s = config_section(cfg, section);
    if (!s) {
        unknown_section(cfg, section, origin, err, n);
        return NULL;
    }
    const struct param *p = config_param(s, key);
    if (!p) {
        known_keys(s, list, sizeof list);
        quote_text(key, QUOTE_MAX, q, sizeof q);
        snprintf(err, n, "%s: unknown key %s in [%s] (known: %s)", origin, q, section, list);
    }
    return p;
}

/* A value config_resolved can write and inih reads back unchanged: no
 * control characters but tab, no ';' at the start or after white space
 * (inih's inline comment), no white space at either end. */
static int check_writable(const char *value, char *why, size_t n) {
    for (const unsigned char *c = (const unsigned char *)value; *c; c++) {
        if ((*c < 0x20 && *c != '\t') || *c == 0x7f) {
            snprintf(why, n, "control character 0x%02x in the value (a value is one line)", *c);
            return -1;
        }
        if (*c == ';' && (c == (const unsigned char *)value || isspace(c[-1]))) {
            snprintf(why, n,
                     "a ';' at the start of a value or after a space starts an INI comment; "
                     "it cannot be part of a value");
            return -1;
        }
    }
    size_t len = strlen(value);
    if (len && (isspace((unsigned char)value[0]) || isspace((unsigned char)value[len - 1]))) {
        snprintf(why, n, "white space at the start or end of a value");
        return -1;
    }
    return 0;
}

static char *dup_or_null(const char *s) {
    size_t len = strlen(s);
    char *d = malloc(len + 1);
    if (d) memcpy(d, s, len + 1);
    return d;
}

static struct config_entry *find_entry(const struct config *cfg, const char *section,
                                       const char *key) {
    for (size_t i = 0; i < cfg->n; i++)
        if (!strcmp(cfg->entries[i].section, section) && !strcmp(cfg->entries[i].key, key))
            return &cfg->entries[i];
    return NULL;
}

static int put(struct config *cfg, const char *section, const char *key, const char *value,
               const char *origin, enum config_source source, char *err, size_t n) {
    const struct param *p = check_declared(cfg, section, key, origin, err, n);
    if (!p) return -1;
    struct config_entry *e = find_entry(cfg, section, key);
    if (e && e->source == source && source == SOURCE_FILE) {
        snprintf(err, n, "%s: [%s] %s: given twice in the section (first at %s)", origin, section,
                 key, e->origin);
        return -1;
    }
    if (e && e->source == source && source == SOURCE_SET) {
        snprintf(err, n, "%s: [%s] %s: given twice on the command line", origin, section, key);
        return -1;
    }
    char why[CONFIG_ERR_LEN];
    if (check_writable(value, why, sizeof why) || config_check_value(p, value, why, sizeof why)) {
        snprintf(err, n, "%s: [%s] %s: %s", origin, section, key, why);
        return -1;
    }
    char *v = dup_or_null(value), *o = dup_or_null(origin);
    char *s = e ? NULL : dup_or_null(section), *k = e ? NULL : dup_or_null(key);
    if (!v || !o || (!e && (!s || !k))) {
        free(v), free(o), free(s), free(k);
        snprintf(err, n, "%s: [%s] %s: out of memory", origin, section, key);
        return -1;
    }
    if (!e) {
        if (cfg->n == cfg->cap) {
            size_t cap = cfg->cap ? 2 * cfg->cap : 32;
            struct config_entry *grown = realloc(cfg->entries, cap * sizeof *grown);
            if (!grown) {
                free(v), free(o), free(s), free(k);
                snprintf(err, n, "%s: [%s] %s: out of memory", origin, section, key);
                return -1;
            }
            cfg->entries = grown;
            cfg->cap = cap;
        }
        e = &cfg->entries[cfg->n++];
        e->section = s;
        e->key = k;
    } else {
        free(e->value);
        free(e->origin);
    }
    e->value = v;
    e->origin = o;
    e->source = source;
    return 0;
}

int config_put(struct config *cfg, const char *section, const char *key, const char *value,
               const char *origin, char *err, size_t n) {
    return put(cfg, section, key, value, origin, SOURCE_PROGRAM, err, n);
}

/* inih reads through this so that the handler knows the current line, each
 * line arrives whole, and lines inih would misread are refused first. */
struct ini_stream {
    const char *pos, *end;
    int line;
    struct config *cfg;
    const char *name;
    char *err;
    size_t errlen;
    int failed;
};

static int stream_fail(struct ini_stream *s, const char *fmt, ...) {
    int k = snprintf(s->err, s->errlen, "%s:%d: ", s->name, s->line);
    va_list ap;
    va_start(ap, fmt);
    if (k >= 0 && (size_t)k < s->errlen) vsnprintf(s->err + k, s->errlen - (size_t)k, fmt, ap);
    va_end(ap);
    s->failed = 1;
    return -1;
}

/* A [section] line: the name must be known and nothing but a comment may
 * follow the ']' (inih ignores whatever does). */
static int check_section_line(struct ini_stream *s, const char *line, size_t len) {
    const char *close = memchr(line, ']', len);
    if (!close) return 0; /* inih refuses it: "not an INI line" */
    for (const char *c = line + 1; c < close; c++)
        if (*c == ';' && isspace((unsigned char)c[-1])) return 0; /* inih refuses it too */
    const char *after = close + 1;
    while (after < line + len && isspace((unsigned char)*after))
        after++;
    if (after < line + len && *after != ';' && *after != '#')
        return stream_fail(s, "text after the section name (only a ; comment may follow ']')");
    size_t raw_len = (size_t)(close - line - 1);
    char *raw = malloc(raw_len + 1), *origin = malloc(strlen(s->name) + 16);
    if (!raw || !origin) {
        free(raw);
        free(origin);
        return stream_fail(s, "out of memory");
    }
    memcpy(raw, line + 1, raw_len);
    raw[raw_len] = '\0';
    sprintf(origin, "%s:%d", s->name, s->line);
    int rc = 0;
    /* inih keeps the name as written (spaces too) and cuts it to
     * INIH_MAX_SECTION - 1 bytes: either way no known section. */
    if (strlen(raw) >= INIH_MAX_SECTION || !config_section(s->cfg, raw)) {
        if (raw[0] == '\0')
            snprintf(s->err, s->errlen, "%s: empty section name []", origin);
        else
            unknown_section(s->cfg, raw, origin, s->err, s->errlen);
        s->failed = 1;
        rc = -1;
    }
    free(raw);
    free(origin);
    return rc;
}

/* Checks of one whole line (len bytes, without the newline) before inih
 * sees it. */
static int check_line(struct ini_stream *s, const char *line, size_t len) {
    if (s->line == 1 && len >= 3 && !memcmp(line, "\xEF\xBB\xBF", 3)) /* inih skips a BOM */
        line += 3, len -= 3;
    while (len > 0 && isspace((unsigned char)*line))
        line++, len--;
    if (len == 0 || *line == ';' || *line == '#') return 0;
    if (*line == '[') return check_section_line(s, line, len);
    return 0;
}

static char *read_line(char *str, int num, void *stream) {
    struct ini_stream *s = stream;
    if (s->failed || s->pos >= s->end || num < 2) return NULL;
    const char *nl = memchr(s->pos, '\n', (size_t)(s->end - s->pos));
    size_t len = nl ? (size_t)(nl - s->pos) + 1 : (size_t)(s->end - s->pos);
    s->line++;
    if (len > (size_t)num - 1) { /* inih would cut the line: never happens, see config_parse_n */
        stream_fail(s, "line too long (%zu bytes)", len);
        return NULL;
    }
    if (check_line(s, s->pos, nl ? len - 1 : len)) return NULL;
    memcpy(str, s->pos, len);
    str[len] = '\0';
    s->pos += len;
    return str;
}

static int on_pair(void *user, const char *section, const char *name, const char *value) {
    struct ini_stream *s = user;
    if (s->failed) return 0;
    char *origin = malloc(strlen(s->name) + 16);
    if (!origin) {
        stream_fail(s, "out of memory");
        return 0;
    }
    sprintf(origin, "%s:%d", s->name, s->line);
    int rc = 0;
    if (section[0] == '\0') {
        char q[QUOTE_MAX + 8];
        quote_text(name, QUOTE_MAX, q, sizeof q);
        snprintf(s->err, s->errlen, "%s: key %s outside any [section]", origin, q);
        rc = -1;
    } else {
        rc = put(s->cfg, section, name, value, origin, SOURCE_FILE, s->err, s->errlen);
    }
    free(origin);
    if (rc) s->failed = 1;
    return rc == 0;
}

int config_parse_n(struct config *cfg, const char *text, size_t len, const char *name, char *err,
                   size_t n) {
    /* NUL bytes: inih (and C strings) would end the text there. */
    const char *nul = memchr(text, '\0', len);
    if (nul) {
        int line = 1;
        for (const char *c = text; c < nul; c++)
            line += *c == '\n';
        snprintf(err, n, "%s:%d: a NUL byte in the file (not a text file?)", name, line);
        return -1;
    }
    /* inih reads each line into one buffer: make it hold the longest line
     * (plus '\n', '\0' and a spare byte), so that no line is cut. */
    size_t longest = 0;
    int line = 0, longest_line = 0;
    for (const char *c = text, *end = text + len; c < end;) {
        const char *nl = memchr(c, '\n', (size_t)(end - c));
        size_t l = nl ? (size_t)(nl - c) : (size_t)(end - c);
        line++;
        if (l > longest) longest = l, longest_line = line;
        c += l + 1;
    }
    if (longest > (size_t)INT32_MAX / 2) {
        snprintf(err, n, "%s:%d: line too long (%zu bytes)", name, longest_line, longest);
        return -1;
    }
    int buf = (int)longest + 3 < 200 ? 200 : (int)longest + 3;
    struct ini_stream s = {text, text + len, 0, cfg, name, err, n, 0};
    ini_allow_multiline = 0;
    ini_allow_inline_comments = 1;
    ini_allow_no_value = 0;
    ini_allow_bom = 1;
    ini_stop_on_first_error = 1;
    ini_use_stack = 0;
    ini_allow_realloc = 0;
    ini_initial_alloc = buf;
    ini_max_line = buf;
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

int config_parse(struct config *cfg, const char *text, const char *name, char *err, size_t n) {
    return config_parse_n(cfg, text, strlen(text), name, err, n);
}

int config_set(struct config *cfg, const char *assignment, char *err, size_t n) {
    const char *eq = strchr(assignment, '=');
    const char *dot = strchr(assignment, '.');
    char q[QUOTE_MAX + 8];
    quote_text(assignment, QUOTE_MAX, q, sizeof q);
    if (!eq || !dot || dot > eq) {
        snprintf(err, n, "--set %s: expected section.key=value", q);
        return -1;
    }
    char *section = trim_dup(assignment, (size_t)(dot - assignment));
    char *key = trim_dup(dot + 1, (size_t)(eq - dot - 1));
    char *value = trim_dup(eq + 1, strlen(eq + 1));
    int rc = -1;
    if (!section || !key || !value)
        snprintf(err, n, "--set %s: out of memory", q);
    else
        rc = put(cfg, section, key, value, "--set", SOURCE_SET, err, n);
    free(section);
    free(key);
    free(value);
    return rc;
}

/* Range of a distribution's values: every draw for kinds other than
 * DIST_INTERVAL, each node's mean for DIST_INTERVAL. */
static void dist_range(const struct dist *d, enum dist_unit unit, double *lo, double *hi) {
    if (unit == DIST_INTERVAL) {
        dist_mean_range(d, lo, hi);
    } else {
        *lo = dist_min(d);
        *hi = dist_max(d);
    }
}

static void range_text(const struct param *p, char *out, size_t n) {
    const char *zero = p->zero_ok ? "0 or " : "";
    if (p->type == PARAM_TIME ||
        (p->type == PARAM_DIST && (p->dist_unit == DIST_TIME || p->dist_unit == DIST_TIME_NONNEG ||
                                   p->dist_unit == DIST_INTERVAL))) {
        if (isinf(p->hi))
            snprintf(out, n, "%sat least %gus", zero, p->lo * 1e6);
        else
            snprintf(out, n, "%sbetween %gus and %gs", zero, p->lo * 1e6, p->hi);
    } else {
        snprintf(out, n, "%sin [%g, %g]", zero, p->lo, p->hi);
    }
}

/* [lo, hi] within the declared range; a relative 1e-9 of slack lets "10us"
 * meet a bound of 10e-6 s whatever the rounding. */
static int within(double lo, double hi, const struct param *p) {
    return lo >= p->lo - 1e-9 * fabs(p->lo) && hi <= p->hi + 1e-9 * fabs(p->hi);
}

static int dist_of_times(enum dist_unit unit) {
    return unit == DIST_TIME || unit == DIST_TIME_NONNEG || unit == DIST_INTERVAL;
}

/* Every value of d within +-CONFIG_MAX_TIME; the mean for the kinds without
 * a largest value. */
static int within_max_time(const struct dist *d) {
    double lo = dist_min(d), hi = dist_max(d);
    if (isinf(hi)) dist_mean_range(d, &lo, &hi);
    return fabs(lo) <= CONFIG_MAX_TIME && fabs(hi) <= CONFIG_MAX_TIME;
}

int config_check_value(const struct param *p, const char *value, char *why, size_t n) {
    double d, lo, hi;
    long l;
    int b;
    struct dist dist;
    char range[128], q[QUOTE_MAX + 8];
    quote_text(value, QUOTE_MAX, q, sizeof q);
    range_text(p, range, sizeof range);
    switch (p->type) {
    case PARAM_STRING:
        if (p->choices) {
            size_t len = strlen(value);
            for (const char *c = p->choices; *c;) {
                const char *bar = strchr(c, '|');
                size_t k = bar ? (size_t)(bar - c) : strlen(c);
                if (k == len && strncmp(c, value, k) == 0) return 0;
                c += k + (bar ? 1 : 0);
            }
            snprintf(why, n, "%s is not one of %s", q, p->choices);
            return -1;
        }
        return p->validate ? p->validate(value, why, n) : 0;
    case PARAM_INT:
        return parse_int(value, p->lo < p->hi ? (long)p->lo : -2147483647L,
                         p->lo < p->hi ? (long)p->hi : 2147483647L, &l, why, n);
    case PARAM_REAL:
        if (parse_real(value, 0, &d, why, n)) return -1;
        /* within(): a bound computed in floating point (1 / 10us is
         * 99999.99999999999) accepts the value it prints as (100000) */
        if (p->lo < p->hi && !within(d, d, p)) {
            snprintf(why, n, "%s is out of range [%g, %g]", q, p->lo, p->hi);
            return -1;
        }
        return 0;
    case PARAM_TIME:
        if (parse_time(value, &d, why, n)) return -1;
        if (d < 0) {
            snprintf(why, n, "%s: a duration cannot be negative", q);
            return -1;
        }
        if (p->lo < p->hi && !within(d, d, p) && !(p->zero_ok && d == 0)) {
            snprintf(why, n, "%s: must be %s", q, range);
            return -1;
        }
        return 0;
    case PARAM_BOOL:
        return parse_bool(value, &b, why, n);
    case PARAM_DIST:
        if (dist_parse(value, p->dist_unit, &dist, why, n)) return -1;
        if (dist_of_times(p->dist_unit) && !within_max_time(&dist)) {
            snprintf(why, n,
                     "%s: every value must be between -%.0fs and %.0fs (for exponential and "
                     "lognormal: the mean), so that clock readings and event times keep a "
                     "resolution of 1 ns",
                     q, CONFIG_MAX_TIME, CONFIG_MAX_TIME);
            return -1;
        }
        if (!(p->lo < p->hi) || (p->zero_ok && dist_is_zero(&dist))) return 0;
        dist_range(&dist, p->dist_unit, &lo, &hi);
        if (!within(lo, hi, p)) {
            snprintf(why, n, "%s: %s must be %s%s", q,
                     p->dist_unit == DIST_INTERVAL ? "the mean" : "every value", range,
                     isinf(hi) && !isinf(p->hi) ? " (this distribution has no upper bound)" : "");
            return -1;
        }
        return 0;
    }
    return 0;
}

int config_validate(const struct config *cfg, char *err, size_t n) {
    char why[CONFIG_ERR_LEN];
    for (size_t i = 0; cfg->schema[i]; i++) {
        const struct section_schema *s = cfg->schema[i];
        for (const struct param *p = s->params; p && p->key; p++) {
            const char *v = config_get(cfg, s->name, p->key);
            if (config_check_value(p, v, why, sizeof why)) {
                snprintf(err, n, "%s: [%s] %s: %s", config_origin(cfg, s->name, p->key), s->name,
                         p->key, why);
                return -1;
            }
        }
    }
    return 0;
}

static const struct param *declared(const struct config *cfg, const char *section,
                                    const char *key) {
    const struct section_schema *s = config_section(cfg, section);
    const struct param *p = s ? config_param(s, key) : NULL;
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

/* A growing malloc'd string; failed is set once an allocation fails. */
struct text {
    char *buf;
    size_t len, cap;
    int failed;
};

static void add(struct text *t, const char *s) {
    size_t k = strlen(s);
    if (t->failed) return;
    if (t->len + k + 1 > t->cap) {
        size_t cap = (t->len + k + 1) * 2;
        char *p = realloc(t->buf, cap);
        if (!p) {
            t->failed = 1;
            return;
        }
        t->buf = p;
        t->cap = cap;
    }
    memcpy(t->buf + t->len, s, k + 1);
    t->len += k;
}

char *config_resolved(const struct config *cfg, const char *const *sections) {
    struct text t = {NULL, 0, 0, 0};
    add(&t, "");
    for (size_t i = 0; sections[i]; i++) {
        const struct section_schema *s = config_section(cfg, sections[i]);
        if (!s) continue;
        add(&t, i ? "\n[" : "[");
        add(&t, s->name);
        add(&t, "]\n");
        for (const struct param *p = s->params; p && p->key; p++) {
            add(&t, p->key);
            add(&t, " = ");
            add(&t, config_get(cfg, s->name, p->key));
            add(&t, "\n");
        }
    }
    if (t.failed) {
        free(t.buf);
        return NULL;
    }
    return t.buf;
}

int config_copy(struct config *dst, const struct config *src) {
    config_init(dst, src->schema);
    if (src->n == 0) return 0;
    dst->entries = calloc(src->n, sizeof *dst->entries);
    if (!dst->entries) return -1;
    dst->cap = src->n;
    for (size_t i = 0; i < src->n; i++) {
        const struct config_entry *e = &src->entries[i];
        struct config_entry *d = &dst->entries[dst->n++];
        d->section = dup_or_null(e->section);
        d->key = dup_or_null(e->key);
        d->value = dup_or_null(e->value);
        d->origin = dup_or_null(e->origin);
        d->source = e->source;
        if (!d->section || !d->key || !d->value || !d->origin) {
            config_free(dst);
            return -1;
        }
    }
    return 0;
}
