/* The core configuration sections shared by every run: [experiment],
 * [clock], [network], [faults], [election], [nodes], [evaluation]. */
#ifndef CLOCKLAB_SCHEMA_H
#define CLOCKLAB_SCHEMA_H

#include "config/config.h"

/* The core sections in output order, NULL-terminated: the one list from
 * which the configuration's schema (plan_schema), --list and every run's
 * resolved configuration take them. */
#define SCHEMA_CORE_COUNT 8
extern const struct section_schema *const schema_core[SCHEMA_CORE_COUNT + 1];

/* The scenario run when no configuration file is given (INI text). */
extern const char schema_default_scenario[];

#endif
