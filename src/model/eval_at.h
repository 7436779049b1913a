/* The delays of [evaluation] at (evaluator.h): when, after a run's
 * synchronization ends, the evaluator measures every clock. Pure C. */
#ifndef CLOCKLAB_EVAL_AT_H
#define CLOCKLAB_EVAL_AT_H

#include <stddef.h>

#define EVAL_MAX_AT 64         /* delays in one [evaluation] at list */
#define EVAL_MAX_DELAY 86400.0 /* s: the longest delay */

/* Parse [evaluation] at: "none", or a comma list of times (units as
 * parse_time) that are >= 0, at most EVAL_MAX_DELAY and in non-decreasing
 * order, without empty elements. out has room for EVAL_MAX_AT values.
 * Returns 0 with *n values (0 for none), or -1 with a message. */
int evaluation_parse_at(const char *text, double *out, int *n, char *err, size_t errlen);
/* Config validator form (struct param.validate). */
int evaluation_validate_at(const char *text, char *err, size_t errlen);

#endif
