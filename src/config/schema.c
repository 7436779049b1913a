#include "schema.h"

#include "../runtime/faults.h"
#include "../runtime/roles.h"

#include <stdio.h>
#include <string.h>

static int validate_algorithms(const char *value, char *err, size_t n) {
    if (value[0] == '\0' || strstr(value, ",,") || value[strlen(value) - 1] == ',') {
        snprintf(err, n, "'%s': expected a name or a comma list of names", value);
        return -1;
    }
    return 0; /* names are checked against the registry when runs are planned */
}

static const struct param experiment_params[] = {
    {"algorithm", PARAM_STRING, "berkeley",
     "algorithm, a stack a+b (b follows a's coordinator), or a comma list = one run each", 0, 0, 0,
     NULL, validate_algorithms},
    {"duration", PARAM_TIME, "2s", "reference time per run; 0 = until every node is done", 0, 0, 0,
     NULL, NULL},
    {"timeout", PARAM_TIME, "60s", "runs with duration 0 stop (status failed) after this", 0, 0, 0,
     NULL, NULL},
    {"seed", PARAM_INT, "42", "random seed; repeat k uses seed+k", 0, 2147483647, 0, NULL, NULL},
    {"repeat", PARAM_INT, "1", "runs per algorithm, with seeds seed, seed+1, ...", 1, 100000, 0,
     NULL, NULL},
    {"trace", PARAM_BOOL, "off", "record every send and receive in events/", 0, 0, 0, NULL, NULL},
    {NULL, 0, NULL, NULL, 0, 0, 0, NULL, NULL}};

static const struct param clock_params[] = {
    {"offset", PARAM_DIST, "uniform(-100ms, 100ms)", "initial offset of each node's clock", 0, 0,
     DIST_TIME, NULL, NULL},
    {"drift", PARAM_DIST, "uniform(-50, 50)", "drift of each node's clock (ppm)", 0, 0, DIST_PLAIN,
     NULL, NULL},
    {"sample_interval", PARAM_TIME, "10ms", "spacing of the recorded true offsets", 0, 0, 0, NULL,
     NULL},
    {"granularity", PARAM_TIME, "0", "resolution of clock readings (0 = exact)", 0, 0, 0, NULL,
     NULL},
    {"jitter", PARAM_DIST, "constant(0)", "noise added to each clock reading", 0, 0, DIST_TIME,
     NULL, NULL},
    {NULL, 0, NULL, NULL, 0, 0, 0, NULL, NULL}};

static const struct param network_params[] = {
    {"delay", PARAM_DIST, "constant(0)", "injected one-way delay per message", 0, 0,
     DIST_TIME_NONNEG, NULL, NULL},
    {"loss", PARAM_REAL, "0", "probability that a message is lost", 0, 1, 0, NULL, NULL},
    {NULL, 0, NULL, NULL, 0, 0, 0, NULL, NULL}};

static const struct param faults_params[] = {
    {"crash", PARAM_STRING, "none",
     "none, or NODE@TIME[-RECOVER], ... (NODE = index or coordinator)", 0, 0, 0, NULL,
     faults_validate},
    {NULL, 0, NULL, NULL, 0, 0, 0, NULL, NULL}};

static const struct param election_params[] = {
    {"ids", PARAM_STRING, "rank", "election ids: rank, reverse or random (seeded permutation)", 0,
     0, 0, NULL, roles_validate_ids},
    {"initiators", PARAM_STRING, "lowest", "lowest, highest, all, none or node indices", 0, 0, 0,
     NULL, roles_validate_initiators},
    {NULL, 0, NULL, NULL, 0, 0, 0, NULL, NULL}};

static const struct param nodes_params[] = {{"labels", PARAM_STRING, "",
                                             "optional comma list of node names, in node order", 0,
                                             0, 0, NULL, NULL},
                                            {NULL, 0, NULL, NULL, 0, 0, 0, NULL, NULL}};

const struct section_schema schema_experiment = {"experiment", experiment_params};
const struct section_schema schema_clock = {"clock", clock_params};
const struct section_schema schema_network = {"network", network_params};
const struct section_schema schema_faults = {"faults", faults_params};
const struct section_schema schema_election = {"election", election_params};
const struct section_schema schema_nodes = {"nodes", nodes_params};

const char *const schema_core_names[] = {"experiment", "clock", "network", "faults",
                                         "election",   "nodes", NULL};

const char schema_default_scenario[] =
    "; clocklab's default scenario: Bully elects a coordinator, Berkeley\n"
    "; synchronizes the clocks under it, the coordinator crashes mid-run,\n"
    "; Bully elects a new one and Berkeley goes on under the new master.\n"
    "[experiment]\n"
    "algorithm = bully+berkeley\n"
    "duration = 2s\n"
    "\n"
    "[network]\n"
    "delay = lognormal(1ms, 0.3)\n"
    "\n"
    "[faults]\n"
    "crash = coordinator@1s\n"
    "\n"
    "[bully]\n"
    "heartbeat = 50ms\n";
