/* The core configuration sections shared by every run: [experiment],
 * [clock], [network], [faults], [election], [nodes], [evaluation]. */
#ifndef CLOCKLAB_SCHEMA_H
#define CLOCKLAB_SCHEMA_H

#include "config.h"

extern const struct section_schema schema_experiment, schema_clock, schema_network, schema_faults,
    schema_election, schema_nodes, schema_evaluation;

/* NULL-terminated list of the core section names, in output order. */
extern const char *const schema_core_names[];

/* The scenario run when no configuration file is given (INI text). */
extern const char schema_default_scenario[];

#endif
