/* The names of schema "clocklab/1" in one place: every dataset of a run
 * group with its unit, the fields of the compound datasets with theirs, and
 * the names of the two HDF5 enums. The writer (h5writer.c) takes its names
 * and units from here, `clocklab --schema` prints them, and a test compares
 * them with the analysis package's analysis/clocklab/schema.py. The meaning
 * of each is in docs/schema.md.
 *
 * Units: "s" seconds, "ppm", "s/s", "bytes"; "1" for a count, an id, an
 * index or an enum value. A plain dataset with a unit carries it as its
 * `units` attribute (none: no attribute); a compound dataset carries one
 * string "field=unit;field=unit;..." naming every field in file order. */
#ifndef CLOCKLAB_SCHEMA_NAMES_H
#define CLOCKLAB_SCHEMA_NAMES_H

#include <stddef.h>
#include <stdio.h>

#define SCHEMA_NAME "clocklab/1"

/* How a field is stored (the writer's HDF5 type). */
enum schema_type {
    SCHEMA_F64,
    SCHEMA_I32,
    SCHEMA_I8,
    SCHEMA_U64,
    SCHEMA_EVENT_KIND,    /* enum over schema_event_kinds, stored as i32 */
    SCHEMA_REQUEST_STATUS /* enum over schema_request_statuses, stored as i32 */
};

struct schema_field {
    const char *name;
    size_t offset; /* in the row struct (output/recorder.h) */
    enum schema_type type;
    const char *unit;
};

struct schema_dataset {
    const char *path;                  /* "group/name" inside a run group */
    const char *unit;                  /* plain dataset: its unit, NULL for none; compound: NULL */
    const struct schema_field *fields; /* compound: NULL-name-terminated; plain: NULL */
    size_t row_size;                   /* compound: sizeof the row struct */
};

/* Every dataset of a run group (results/ holds any names and is not
 * listed), in file order, ended by a NULL path. */
extern const struct schema_dataset schema_datasets[];

/* The declaration of "group/name"; a name not declared is a programming
 * error: the program aborts with a message naming it. */
const struct schema_dataset *schema_dataset(const char *path);

/* The dataset's name inside its group ("rounds" for "clock/rounds"). */
const char *schema_basename(const struct schema_dataset *d);

/* A compound dataset's `units` attribute, "node=1;round=1;time=s;...", into
 * out (n bytes, cut when shorter). */
void schema_field_units(const struct schema_dataset *d, char *out, size_t n);

/* Names of the events/table `kind` and requests/table `status` enums, by
 * value (api/node.h EVENT_KINDS, REQUEST_STATUSES). */
extern const char *const schema_event_kinds[];
extern const char *const schema_request_statuses[];
extern const int schema_nevent_kinds, schema_nrequest_statuses;

/* Write the names above to f, one line each:
 *   schema clocklab/1
 *   dataset GROUP/NAME [UNIT]
 *   compound GROUP/NAME FIELD=UNIT;FIELD=UNIT;...
 *   enum GROUP/NAME FIELD NAME=VALUE,NAME=VALUE,...  */
void schema_print(FILE *f);

#endif
