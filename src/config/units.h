/* Parsing of scalar configuration values: times with units, plain reals, ppm. */
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

/* Parse on/off, yes/no, true/false, 1/0. Returns 0 on success, -1 with a message. */
int parse_bool(const char *text, int *value, char *err, size_t errlen);

/* Copy text without leading/trailing white space into out (size n). */
void trim_copy(const char *text, char *out, size_t n);

#endif
