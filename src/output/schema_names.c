/* The names of schema "clocklab/1". See schema_names.h. */
#include "output/schema_names.h"

#include "api/node.h"
#include "output/recorder.h"

#include <stdlib.h>
#include <string.h>

#define NAME_OF(name) #name,
const char *const schema_event_kinds[] = {EVENT_KINDS(NAME_OF)};
const char *const schema_request_statuses[] = {REQUEST_STATUSES(NAME_OF)};
const int schema_nevent_kinds = EVENT_KIND_COUNT, schema_nrequest_statuses = REQUEST_STATUS_COUNT;

#define F(row, field, type, unit)                                                                  \
    { #field, offsetof(struct row, field), SCHEMA_##type, unit }
#define END                                                                                        \
    { NULL, 0, SCHEMA_F64, NULL }

static const struct schema_field rounds[] = {F(round_row, node, I32, "1"),
                                             F(round_row, round, I32, "1"),
                                             F(round_row, time, F64, "s"),
                                             F(round_row, rtt, F64, "s"),
                                             F(round_row, estimated_offset, F64, "s"),
                                             F(round_row, true_offset, F64, "s"),
                                             F(round_row, adjustment, F64, "s"),
                                             F(round_row, excluded, I8, "1"),
                                             END};

static const struct schema_field models[] = {F(model_row, node, I32, "1"),
                                             F(model_row, reference, I32, "1"),
                                             F(model_row, points, I32, "1"),
                                             F(model_row, time, F64, "s"),
                                             F(model_row, intercept, F64, "s"),
                                             F(model_row, slope, F64, "s/s"),
                                             F(model_row, rtt, F64, "s"),
                                             F(model_row, bound, F64, "s"),
                                             F(model_row, slope_bound, F64, "s/s"),
                                             F(model_row, true_offset, F64, "s"),
                                             END};

static const struct schema_field history[] = {F(history_row, node, I32, "1"),
                                              F(history_row, time, F64, "s"),
                                              F(history_row, leader, I32, "1"), END};

static const struct schema_field events[] = {F(event_row, node, I32, "1"),
                                             F(event_row, seq, U64, "1"),
                                             F(event_row, kind, EVENT_KIND, "1"),
                                             F(event_row, peer, I32, "1"),
                                             F(event_row, type, I32, "1"),
                                             F(event_row, msg, U64, "1"),
                                             F(event_row, lamport, U64, "1"),
                                             F(event_row, local_time, F64, "s"),
                                             F(event_row, time, F64, "s"),
                                             F(event_row, due, F64, "s"),
                                             END};

static const struct schema_field requests[] = {F(request_row, id, U64, "1"),
                                               F(request_row, client, I32, "1"),
                                               F(request_row, coordinator, I32, "1"),
                                               F(request_row, server, I32, "1"),
                                               F(request_row, status, REQUEST_STATUS, "1"),
                                               F(request_row, attempts, I32, "1"),
                                               F(request_row, dispatches, I32, "1"),
                                               F(request_row, served, I32, "1"),
                                               F(request_row, sent, F64, "s"),
                                               F(request_row, dispatched, F64, "s"),
                                               F(request_row, arrived, F64, "s"),
                                               F(request_row, started, F64, "s"),
                                               F(request_row, finished, F64, "s"),
                                               F(request_row, received, F64, "s"),
                                               F(request_row, response_local, F64, "s"),
                                               END};

static const struct schema_field queue[] = {
    F(queue_row, node, I32, "1"), F(queue_row, time, F64, "s"), F(queue_row, waiting, I32, "1"),
    F(queue_row, in_service, I32, "1"), END};

static const struct schema_field sections[] = {F(section_row, node, I32, "1"),
                                               F(section_row, seq, U64, "1"),
                                               F(section_row, stamp, U64, "1"),
                                               F(section_row, requested, F64, "s"),
                                               F(section_row, entered, F64, "s"),
                                               F(section_row, exited, F64, "s"),
                                               F(section_row, requested_local, F64, "s"),
                                               F(section_row, entered_local, F64, "s"),
                                               F(section_row, exited_local, F64, "s"),
                                               END};

#define PLAIN(path, unit)                                                                          \
    { path, unit, NULL, 0 }
#define COMPOUND(path, fields, row)                                                                \
    { path, NULL, fields, sizeof(struct row) }

const struct schema_dataset schema_datasets[] = {PLAIN("nodes/initial_offset", "s"),
                                                 PLAIN("nodes/drift", "ppm"),
                                                 PLAIN("nodes/crashed_at", "s"),
                                                 PLAIN("nodes/recovered_at", "s"),
                                                 PLAIN("nodes/label", NULL),
                                                 PLAIN("clock/time", "s"),
                                                 PLAIN("clock/offset", "s"),
                                                 COMPOUND("clock/rounds", rounds, round_row),
                                                 COMPOUND("clock/models", models, model_row),
                                                 PLAIN("messages/types", NULL),
                                                 PLAIN("messages/sent", NULL),
                                                 PLAIN("messages/received", NULL),
                                                 PLAIN("messages/dropped", NULL),
                                                 PLAIN("messages/bytes_sent", "bytes"),
                                                 PLAIN("election/ids", NULL),
                                                 PLAIN("election/leader", NULL),
                                                 PLAIN("election/decided_at", "s"),
                                                 COMPOUND("election/history", history, history_row),
                                                 COMPOUND("events/table", events, event_row),
                                                 PLAIN("events/vector", NULL),
                                                 COMPOUND("requests/table", requests, request_row),
                                                 COMPOUND("requests/queue", queue, queue_row),
                                                 COMPOUND("mutex/sections", sections, section_row),
                                                 PLAIN("fidelity/delivery_p50", "s"),
                                                 PLAIN("fidelity/delivery_p99", "s"),
                                                 PLAIN("fidelity/delivery_max", "s"),
                                                 PLAIN("fidelity/timer_p50", "s"),
                                                 PLAIN("fidelity/timer_p99", "s"),
                                                 PLAIN("fidelity/timer_max", "s"),
                                                 PLAIN("fidelity/deliveries", NULL),
                                                 PLAIN("fidelity/timers", NULL),
                                                 PLAIN("fidelity/cpu_time", "s"),
                                                 PLAIN("evaluation/node", NULL),
                                                 PLAIN("evaluation/samples", NULL),
                                                 PLAIN("evaluation/at", "s"),
                                                 PLAIN("evaluation/time", "s"),
                                                 PLAIN("evaluation/offset", "s"),
                                                 PLAIN("evaluation/rtt_min", "s"),
                                                 PLAIN("evaluation/true_offset", "s"),
                                                 {NULL, NULL, NULL, 0}};

const struct schema_dataset *schema_dataset(const char *path) {
    for (const struct schema_dataset *d = schema_datasets; d->path; d++)
        if (strcmp(d->path, path) == 0) return d;
    fprintf(stderr, "clocklab: internal error: dataset '%s' is not in schema %s\n", path,
            SCHEMA_NAME);
    abort();
}

const char *schema_basename(const struct schema_dataset *d) {
    return strchr(d->path, '/') + 1;
}

void schema_field_units(const struct schema_dataset *d, char *out, size_t n) {
    size_t len = 0;
    out[0] = '\0';
    for (const struct schema_field *f = d->fields; f && f->name && len < n; f++) {
        int k = snprintf(out + len, n - len, "%s%s=%s", len ? ";" : "", f->name, f->unit);
        if (k < 0) break;
        len += (size_t)k;
    }
}

static void print_enum(FILE *f, const char *path, const char *field, const char *const *names,
                       int count) {
    fprintf(f, "enum %s %s ", path, field);
    for (int v = 0; v < count; v++)
        fprintf(f, "%s%s=%d", v ? "," : "", names[v], v);
    fprintf(f, "\n");
}

void schema_print(FILE *f) {
    char units[1024];
    fprintf(f, "schema %s\n", SCHEMA_NAME);
    for (const struct schema_dataset *d = schema_datasets; d->path; d++) {
        if (d->fields) {
            schema_field_units(d, units, sizeof units);
            fprintf(f, "compound %s %s\n", d->path, units);
        } else {
            fprintf(f, "dataset %s%s%s\n", d->path, d->unit ? " " : "", d->unit ? d->unit : "");
        }
    }
    print_enum(f, "events/table", "kind", schema_event_kinds, schema_nevent_kinds);
    print_enum(f, "requests/table", "status", schema_request_statuses, schema_nrequest_statuses);
}
