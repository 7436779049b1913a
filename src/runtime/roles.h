/* Election ids and initiators, from [election] ids and initiators. */
#ifndef CLOCKLAB_ROLES_H
#define CLOCKLAB_ROLES_H

#include <stddef.h>

/* Fill ids[0..n-1]: "rank" (id i), "reverse" (n-1-i) or "random" (a
 * permutation of 0..n-1 drawn with GSL's gsl_ran_shuffle from seed).
 * Returns 0, or -1 with a message. */
int roles_ids(const char *mode, int n, unsigned long seed, int *ids, char *err, size_t errlen);

/* Fill initiator[0..n-1] with 0/1: "lowest" / "highest" (the node with the
 * lowest / highest id), "all", "none" or a comma list of node indices.
 * Returns 0, or -1 with a message (e.g. a node index out of range). */
int roles_initiators(const char *spec, int n, const int *ids, int *initiator, char *err,
                     size_t errlen);

/* Config validators (syntax only; node ranges are checked per run). */
int roles_validate_ids(const char *mode, char *err, size_t errlen);
int roles_validate_initiators(const char *spec, char *err, size_t errlen);

#endif
