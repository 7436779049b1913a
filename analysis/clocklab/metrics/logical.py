"""Numbers of the logical-clock family: the raffle's winner, Lamport times.

Every function takes a run dict of :func:`clocklab.reader.read_run` and
returns ``None`` when the run has no data for it."""

import numpy as np

from ..causality import node_rows
from .common import _event_table, finite_ints


def raffle_winner(run):
    """The raffle winner (node index) of a totally-ordered-multicast run.

    From ``results/raffle_winner`` over the nodes that drew one (finite
    entries): the int when they all name the same node, else a sorted tuple
    of the distinct names (the nodes disagree). ``None`` when the run has no
    raffle or no node drew a winner.
    """
    results = run.get("results") or {}
    if "raffle_winner" not in results:
        return None
    drawn = finite_ints(results["raffle_winner"])
    if not drawn:
        return None
    return drawn[0] if len(drawn) == 1 else tuple(drawn)


def lamport_series(run):
    """Per node, ``(time, lamport)`` arrays of its events in program order.

    time is reference time (s). ``None`` without events.
    """
    table = _event_table(run)
    if table is None:
        return None
    series = []
    for node in range(run["n"]):
        rows = node_rows(table, node)
        series.append((np.asarray(table["time"][rows], float),
                       np.asarray(table["lamport"][rows], np.int64)))
    return series
