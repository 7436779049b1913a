#include "config/schema.h"

#include "model/eval_at.h"
#include "model/faults.h"
#include "model/roles.h"

#include "util/units.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#define QUOTE_MAX 60

/* A comma list of runs, each a '+' stack of names, without empty names.
 * The names are checked against the registry when runs are planned. */
static int validate_algorithms(const char *value, char *err, size_t n) {
    const char *start = value;
    for (const char *c = value;; c++) {
        if (*c != ',' && *c != '+' && *c != '\0') continue;
        const char *b = start;
        while (b < c && isspace((unsigned char)*b))
            b++;
        if (b == c) {
            char q[QUOTE_MAX + 8];
            quote_text(value, QUOTE_MAX, q, sizeof q);
            snprintf(err, n,
                     "%s: an empty name (expected a name, a stack a+b or a comma list of them)", q);
            return -1;
        }
        if (*c == '\0') return 0;
        start = c + 1;
    }
}

static int validate_memory(const char *value, char *err, size_t n) {
    double bytes;
    if (strcmp(value, "auto") == 0) return 0;
    return parse_bytes(value, &bytes, err, n);
}

#define TIME_RANGE(min) .lo = (min), .hi = HUGE_VAL
#define END                                                                                        \
    { .key = NULL }

static const struct param experiment_params[] = {
    {.key = "algorithm",
     .type = PARAM_STRING,
     .default_value = "berkeley",
     .help = "algorithm, a stack a+b (b follows a's coordinator), or a comma list = one run each",
     .validate = validate_algorithms},
    {.key = "duration",
     .type = PARAM_TIME,
     .default_value = "2s",
     .help = "reference time per run; 0 = until every node is done"},
    {.key = "timeout",
     .type = PARAM_TIME,
     .default_value = "60s",
     .help = "runs with duration 0 stop (status failed) after this"},
    {.key = "seed",
     .type = PARAM_INT,
     .default_value = "42",
     .help = "random seed; repeat k uses seed+k",
     .lo = 0,
     .hi = 2147483647},
    {.key = "repeat",
     .type = PARAM_INT,
     .default_value = "1",
     .help = "runs per algorithm, with seeds seed, seed+1, ...",
     .lo = 1,
     .hi = 100000},
    {.key = "time",
     .type = PARAM_STRING,
     .default_value = "real",
     .help = "real: the wall clock paces the nodes, MPI between ranks; virtual: simulated "
             "time, exact and deterministic; explore: every choice of delays, losses and "
             "orders, each execution checked against the algorithm's safety property",
     .choices = "real|virtual|explore"},
    {.key = "nodes",
     .type = PARAM_STRING,
     .default_value = "0",
     .help = "node count, or a list of counts and ranges \"2..64, 128\" (one run each), spread "
             "over the ranks, at least one each; 0 = the rank count",
     .validate = roles_validate_nodes},
    {.key = "trace",
     .type = PARAM_BOOL,
     .default_value = "off",
     .help = "record every send and receive in events/"},
    {.key = "checkpoint",
     .type = PARAM_TIME,
     .default_value = "1s",
     .help = "keep the running run in the file every this much reference time (virtual time: "
             "wall time), so that a kill loses at most the last interval; 0 = off",
     .lo = 10e-3,
     .hi = HUGE_VAL,
     .zero_ok = 1},
    {.key = "max_memory",
     .type = PARAM_STRING,
     .default_value = "auto",
     .help = "largest predicted memory of a run's recording (e.g. 4GiB); auto = half the RAM",
     .validate = validate_memory},
    {.key = "unused_keys",
     .type = PARAM_STRING,
     .default_value = "error",
     .help = "a key in the section of an algorithm no run uses: error, or ignore (a base file "
             "shared by several algorithms)",
     .choices = "error|ignore"},
    END};

static const struct param clock_params[] = {
    {.key = "offset",
     .type = PARAM_DIST,
     .default_value = "uniform(-100ms, 100ms)",
     .help = "initial offset of each node's clock",
     .dist_unit = DIST_TIME},
    {.key = "drift",
     .type = PARAM_DIST,
     .default_value = "uniform(-50, 50)",
     .help = "drift of each node's clock (ppm; |drift| < 1e6: clocks run forward)",
     .lo = -999999,
     .hi = 999999,
     .dist_unit = DIST_PLAIN},
    {.key = "sample_interval",
     .type = PARAM_TIME,
     .default_value = "10ms",
     .help = "spacing of the recorded true offsets",
     TIME_RANGE(CONFIG_MIN_PERIOD)},
    {.key = "granularity",
     .type = PARAM_TIME,
     .default_value = "0",
     .help = "resolution of clock readings (0 = exact)"},
    {.key = "jitter",
     .type = PARAM_DIST,
     .default_value = "constant(0)",
     .help = "noise added to each clock reading",
     .dist_unit = DIST_TIME},
    {.key = "source",
     .type = PARAM_STRING,
     .default_value = "simulated",
     .help = "simulated (offset + drift model) or hardware (the process's own clock, corrected "
             "in software)",
     .choices = "simulated|hardware"},
    {.key = "hardware",
     .type = PARAM_STRING,
     .default_value = "realtime",
     .help = "the clock of source = hardware: realtime (CLOCK_REALTIME) or mpi_wtime (MPI_Wtime, "
             "its own zero per process)",
     .choices = "realtime|mpi_wtime"},
    END};

