#include "units.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

void trim_copy(const char *text, char *out, size_t n) {
    while (*text && isspace((unsigned char)*text))
        text++;
    size_t len = strlen(text);
    while (len > 0 && isspace((unsigned char)text[len - 1]))
        len--;
    if (len >= n) len = n - 1;
    memcpy(out, text, len);
    out[len] = '\0';
}

/* strtod on a trimmed copy; returns the unparsed rest (trimmed) in rest. */
static int leading_number(const char *text, double *value, char *rest, size_t restlen) {
    char buf[128];
    trim_copy(text, buf, sizeof buf);
    if (buf[0] == '\0') return -1;
    char *end = NULL;
    errno = 0;
    double v = strtod(buf, &end);
    if (end == buf || errno == ERANGE || !isfinite(v)) return -1;
    trim_copy(end, rest, restlen);
    *value = v;
    return 0;
}

int parse_time(const char *text, double *seconds, char *err, size_t errlen) {
    double v;
    char unit[32];
    if (leading_number(text, &v, unit, sizeof unit) != 0) {
        snprintf(err, errlen, "'%s' is not a time (expected e.g. 100ms, 2s, 50us)", text);
        return -1;
    }
    double scale;
    if (strcmp(unit, "s") == 0)
        scale = 1.0;
    else if (strcmp(unit, "ms") == 0)
        scale = 1e-3;
    else if (strcmp(unit, "us") == 0)
        scale = 1e-6;
    else if (strcmp(unit, "ns") == 0)
        scale = 1e-9;
    else if (unit[0] == '\0' && v == 0.0)
        scale = 1.0;
    else if (unit[0] == '\0') {
        snprintf(err, errlen, "'%s' has no unit (use s, ms, us or ns)", text);
        return -1;
    } else {
        snprintf(err, errlen, "'%s': unknown time unit '%s' (use s, ms, us or ns)", text, unit);
        return -1;
    }
    *seconds = v * scale;
    return 0;
}

int parse_real(const char *text, int allow_ppm, double *value, char *err, size_t errlen) {
    double v;
    char rest[32];
    if (leading_number(text, &v, rest, sizeof rest) != 0 ||
        !(rest[0] == '\0' || (allow_ppm && strcmp(rest, "ppm") == 0))) {
        snprintf(err, errlen, "'%s' is not a number%s", text, allow_ppm ? " (ppm)" : "");
        return -1;
    }
    *value = v;
    return 0;
}

int parse_int(const char *text, long lo, long hi, long *value, char *err, size_t errlen) {
    char buf[64];
    trim_copy(text, buf, sizeof buf);
    char *end = NULL;
    errno = 0;
    long v = strtol(buf, &end, 10);
    if (buf[0] == '\0' || *end != '\0' || errno == ERANGE) {
        snprintf(err, errlen, "'%s' is not a whole number", text);
        return -1;
    }
    if (v < lo || v > hi) {
        snprintf(err, errlen, "%ld is out of range [%ld, %ld]", v, lo, hi);
        return -1;
    }
    *value = v;
    return 0;
}

int parse_bool(const char *text, int *value, char *err, size_t errlen) {
    char buf[16];
    trim_copy(text, buf, sizeof buf);
    static const char *yes[] = {"on", "yes", "true", "1"};
    static const char *no[] = {"off", "no", "false", "0"};
    for (size_t i = 0; i < 4; i++) {
        if (strcasecmp(buf, yes[i]) == 0) {
            *value = 1;
            return 0;
        }
        if (strcasecmp(buf, no[i]) == 0) {
            *value = 0;
            return 0;
        }
    }
    snprintf(err, errlen, "'%s' is not on/off", text);
    return -1;
}
