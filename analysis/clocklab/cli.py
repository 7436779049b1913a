"""``python3 -m clocklab COMMAND ...``: every analysis command in one place.

Each command is a module of clocklab.commands with ``main(argv, prog)``;
``python3 -m clocklab COMMAND --help`` describes one; ``--version`` prints
the package's version and the schema it reads.
"""

import importlib
import sys

from . import __version__
from .schema import SCHEMA

#: command -> (module, function, one line of help)
COMMANDS = {
    "plot": ("plot", "main", "figures of every run and the summary table"),
    "summary": ("plot", "summary_main", "the summary table: one aligned row per run"),
    "table": ("table", "main", "one CSV row per run: configuration keys and metrics"),
    "sweep": ("sweep", "main", "a metric against a configuration key over many runs"),
    "accuracy": ("accuracy", "main", "clock-sync errors against their bounds"),
    "shiviz": ("shiviz", "main", "events/ as a ShiViz log, one execution per run"),
    "compare": ("compare", "main", "two files dataset by dataset (provenance aside)"),
    "complexity": ("complexity", "main", "the election message-complexity study (a sweep)"),
    "fidelity": ("fidelity", "main", "how well the runtime kept time (lateness, RTT, ...)"),
    "hpcsync": ("hpcsync", "main", "the HPC clock-sync study: accuracy, scaling"),
    "mutex": ("mutex", "main", "the mutual-exclusion study: scaling, rate"),
    "service": ("service", "main", "the request-routing studies: load, policies, failover"),
    "real-vs-virtual": ("real_virtual", "main", "one experiment in real and virtual time"),
    "pingpong": ("pingpong", "main", "round trips of Cristian's requests in the runtime"),
    "soak": ("soak", "main", "the soak under faults: share of runs keeping their property"),
    "channel": ("channel", "main", "what the reliable channel costs: messages, latency, loss"),
}


def version():
    """The ``--version`` line: "clocklab analysis VERSION (reads schema clocklab/1)"."""
    return f"clocklab analysis {__version__} (reads schema {SCHEMA})"


def usage():
    """The list of commands."""
    width = max(map(len, COMMANDS))
    lines = ["usage: python3 -m clocklab COMMAND [arguments] (COMMAND --help for its own)",
             "       python3 -m clocklab --version", "", "commands:"]
    lines += [f"  {name.ljust(width)}  {text}" for name, (_, _, text) in COMMANDS.items()]
    return "\n".join(lines)


def main(argv=None):
    """Run one command (``argv``: the command and its arguments, default
    sys.argv[1:]); returns its exit status (2 for an unknown command or an
    input file it cannot read)."""
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv[:1] == ["--version"]:
        print(version())
        return 0
    if not argv or argv[0] in ("-h", "--help", "help"):
        print(usage(), file=sys.stdout if argv else sys.stderr)
        return 0 if argv else 2
    name, rest = argv[0], argv[1:]
    if name not in COMMANDS:
        print(f"clocklab: error: unknown command {name!r}\n\n{usage()}", file=sys.stderr)
        return 2
    module, function, _ = COMMANDS[name]
    command = getattr(importlib.import_module(f"{__package__}.commands.{module}"), function)
    return command(rest, prog=f"clocklab {name}")
