"""The summary numbers of a run, from every family.

Every function takes a run dict of :func:`clocklab.reader.read_run` and
returns ``None`` when the run has no data for it."""

from ..labels import labels_of
from .clock_sync import final_skew, max_abs_offset
from .common import lateness_p99, timing_trusted, total_messages
from .election import leader
from .logical import raffle_winner


def summary(run):
    """Return the summary numbers of a run as a dict.

    Keys: run, algorithm, family, nodes, status, final_skew (s),
    max_abs_offset (s), messages (int), leader (int, a node index),
    leader_label (str, the leader's ``nodes/label``), winner (int, or a
    tuple when nodes disagree; see :func:`raffle_winner`), winner_label
    (str, "a/b" when nodes disagree), lateness_p99 (s,
    :func:`lateness_p99`), trusted (bool, :func:`timing_trusted`) --
    ``None`` where the run has no data for it (the labels: where the run
    names none of the nodes, see :func:`clocklab.labels.labels_of`).
    """
    attrs = run["attrs"]
    return {
        "run": run["name"],
        "algorithm": attrs.get("algorithm", "?"),
        "family": attrs.get("family", "?"),
        "nodes": run["n"],
        "status": attrs.get("status", "?"),
        "final_skew": final_skew(run),
        "max_abs_offset": max_abs_offset(run),
        "messages": total_messages(run),
        "leader": leader(run),
        "leader_label": labels_of(run, leader(run)),
        "winner": raffle_winner(run),
        "winner_label": labels_of(run, raffle_winner(run)),
        "lateness_p99": lateness_p99(run),
        "trusted": timing_trusted(run),
    }
