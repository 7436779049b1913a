/* Election ids and initiators, from [election] ids and initiators. */
#ifndef CLOCKLAB_ROLES_H
#define CLOCKLAB_ROLES_H

#include <stddef.h>

/* Fill ids[0..n-1]: "rank" (id i), "reverse" (n-1-i), "random" (a
 * permutation of 0..n-1 drawn with GSL's gsl_ran_shuffle from seed) or
 * "permutation" (the seed-th permutation in lexicographic order, seed mod n!:
 * repeat = n! from seed 0 runs every order once).
 * Returns 0, or -1 with a message. */
int roles_ids(const char *mode, int n, unsigned long seed, int *ids, char *err, size_t errlen);

/* Fill initiator[0..n-1] with 0/1: "lowest" / "highest" (the node with the
 * lowest / highest id), "all", "none" or a comma list of node indices
 * (no empty elements).
 * Returns 0, or -1 with a message (e.g. a node index out of range). */
int roles_initiators(const char *spec, int n, const int *ids, int *initiator, char *err,
                     size_t errlen);

/* Config validators (syntax only; node ranges are checked per run). An
 * initiator list has no empty elements. */
int roles_validate_ids(const char *mode, char *err, size_t errlen);
int roles_validate_initiators(const char *spec, char *err, size_t errlen);

/* Check that every node an initiator list names exists in an n-node run.
 * Returns 0, or -1 with a message. */
int roles_check_initiators(const char *spec, int n, char *err, size_t errlen);

/* [nodes] labels: "" (none) or a comma list with one label per node, each
 * trimmed, non-empty and shorter than ROLES_LABEL_LEN bytes (the HDF5
 * nodes/label string length). */
#define ROLES_LABEL_LEN 64
int roles_validate_labels(const char *labels, char *err, size_t errlen);
/* Number of labels in the list (0 for ""). */
int roles_label_count(const char *labels);
/* Copy label `node` (trimmed) into out (size n). Returns 0, or -1 (no such
 * label, or it does not fit: out is then ""). */
int roles_label(const char *labels, int node, char *out, size_t n);

/* [experiment] nodes: "0" (one node per rank), or a comma list of node
 * counts and ranges "2..64" (one run per count). Fills counts[0..*n-1].
 * Returns 0, or -1 with a message. */
#define ROLES_MAX_NODES 100000000L
#define ROLES_MAX_COUNTS 100000
int roles_node_counts(const char *text, int *counts, int max, int *n, char *err, size_t len);
int roles_validate_nodes(const char *text, char *err, size_t len);

#endif
