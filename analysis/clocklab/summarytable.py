"""The summary table of ``clocklab plot`` and ``clocklab summary``: one
aligned row per run (numbers from :func:`clocklab.metrics.summary`).

Columns: file, run, algorithm, nodes, status, final_skew_ms,
max_abs_offset_ms, messages, leader (node index), leader_label, winner
(node index; "a/b" when the nodes disagree), winner_label, lateness_p99_us,
timing. leader_label and winner_label (the node's ``nodes/label``) are
there only when some run of the table names its leader or winner; "-"
marks a run without data for a column.
"""


def _winner(value):
    return "/".join(map(str, value)) if isinstance(value, tuple) else str(value)


def _ms(value):
    return f"{value * 1e3:.4f}"


COLUMNS = [  # (header, key, formatter)
    ("file", "file", str),
    ("run", "run", str),
    ("algorithm", "algorithm", str),
    ("nodes", "nodes", str),
    ("status", "status", str),
    ("final_skew_ms", "final_skew", _ms),
    ("max_abs_offset_ms", "max_abs_offset", _ms),
    ("messages", "messages", str),
    ("leader", "leader", str),
    ("leader_label", "leader_label", str),
    ("winner", "winner", _winner),
    ("winner_label", "winner_label", str),
    ("lateness_p99_us", "lateness_p99", lambda v: f"{v * 1e6:.1f}"),
    ("timing", "trusted", lambda v: "ok" if v else "NOT TRUSTED"),
]
#: Columns left out when no row has a value for them.
OPTIONAL = {"leader_label", "winner_label"}
#: Right-aligned columns.
NUMERIC = {"nodes", "final_skew_ms", "max_abs_offset_ms", "messages", "leader", "winner",
           "lateness_p99_us", "timing"}


def columns_for(rows):
    """The (header, key, formatter) columns of ``rows``: COLUMNS without the
    OPTIONAL ones no row has a value for."""
    return [c for c in COLUMNS
            if c[0] not in OPTIONAL or any(row.get(c[1]) is not None for row in rows)]


def format_table(rows):
    """The summary rows (dicts of :func:`clocklab.metrics.summary` plus
    ``file``) as aligned text: a header line and one line per row, columns
    separated by two spaces, "-" where a row has no value."""
    columns = columns_for(rows)
    header = [name for name, _, _ in columns]
    cells = [[("-" if row.get(key) is None else fmt(row[key])) for _, key, fmt in columns]
             for row in rows]
    widths = [max(len(str(c)) for c in column) for column in zip(header, *cells)]

    def line(values):
        parts = [v.rjust(w) if h in NUMERIC else v.ljust(w)
                 for v, w, h in zip(values, widths, header)]
        return "  ".join(parts).rstrip()

    return "\n".join([line(header)] + [line(c) for c in cells])
