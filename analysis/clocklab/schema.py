"""The names of schema "clocklab/1", in one place for the whole package.

The reader (:mod:`clocklab.reader`), the metrics, the exports and the tests
take every group, dataset, compound field and enum name from here; the
meaning of each is in docs/schema.md. The values of the two enums are
read from each file's HDF5 enum types (see
:func:`clocklab.reader.event_kinds`); the values below are the ones
clocklab writes, used only to build files (synthetic test files) and to
check that a file's enum has the expected names.
"""

#: The root attribute ``schema`` of every clocklab file.
SCHEMA = "clocklab/1"

#: The group holding one group per run (``/runs/run000``, ...).
RUNS = "runs"

#: Root attributes (the slurm_* ones only under Slurm).
FILE_ATTRS = ("schema", "software", "version", "git_commit", "created", "command_line",
              "mpi_library", "hdf5_version", "hosts", "nranks", "slurm_job_id",
              "slurm_array_job_id", "slurm_array_task_id")

#: Attributes of a run group (the virtual-time ones only in virtual time, the
#: explore_* ones only with time = explore).
RUN_ATTRS = ("algorithm", "family", "nodes", "seed", "status", "time", "config", "wall_time",
             "duration", "events_processed", "event_time", "windows", "window_time",
             "explore_executions", "explore_distinct", "explore_violations",
             "explore_liveness_failures", "explore_events", "explore_max_choices",
             "explore_exhausted", "explore_wall_time", "explore_first_violation",
             "explore_violation", "explore_schedule")

#: Run attributes that describe where and how fast a run ran, not what it did.
PROVENANCE_RUN_ATTRS = ("wall_time", "event_time", "window_time", "explore_wall_time",
                        "explore_first_violation")

# Groups of a run. A group a run does not produce is absent from the file.
NODES = "nodes"
CLOCK = "clock"
MESSAGES = "messages"
#: The reliable channel's own message types ([network] reliable = on), after
#: the algorithms' in messages/types (src/runtime/reliable.c).
CHANNEL_TYPES = ("CHANNEL_RETRANSMIT", "CHANNEL_ACK")
ELECTION = "election"
EVENTS = "events"
RESULTS = "results"
REQUESTS = "requests"
MUTEX = "mutex"
FIDELITY = "fidelity"
EVALUATION = "evaluation"

#: Datasets of each group. ``results/`` holds any names (one [N] f8 per result).
DATASETS = {
    NODES: ("initial_offset", "drift", "crashed_at", "recovered_at", "label"),
    CLOCK: ("time", "offset", "rounds", "models"),
    MESSAGES: ("types", "sent", "received", "dropped", "bytes_sent"),
    ELECTION: ("ids", "leader", "decided_at", "history"),
    EVENTS: ("table", "vector"),
    RESULTS: None,
    REQUESTS: ("table", "queue"),
    MUTEX: ("sections",),
    FIDELITY: ("delivery_p50", "delivery_p99", "delivery_max", "timer_p50", "timer_p99",
               "timer_max", "deliveries", "timers", "cpu_time"),
    EVALUATION: ("node", "samples", "at", "time", "offset", "rtt_min", "true_offset"),
}

#: Group attribute of fidelity/: the run's warning threshold (s).
FIDELITY_THRESHOLD = "threshold"

#: Fields of the compound datasets, in file order.
FIELDS = {
    "clock/rounds": ("node", "round", "time", "rtt", "estimated_offset", "true_offset",
                     "adjustment", "excluded"),
    "clock/models": ("node", "reference", "points", "time", "intercept", "slope", "rtt",
                     "bound", "slope_bound", "true_offset"),
    "election/history": ("node", "time", "leader"),
    "events/table": ("node", "seq", "kind", "peer", "type", "msg", "lamport", "local_time",
                     "time", "due"),
    "requests/table": ("id", "client", "coordinator", "server", "status", "attempts",
                       "dispatches", "served", "sent", "dispatched", "arrived", "started",
                       "finished", "received", "response_local"),
    "requests/queue": ("node", "time", "waiting", "in_service"),
    "mutex/sections": ("node", "seq", "stamp", "requested", "entered", "exited",
                       "requested_local", "entered_local", "exited_local"),
}

