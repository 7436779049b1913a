#include "util/units.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Quoted values in messages are cut to this many bytes. */
#define QUOTE_MAX 60

char *trim_dup(const char *text, size_t len) {
    while (len > 0 && isspace((unsigned char)*text))
        text++, len--;
    while (len > 0 && isspace((unsigned char)text[len - 1]))
        len--;
    char *out = malloc(len + 1);
    if (!out) return NULL;
    memcpy(out, text, len);
    out[len] = '\0';
    return out;
}

void quote_text(const char *text, size_t max, char *out, size_t n) {
    size_t len = strlen(text);
    if (len <= max)
        snprintf(out, n, "'%s'", text);
    else
        snprintf(out, n, "'%.*s...'", (int)max, text);
}

/* Length of the decimal number at the start of s:
 *   [+-] (digits [. digits*] | . digits) [(e|E) [+-] digits]
 * 0 when s does not start with one. */
static size_t number_len(const char *s) {
    size_t i = 0, digits = 0;
    if (s[i] == '+' || s[i] == '-') i++;
    while (isdigit((unsigned char)s[i]))
        i++, digits++;
    if (s[i] == '.') {
        i++;
        while (isdigit((unsigned char)s[i]))
            i++, digits++;
    }
    if (digits == 0) return 0;
    if (s[i] == 'e' || s[i] == 'E') {
        size_t j = i + 1;
        if (s[j] == '+' || s[j] == '-') j++;
        if (isdigit((unsigned char)s[j])) {
            while (isdigit((unsigned char)s[j]))
                j++;
            i = j;
        }
    }
    return i;
}

/* Split trimmed text into a finite decimal number and the rest (trimmed,
 * pointing into text). Returns 0; -1 with *why set when there is no number
 * (why = "syntax") or it does not fit a double (why = "range"). */
static int leading_number(const char *text, double *value, const char **rest, const char **why) {
    while (isspace((unsigned char)*text))
        text++;
    size_t len = number_len(text);
    if (len == 0) {
        *why = "syntax";
        return -1;
    }
    char *num = malloc(len + 1);
    if (!num) {
        *why = "memory";
        return -1;
    }
    memcpy(num, text, len);
    num[len] = '\0';
    char *end = NULL;
    errno = 0;
    double v = strtod(num, &end);
    int bad = *end != '\0' || errno == ERANGE || !isfinite(v);
    free(num);
    if (bad) {
        *why = "range";
        return -1;
    }
    const char *r = text + len;
    while (isspace((unsigned char)*r))
        r++;
    *rest = r;
    *value = v;
    return 0;
}

/* The trimmed rest equals word (the rest has no trailing text after it but space). */
static int rest_is(const char *rest, const char *word, int nocase) {
    size_t n = strlen(word), len = strlen(rest);
    while (len > 0 && isspace((unsigned char)rest[len - 1]))
        len--;
    return len == n && (nocase ? strncasecmp(rest, word, n) : strncmp(rest, word, n)) == 0;
}

static void number_error(const char *text, const char *why, const char *what, char *err, size_t n) {
    char q[QUOTE_MAX + 8];
    quote_text(text, QUOTE_MAX, q, sizeof q);
    if (strcmp(why, "range") == 0)
        snprintf(err, n, "%s: the number is out of range", q);
    else if (strcmp(why, "memory") == 0)
        snprintf(err, n, "%s: out of memory", q);
    else
        snprintf(err, n, "%s is not %s", q, what);
}

int parse_time(const char *text, double *seconds, char *err, size_t errlen) {
    double v;
    const char *unit, *why;
    if (leading_number(text, &v, &unit, &why) != 0) {
        number_error(text, why, "a time (expected e.g. 100ms, 2s, 50us)", err, errlen);
        return -1;
    }
    char q[QUOTE_MAX + 8];
    quote_text(text, QUOTE_MAX, q, sizeof q);
    double divisor; /* v / 1e3 is the double nearest the decimal value, v * 1e-3 is not */
    if (rest_is(unit, "s", 0))
        divisor = 1.0;
    else if (rest_is(unit, "ms", 0))
        divisor = 1e3;
    else if (rest_is(unit, "us", 0))
        divisor = 1e6;
    else if (rest_is(unit, "ns", 0))
        divisor = 1e9;
    else if (unit[0] == '\0' && v == 0.0)
        divisor = 1.0;
    else if (unit[0] == '\0') {
        snprintf(err, errlen, "%s has no unit (use s, ms, us or ns)", q);
        return -1;
    } else if (unit[0] == 'x' || unit[0] == 'X') {
        snprintf(err, errlen, "%s is not a time (decimal numbers only, e.g. 250ms)", q);
        return -1;
    } else {
        char u[QUOTE_MAX + 8];
        quote_text(unit, 20, u, sizeof u);
        snprintf(err, errlen, "%s: unknown time unit %s (use s, ms, us or ns)", q, u);
        return -1;
    }
    *seconds = v / divisor;
    if (v != 0.0 && *seconds == 0.0) {
        snprintf(err, errlen, "%s: the number is out of range", q);
        return -1;
    }
    return 0;
}

