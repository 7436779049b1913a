/* Parsing of scalar configuration values: times with units, plain reals, ppm,
 * whole numbers, booleans and byte sizes. Every parser reads the whole text
 * (no length limit, nothing cut off): leading and trailing white space is
 * ignored, anything else that is not part of the value is an error. Numbers
 * are decimal only (C's strtod grammar without hexadecimal, inf or nan);
 * leading zeros are fine; a number that does not fit is an error. */
#ifndef CLOCKLAB_UNITS_H
#define CLOCKLAB_UNITS_H

#include <stddef.h>

/* Parse a time such as "100ms", "2s", "-5us", "0.5 ns" into seconds.
 * Suffixes: s, ms, us, ns. A bare 0 is accepted; any other bare number is an
 * error (the unit would be a guess). Returns 0 on success, -1 with a message
 * in err (size errlen) otherwise. */
int parse_time(const char *text, double *seconds, char *err, size_t errlen);

/* Parse a finite real number ("3", "-0.25", "1e-3"), optionally followed by
 * "ppm" when allow_ppm is nonzero. Returns 0 on success, -1 with a message. */
int parse_real(const char *text, int allow_ppm, double *value, char *err, size_t errlen);

/* Parse a whole number in [lo, hi]. Returns 0 on success, -1 with a message. */
int parse_int(const char *text, long lo, long hi, long *value, char *err, size_t errlen);

/* Parse on/off, yes/no, true/false, 1/0 (any case). Returns 0, or -1 with a message. */
int parse_bool(const char *text, int *value, char *err, size_t errlen);

/* Parse a byte count: a number with a unit B, kB, MB, GB, TB (powers of 1000)
 * or KiB, MiB, GiB, TiB (powers of 1024), e.g. "512MiB", "1.5 GB". Must be
 * > 0. Returns 0, or -1 with a message. */
int parse_bytes(const char *text, double *bytes, char *err, size_t errlen);

/* Copy of text[0..len) without leading/trailing white space, malloc'd
 * (NULL only when out of memory). The caller frees it. */
char *trim_dup(const char *text, size_t len);

/* Print at most the first `max` bytes of text into out (size n) as the
 * quoted form used in messages, with "..." when text is longer. */
void quote_text(const char *text, size_t max, char *out, size_t n);

#endif