#: Unit of every field of the compound datasets, in file order: the
#: dataset's ``units`` attribute is "field=unit;field=unit;..." (parse it with
#: :func:`field_units`). "1" marks a count, an id, an index or an enum value.
FIELD_UNITS = {
    "clock/rounds": {"node": "1", "round": "1", "time": "s", "rtt": "s",
                     "estimated_offset": "s", "true_offset": "s", "adjustment": "s",
                     "excluded": "1"},
    "clock/models": {"node": "1", "reference": "1", "points": "1", "time": "s",
                     "intercept": "s", "slope": "s/s", "rtt": "s", "bound": "s",
                     "slope_bound": "s/s", "true_offset": "s"},
    "election/history": {"node": "1", "time": "s", "leader": "1"},
    "events/table": {"node": "1", "seq": "1", "kind": "1", "peer": "1", "type": "1",
                     "msg": "1", "lamport": "1", "local_time": "s", "time": "s", "due": "s"},
    "requests/table": {"id": "1", "client": "1", "coordinator": "1", "server": "1",
                       "status": "1", "attempts": "1", "dispatches": "1", "served": "1",
                       "sent": "s", "dispatched": "s", "arrived": "s", "started": "s",
                       "finished": "s", "received": "s", "response_local": "s"},
    "requests/queue": {"node": "1", "time": "s", "waiting": "1", "in_service": "1"},
    "mutex/sections": {"node": "1", "seq": "1", "stamp": "1", "requested": "s",
                       "entered": "s", "exited": "s", "requested_local": "s",
                       "entered_local": "s", "exited_local": "s"},
}

#: The ``units`` attribute of the plain datasets that have a unit (the
#: others, ids, counts and names, carry none).
DATASET_UNITS = {
    "nodes/initial_offset": "s", "nodes/drift": "ppm", "nodes/crashed_at": "s",
    "nodes/recovered_at": "s", "clock/time": "s", "clock/offset": "s",
    "messages/bytes_sent": "bytes", "election/decided_at": "s",
    "fidelity/delivery_p50": "s", "fidelity/delivery_p99": "s", "fidelity/delivery_max": "s",
    "fidelity/timer_p50": "s", "fidelity/timer_p99": "s", "fidelity/timer_max": "s",
    "fidelity/cpu_time": "s", "evaluation/at": "s", "evaluation/time": "s",
    "evaluation/offset": "s", "evaluation/rtt_min": "s", "evaluation/true_offset": "s",
}


def field_units(text, fields=()):
    """A compound dataset's ``units`` attribute "node=1;time=s;..." as a dict
    field -> unit. Files written before units per field carry one unit for
    the whole table ("s"): then each of ``fields`` maps to it."""
    if isinstance(text, bytes):
        text = text.decode()
    if "=" not in text:
        return {name: text for name in fields}
    return dict(item.split("=", 1) for item in text.split(";") if item)


#: The ``kind`` enum of events/table as clocklab writes it.
EVENT_KINDS = {"SEND": 0, "RECEIVE": 1, "INTERNAL": 2, "DELIVER": 3}

#: The ``status`` enum of requests/table as clocklab writes it.
REQUEST_STATUS = {"SERVED": 0, "TIMEOUT": 1, "NO_SERVER": 2, "PENDING": 3, "LOST": 4}

#: Compound field -> its enum as clocklab writes it.
ENUMS = {("events/table", "kind"): EVENT_KINDS, ("requests/table", "status"): REQUEST_STATUS}

#: A message id in events/table.msg is (sender + 1) << MSG_SENDER_SHIFT | k,
#: k = 1, 2, ... counting the sender's messages (0 on rows without a message).
MSG_SENDER_SHIFT = 40


def dataset_paths():
    """Every fixed dataset path of a run ("nodes/initial_offset", ...), results/ left out."""
    return [f"{group}/{name}" for group, names in DATASETS.items() if names for name in names]
