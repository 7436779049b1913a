"""Node names: the labels a scenario gives its nodes, with their indices.

A scenario may name its nodes (``[nodes] labels = P1, P2, ...``); clocklab
stores the names in ``nodes/label`` ("" where a node has none) and every
index a file holds (``election/leader``, ``results/raffle_winner``, the
``node`` fields, ...) is the node's index 0..N-1. These functions turn an
index into what a reader of a figure or a table should see: the label, with
the index beside it where both help ("P9 (node 8)"). Runs without labels
keep the indices ("node 8").

All take a run dict of :func:`clocklab.reader.read_run`.
"""


def _named(run, index):
    """True when node ``index`` has a label of its own in the file."""
    nodes = run.get("nodes") or {}
    named = nodes.get("named")
    if named is not None:
        return bool(named[index])
    labels = nodes.get("label")  # a run dict built by hand: a label other than the fallback
    return labels is not None and index < len(labels) and labels[index] not in (
        "", f"node {index}")


def _valid(run, index):
    return index is not None and 0 <= int(index) < run["n"]


def has_labels(run):
    """True when the file names at least one node of the run (``nodes/label``)."""
    return any(_named(run, i) for i in range(run["n"]))


def node_label(run, index):
    """The label of node ``index`` (int, 0..N-1) as the file gives it, or
    ``None`` when the node has none (or ``index`` is None, negative or out
    of range)."""
    if not _valid(run, index) or not _named(run, int(index)):
        return None
    return run["nodes"]["label"][int(index)]


def node_name(run, index):
    """Node ``index`` for a reader: "P9 (node 8)" when the file labels it
    "P9", else "node 8"; "none" for -1 or None (no node, e.g. no leader)."""
    if index is None or int(index) < 0:
        return "none"
    label = node_label(run, index)
    return f"node {int(index)}" if label is None else f"{label} (node {int(index)})"


def short_name(run, index):
    """Node ``index`` in little room (axis ticks, legends of many nodes):
    its label when it has one, else "node i"; "none" for -1 or None."""
    if index is None or int(index) < 0:
        return "none"
    label = node_label(run, index)
    return f"node {int(index)}" if label is None else label


def labels_of(run, value):
    """The label column of an index column: the label of node ``value``
    (int), or of each node of a tuple joined by "/" (nodes that disagree,
    e.g. a raffle winner); ``None`` when the run names none of them."""
    if value is None:
        return None
    values = value if isinstance(value, tuple) else (value,)
    labels = [node_label(run, v) for v in values]
    if all(label is None for label in labels):
        return None
    return "/".join(label if label is not None else f"node {v}"
                    for label, v in zip(labels, values))