static const struct param network_params[] = {{.key = "min_delay",
                                               .type = PARAM_TIME,
                                               .default_value = "0",
                                               .help = "smallest one-way delay, added to every "
                                                       "drawn delay (the lookahead of virtual time "
                                                       "across ranks)"},
                                              {.key = "delay",
                                               .type = PARAM_DIST,
                                               .default_value = "constant(0)",
                                               .help = "injected one-way delay per message",
                                               .dist_unit = DIST_TIME_NONNEG},
                                              {.key = "loss",
                                               .type = PARAM_REAL,
                                               .default_value = "0",
                                               .help = "probability that a message is lost",
                                               .lo = 0,
                                               .hi = 1},
                                              {.key = "reliable",
                                               .type = PARAM_BOOL,
                                               .default_value = "off",
                                               .help = "reliable FIFO channels under every "
                                                       "algorithm: sequence numbers, "
                                                       "acknowledgements, retransmission on a "
                                                       "timeout with back-off, duplicates "
                                                       "suppressed"},
                                              {.key = "rto",
                                               .type = PARAM_TIME,
                                               .default_value = "10ms",
                                               .help = "reliable = on: retransmission timeout "
                                                       "before the first round-trip time is "
                                                       "measured (RFC 6298)",
                                               TIME_RANGE(CONFIG_MIN_PERIOD)},
                                              {.key = "rto_min",
                                               .type = PARAM_TIME,
                                               .default_value = "1ms",
                                               .help = "reliable = on: smallest retransmission "
                                                       "timeout",
                                               TIME_RANGE(CONFIG_MIN_PERIOD)},
                                              {.key = "rto_max",
                                               .type = PARAM_TIME,
                                               .default_value = "100ms",
                                               .help = "reliable = on: largest retransmission "
                                                       "timeout, where the back-off stops "
                                                       "doubling",
                                               TIME_RANGE(CONFIG_MIN_PERIOD)},
                                              END};

static const struct param faults_params[] = {
    {.key = "crash",
     .type = PARAM_STRING,
     .default_value = "none",
     .help = "none, or NODE@TIME[-RECOVER], ... (NODE = index or coordinator)",
     .validate = faults_validate},
    END};

static const struct param election_params[] = {
    {.key = "ids",
     .type = PARAM_STRING,
     .default_value = "rank",
     .help = "election ids: rank, reverse, random (seeded permutation) or permutation (the "
             "seed-th in lexicographic order)",
     .validate = roles_validate_ids},
    {.key = "initiators",
     .type = PARAM_STRING,
     .default_value = "lowest",
     .help = "lowest, highest, all, none or node indices",
     .validate = roles_validate_initiators},
    END};

static const struct param nodes_params[] = {
    {.key = "labels",
     .type = PARAM_STRING,
     .default_value = "",
     .help = "optional comma list of node names, one per node",
     .validate = roles_validate_labels},
    END};

static const struct param evaluation_params[] = {
    {.key = "at",
     .type = PARAM_STRING,
     .default_value = "none",
     .help = "none, or delays after the synchronization at which rank 0 measures every clock "
             "(0s, 1s, 10s)",
     .validate = evaluation_validate_at},
    {.key = "pingpongs",
     .type = PARAM_INT,
     .default_value = "100",
     .help = "ping-pongs per rank and delay; the min-RTT one gives the offset",
     .lo = 1,
     .hi = 1000000},
    END};

static const struct param explore_params[] = {
    {.key = "delays",
     .type = PARAM_STRING,
     .default_value = "",
     .help = "time = explore: the one-way delays a message may take, e.g. 1ms, 2ms; empty: the "
             "values of a constant, uniform (its ends) or values() [network] delay"},
    {.key = "ties",
     .type = PARAM_BOOL,
     .default_value = "on",
     .help = "time = explore: explore the orders of events due at one instant"},
    {.key = "reduction",
     .type = PARAM_BOOL,
     .default_value = "on",
     .help = "time = explore: only the order at each node (events at different nodes at one "
             "instant commute); off: every order"},
    {.key = "shortest",
     .type = PARAM_BOOL,
     .default_value = "on",
     .help = "time = explore: deepen the search 8, 16, 32, ... events at a time, so that the "
             "violation found is the one with the fewest events; off: one depth-first search "
             "to max_events"},
    {.key = "max_executions",
     .type = PARAM_INT,
     .default_value = "1000000",
     .help = "time = explore: stop the search after this many executions",
     .lo = 1,
     .hi = 2147483647},
    {.key = "max_events",
     .type = PARAM_INT,
     .default_value = "100000",
     .help = "time = explore: stop an execution after this many events",
     .lo = 1,
     .hi = 2147483647},
    {.key = "schedule",
     .type = PARAM_STRING,
     .default_value = "",
     .help = "time = explore: run only the execution with these choices (a run's "
             "explore_schedule attribute), e.g. 0,2,1"},
    END};

static const struct section_schema core_experiment = {"experiment", experiment_params},
                                   core_clock = {"clock", clock_params},
                                   core_network = {"network", network_params},
                                   core_faults = {"faults", faults_params},
                                   core_election = {"election", election_params},
                                   core_nodes = {"nodes", nodes_params},
                                   core_evaluation = {"evaluation", evaluation_params},
                                   core_explore = {"explore", explore_params};

const struct section_schema *const schema_core[SCHEMA_CORE_COUNT + 1] = {
    &core_experiment, &core_clock,      &core_network, &core_faults, &core_election,
    &core_nodes,      &core_evaluation, &core_explore, NULL};

/* experiments/default.ini, turned into bytes by CMake at configure time. */
const char schema_default_scenario[] = {
#include "default_scenario.inc"
};
