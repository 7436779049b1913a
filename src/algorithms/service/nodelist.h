/* Node lists in algorithm parameters: "" (none given), or comma-separated
 * node indices and ranges, e.g. "1, 2, 5-7". */
#ifndef CLOCKLAB_NODELIST_H
#define CLOCKLAB_NODELIST_H

#include <stddef.h>

/* Parse text into member[0..n-1] (1 = listed, 0 = not). Returns the number
 * of nodes listed (0 for ""), or -1 with a message in err naming the bad
 * item (not a number, a range a-b with a > b, an index >= n, a node listed
 * twice). */
int nodelist_parse(const char *text, int n, int *member, char *err, size_t errlen);

/* Config validator (struct param.validate): the syntax only, indices unchecked. */
int nodelist_validate(const char *text, char *err, size_t errlen);

#endif