int parse_real(const char *text, int allow_ppm, double *value, char *err, size_t errlen) {
    double v;
    const char *rest = NULL, *why = "syntax";
    if (leading_number(text, &v, &rest, &why) != 0 ||
        !(rest[0] == '\0' || (allow_ppm && rest_is(rest, "ppm", 0)))) {
        number_error(text, why, allow_ppm ? "a number (ppm)" : "a number", err, errlen);
        return -1;
    }
    *value = v;
    return 0;
}

int parse_int(const char *text, long lo, long hi, long *value, char *err, size_t errlen) {
    const char *s = text;
    while (isspace((unsigned char)*s))
        s++;
    size_t i = 0;
    if (s[i] == '+' || s[i] == '-') i++;
    size_t digits = 0;
    while (isdigit((unsigned char)s[i + digits]))
        digits++;
    const char *rest = s + i + digits;
    while (isspace((unsigned char)*rest))
        rest++;
    char q[QUOTE_MAX + 8];
    quote_text(text, QUOTE_MAX, q, sizeof q);
    if (digits == 0 || *rest != '\0') {
        snprintf(err, errlen, "%s is not a whole number", q);
        return -1;
    }
    char *num = malloc(i + digits + 1);
    if (!num) {
        snprintf(err, errlen, "%s: out of memory", q);
        return -1;
    }
    memcpy(num, s, i + digits);
    num[i + digits] = '\0';
    errno = 0;
    long v = strtol(num, NULL, 10);
    int range = errno == ERANGE;
    free(num);
    if (range || v < lo || v > hi) {
        snprintf(err, errlen, "%s is out of range [%ld, %ld]", q, lo, hi);
        return -1;
    }
    *value = v;
    return 0;
}

int parse_bool(const char *text, int *value, char *err, size_t errlen) {
    static const char *yes[] = {"on", "yes", "true", "1"};
    static const char *no[] = {"off", "no", "false", "0"};
    while (isspace((unsigned char)*text))
        text++;
    for (size_t i = 0; i < 4; i++) {
        if (rest_is(text, yes[i], 1)) {
            *value = 1;
            return 0;
        }
        if (rest_is(text, no[i], 1)) {
            *value = 0;
            return 0;
        }
    }
    char q[QUOTE_MAX + 8];
    quote_text(text, QUOTE_MAX, q, sizeof q);
    snprintf(err, errlen, "%s is not on/off", q);
    return -1;
}

int parse_bytes(const char *text, double *bytes, char *err, size_t errlen) {
    static const struct {
        const char *unit;
        double scale;
    } units[] = {{"B", 1},           {"kB", 1e3},           {"MB", 1e6},
                 {"GB", 1e9},        {"TB", 1e12},          {"KiB", 1024.0},
                 {"MiB", 1048576.0}, {"GiB", 1073741824.0}, {"TiB", 1099511627776.0}};
    double v;
    const char *unit, *why;
    if (leading_number(text, &v, &unit, &why) != 0) {
        number_error(text, why, "a size (expected e.g. 512MiB, 4GiB, 2GB)", err, errlen);
        return -1;
    }
    char q[QUOTE_MAX + 8];
    quote_text(text, QUOTE_MAX, q, sizeof q);
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++)
        if (rest_is(unit, units[i].unit, 0)) {
            if (!(v > 0)) {
                snprintf(err, errlen, "%s: a size must be > 0", q);
                return -1;
            }
            *bytes = v * units[i].scale;
            if (!isfinite(*bytes)) {
                snprintf(err, errlen, "%s: the number is out of range", q);
                return -1;
            }
            return 0;
        }
    snprintf(err, errlen, "%s needs a unit: B, kB, MB, GB, TB, KiB, MiB, GiB or TiB", q);
    return -1;
}
