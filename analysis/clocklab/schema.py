"""The names of schema "clocklab/1", in one place for the whole package.

The reader (:mod:`clocklab.reader`), the metrics, the exports and the tests
take every group, dataset, compound field and enum name from here; the
meaning of each is in docs/design.md ("Output: schema clocklab/1") and the
README. The values of the two enums are read from each file's HDF5 enum
types (see :func:`clocklab.reader.event_kinds`); the values below are the
ones clocklab writes, used only to build files (synthetic test files) and
to check that a file's enum has the expected names.
"""

#: The root attribute ``schema`` of every clocklab file.
SCHEMA = "clocklab/1"

#: The group holding one group per run (``/runs/run000``, ...).
RUNS = "runs"

#: Root attributes (the slurm_* ones only under Slurm).
FILE_ATTRS = ("schema", "software", "version", "git_commit", "created", "command_line",
              "mpi_library", "hdf5_version", "hosts", "nranks", "slurm_job_id",
              "slurm_array_job_id", "slurm_array_task_id")

#: Attributes of a run group (the virtual-time ones only in virtual time).
RUN_ATTRS = ("algorithm", "family", "nodes", "seed", "status", "time", "config", "wall_time",
             "duration", "events_processed", "event_time", "windows", "window_time")

#: Run attributes that describe where and how fast a run ran, not what it did.
PROVENANCE_RUN_ATTRS = ("wall_time", "event_time", "window_time")

# Groups of a run. A group a run does not produce is absent from the file.
NODES = "nodes"
CLOCK = "clock"
MESSAGES = "messages"
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
