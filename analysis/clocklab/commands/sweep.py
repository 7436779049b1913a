"""Any metric against any configuration key, over many runs: one figure.

    python3 -m clocklab sweep FILE.h5 ... --x nodes --y final_skew -o skew.png

Reads every run of the files into the run table (``clocklab table``: run
attributes, metrics, and every configuration key as ``section.key``),
groups the runs by the ``--by`` columns (default: ``algorithm``, so that
runs of different algorithms are never pooled into one mean; ``--by none``
pools them all) and the ``--x`` value, and draws per
group the mean of ``--y`` over the runs (seeds) with its 95% confidence
interval, mean +- t_{k-1, 0.975} s / sqrt(k) over the k runs of a point
(clocklab.stats; Student's t from GSL), and optionally a closed form from
the literature (``--theory``, clocklab.theory). It prints the points as a
Markdown table: per x, "mean ± half-width (theory)" for each group.

Names: a column of the run table (``nodes``, ``final_skew``,
``messages.ELECTION``, ``experiment.seed``, ...), or a configuration key
without its section (``period``: ``berkeley.period`` in Berkeley runs,
``cristian.period`` in Cristian runs; an error when a run has it in two
sections). Times in configuration values ("100ms") count as
seconds. ``--y`` may be a sum of columns (``messages.OK+messages.ELECTION``)
and may be given per group (``--y ring/random=messages.ELECTION``; a
group's key is its ``--by`` values joined by "/"); groups without a ``--y``
of their own use the plain ``--y``, or are left out when there is none.
``--theory`` and ``--label`` take ``NAME`` or ``GROUP=NAME`` likewise.

The election complexity figure (docs/studies/complexity.md) is one use of it (see
``clocklab complexity`` and experiments/complexity.sh).
"""

import argparse
import math
import os
import sys

import numpy as np

from ..config import number
from ..reader import ClocklabError, exit_status
from ..runtable import table as run_table
from ..stats import mean_ci
from ..theory import CLOSED_FORMS, closed_form


class SweepError(ClocklabError):
    """The sweep cannot be drawn as asked (unknown column, no runs, ...)."""


def _present(value):
    return value is not None and not (isinstance(value, float) and math.isnan(value))


def resolve(frame, name):
    """The run-table column ``name`` stands for: itself, or the configuration
    column ``section.name``. When several sections have the key but no run
    has it in more than one (``period`` over berkeley and cristian runs: each
    run's own algorithm's), their values are joined into a new column
    ``name``. Raises SweepError otherwise."""
    if name in frame.columns:
        return name
    matches = [c for c in frame.columns if c.endswith("." + name)
               and not c.startswith(("messages.", "requests."))]
    if len(matches) == 1:
        return matches[0]
    if not matches:
        raise SweepError(f"no column {name!r} in the run table (columns: "
                         f"{', '.join(str(c) for c in frame.columns)})")
    joined = []
    for (_, row) in frame[matches].iterrows():
        values = [v for v in row.tolist() if _present(v)]
        if len(values) > 1:
            raise SweepError(f"{name!r} is ambiguous: {', '.join(matches)}")
        joined.append(values[0] if values else None)
    frame[name] = joined
    return name


def numeric(values):
    """The values as floats (numbers, or clocklab times in s), or ``None``
    when any is neither (then the axis is categorical)."""
    out = []
    for v in values:
        if v is None or (isinstance(v, float) and math.isnan(v)):
            out.append(float("nan"))
            continue
        try:
            out.append(number(v))
        except (TypeError, ValueError):
            return None
    return np.array(out, float)


def evaluate(frame, expression):
    """The values of a column or a sum of columns (``a+b``) as floats [runs]."""
    total = np.zeros(len(frame))
    for part in expression.split("+"):
        values = numeric(frame[resolve(frame, part.strip())].tolist())
        if values is None:
            raise SweepError(f"--y {expression}: {part.strip()} is not numeric")
        total = total + values
    return total


def per_group(options, what):
    """Split ``NAME`` / ``GROUP=NAME`` options into (default, {group: name})."""
    default, by_group = None, {}
    for option in options or ():
        if "=" in option:
            group, _, value = option.partition("=")
            by_group[group.strip()] = value.strip()
        elif default is None:
            default = option.strip()
        else:
            raise SweepError(f"{what} given twice without a group: {default!r}, {option!r}")
    return default, by_group


def _matches(value, wanted):
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return wanted == ""
    if str(value) == wanted:
        return True
    try:
        return number(value) == number(wanted)
    except (TypeError, ValueError):
        return False


def select(frame, wheres):
    """Rows of the frame whose columns equal the ``KEY=VALUE`` filters."""
    keep = np.ones(len(frame), bool)
    for where in wheres or ():
        key, sep, wanted = where.partition("=")
        if not sep:
            raise SweepError(f"--where {where}: not KEY=VALUE")
        column = resolve(frame, key.strip())
        keep &= np.array([_matches(v, wanted.strip()) for v in frame[column].tolist()], bool)
    return frame[keep].copy()


def points(frame, x, ys, by, level=0.95):
    """The sweep's points: a list of groups in order, each a dict with
    ``key`` (the --by values joined by "/"), ``y`` (its expression), ``x``
    (sorted x values, as given), ``xnum`` (floats or None), ``mean``,
    ``half`` (the half-width of the ``level`` interval, NaN for one run)
    and ``count`` (runs per x)."""
    xcol = resolve(frame, x)
    bycols = [resolve(frame, b) for b in by]
    frame = frame[[_present(v) for v in frame[xcol].tolist()]].copy()  # runs without an x: out
    default_y, group_y = ys
    yvalues = {}  # expression -> its values over all runs
    if bycols:
        keys = ["/".join(str(v) for v in values)
                for values in zip(*[frame[c].tolist() for c in bycols])]
    else:
        keys = [""] * len(frame)
    keys = np.array(keys, dtype=object)
    order = [k for k in group_y if k in set(keys)]
    order += sorted(k for k in set(keys) if k not in order and default_y is not None)
    xs_all = frame[xcol].tolist()
    xnum_all = numeric(xs_all)
    groups = []
    for key in order:
        expression = group_y.get(key, default_y)
        if expression not in yvalues:
            yvalues[expression] = evaluate(frame, expression)
        rows = np.flatnonzero(keys == key)
        yvals = yvalues[expression][rows]
        xs = [xs_all[r] for r in rows]
        distinct = sorted(set(xs), key=lambda v: (numeric([v])[0] if xnum_all is not None
                                                  else str(v)))
        group = {"key": key, "y": expression, "x": distinct, "mean": [], "half": [],
                 "count": []}
        for value in distinct:
            sample = yvals[[i for i, v in enumerate(xs) if v == value]]
            sample = sample[np.isfinite(sample)]
            mean, half = mean_ci(sample, level) if len(sample) else (float("nan"),
                                                                    float("nan"))
            group["mean"].append(mean)
            group["half"].append(half)
            group["count"].append(len(sample))
        group["xnum"] = numeric(distinct) if xnum_all is not None else None
        groups.append(group)
    if not groups:
        raise SweepError(f"nothing to draw: no --y for any group (groups: "
                         f"{', '.join(sorted(set(keys)))})")
    return groups


def fmt(value):
    """A table number: integers as such, one decimal from 1 on, else 4 significant digits."""
    if value is None or not np.isfinite(value):
        return "-"
    if abs(value - round(value)) < 1e-9 * max(1.0, abs(value)):
        return str(int(round(value)))
    if abs(value) >= 1:
        return f"{value:.1f}"
    return f"{value:.4g}"


def markdown(groups, xname, labels, theories, rows=None, scale=1.0):
    """The points as a Markdown table: one row per x, one column per group,
    cells "mean ± half (theory)"."""
    xs = []
    for g in groups:
        for v in g["x"]:
            if v not in xs:
                xs.append(v)
    if groups[0]["xnum"] is not None:
        xs.sort(key=lambda v: numeric([v])[0])
    if rows:
        xs = [v for v in xs if str(v) in rows]
    head = []
    for g in groups:
        theory = theories.get(g["key"])
        head.append(labels.get(g["key"]) or g["key"] or g["y"])
        if theory:
            head[-1] += f" ({CLOSED_FORMS[theory][1]})"
    lines = ["| " + xname + " | " + " | ".join(head) + " |",
             "|---:|" + "---:|" * len(groups)]
    for value in xs:
        cells = []
        for g in groups:
            if value not in g["x"]:
                cells.append("")
                continue
            k = g["x"].index(value)
            cell = fmt(g["mean"][k] * scale)
            if g["count"][k] > 1 and np.isfinite(g["half"][k]):
                cell += " ± " + fmt(float(f"{g['half'][k] * scale:.2g}"))
            theory = theories.get(g["key"])
            if theory and g["xnum"] is not None:
                cell += f" ({fmt(closed_form(theory)[0](g['xnum'][k]) * scale)})"
            cells.append(cell)
        lines.append(f"| {value} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def draw(groups, path, xname, yname, labels, theories, logx=None, logy=False, title=None,
         level=0.95, scale=1.0):
    """Write the figure: per group the means with their intervals (error
    bars) and its closed form as a line of the same colour."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(8, 5.5))
    categorical = groups[0]["xnum"] is None
    categories = sorted({str(v) for g in groups for v in g["x"]})
    xmax = max(float(np.nanmax(g["xnum"])) for g in groups) if not categorical else 0
    if logx is None:
        logx = not categorical and xmax > 100
    for i, g in enumerate(groups):
        color = f"C{i % 10}"
        xs = (np.array([categories.index(str(v)) for v in g["x"]], float) if categorical
              else g["xnum"])
        mean = np.array(g["mean"]) * scale
        half = np.nan_to_num(np.array(g["half"]) * scale)
        label = labels.get(g["key"]) or g["key"] or g["y"]
        ax.errorbar(xs, mean, yerr=half if half.any() else None, fmt="o", color=color, ms=4,
                    capsize=2, elinewidth=1, label=f"{label}, measured")
        theory = theories.get(g["key"])
        if theory and not categorical:
            f, tlabel, _ = closed_form(theory)
            lo, hi = float(np.nanmin(xs)), float(np.nanmax(xs))
            grid = (np.unique(np.geomspace(max(lo, 1), hi, 400).round()) if logx
                    else np.arange(math.floor(lo), math.ceil(hi) + 1))
            ax.plot(grid, [f(n) * scale for n in grid], "-", color=color, lw=1, alpha=0.7,
                    label=f"theory: {tlabel}")
    if categorical:
        ax.set_xticks(range(len(categories)), categories)
    if logx:
        ax.set_xscale("log", base=2)
    if logy:
        ax.set_yscale("log")
    ax.set_xlabel(xname)
    ax.set_ylabel(yname)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7.5)
    counts = sorted({c for g in groups for c in g["count"]})
    runs = f"{counts[0]}" if len(counts) == 1 else f"{counts[0]}-{counts[-1]}"
    ax.set_title(title or f"{yname} against {xname}: mean and {level:.0%} interval over "
                          f"{runs} run(s) per point", fontsize="medium")
    fig.tight_layout()
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    fig.savefig(path, dpi=120)
    plt.close(fig)


#: The columns runs are grouped by when no --by is given.
DEFAULT_BY = ("algorithm",)


def group_columns(text):
    """The --by option as a list of columns: "a,b" -> ["a", "b"]; "none"
    (or an empty text) -> [] (no grouping); ``None`` -> DEFAULT_BY."""
    if text is None:
        return list(DEFAULT_BY)
    columns = [b.strip() for b in text.split(",") if b.strip()]
    return [] if columns == ["none"] else columns


def sweep(paths, x, y, by=DEFAULT_BY, where=(), theory=(), label=(), level=0.95, rows=None):
    """Read the files and compute the sweep: (groups, labels, theories,
    missing) with the arguments of the command (y, theory, label: lists of
    ``NAME`` or ``GROUP=NAME``; ``by``: the columns to group by, default
    ``("algorithm",)``, ``()`` for one group of all runs); missing: the
    groups named by a --y that have no runs. ``paths``: one path or a list.
    Raises ClocklabError (ClocklabFileError for an unreadable file)."""
    frame = select(run_table(paths), where)
    if len(frame) == 0:
        raise SweepError("no run matches --where " + " ".join(where or ()))
    ys = per_group(y, "--y")
    groups = points(frame, x, ys, by, level)
    missing = sorted(set(ys[1]) - {g["key"] for g in groups})
    default, theories = per_group(theory, "--theory")
    default_label, labels = per_group(label, "--label")
    for g in groups:
        if default and g["key"] not in theories:
            theories[g["key"]] = default
        if default_label and g["key"] not in labels:
            labels[g["key"]] = default_label
    for name in theories.values():
        closed_form_checked(name)
    return groups, labels, theories, missing


def closed_form_checked(name):
    try:
        return closed_form(name)
    except KeyError as exc:
        raise SweepError(f"--theory: {exc.args[0]}") from None


def add_arguments(parser):
    """The sweep's options (shared with ``clocklab complexity``)."""
    parser.add_argument("-o", "--output", default="sweep.png", help="figure file (png, pdf)")
    parser.add_argument("--level", type=float, default=0.95,
                        help="confidence level of the intervals (default: %(default)s)")
    parser.add_argument("--logx", action="store_true", default=None,
                        help="log2 x axis (default: when x goes above 100)")
    parser.add_argument("--logy", action="store_true", help="log y axis")
    parser.add_argument("--scale", type=float, default=1.0,
                        help="multiply y (and the theory) by this, e.g. 1e6 for s -> us")
    parser.add_argument("--ylabel", help="y axis label (default: the --y expression)")
    parser.add_argument("--title", help="figure title")
    parser.add_argument("--rows", help="comma list of x values to tabulate (default: all)")


def main(argv=None, prog="clocklab sweep"):
    """``clocklab sweep``: returns the exit status."""
    parser = argparse.ArgumentParser(
        prog=prog, description="A metric against a configuration key over many runs: "
                               "mean and confidence interval per point, grouped, with an "
                               "optional closed form; prints the points as a Markdown table.",
        epilog="closed forms: " + ", ".join(CLOSED_FORMS))
    parser.add_argument("files", nargs="+", metavar="FILE.h5", help="clocklab output files")
    parser.add_argument("--x", required=True, help="x: a column or configuration key")
    parser.add_argument("--y", action="append", required=True,
                        help="y: a column or a sum of columns; GROUP=EXPR for one group")
    parser.add_argument("--by", default=None,
                        help="comma list of columns to group by (default: algorithm; "
                             "'none': all runs in one group)")
    parser.add_argument("--where", action="append", help="KEY=VALUE: keep only these runs")
    parser.add_argument("--theory", action="append",
                        help="closed form NAME (or GROUP=NAME) against n = x")
    parser.add_argument("--label", action="append", help="legend text (or GROUP=TEXT)")
    add_arguments(parser)
    args = parser.parse_args(argv)
    return run(args, prog)


def run(args, prog):
    """Compute, print and draw the sweep of parsed arguments; exit status."""
    by = group_columns(args.by)
    try:
        groups, labels, theories, missing = sweep(args.files, args.x, args.y, by, args.where,
                                                  args.theory, args.label, args.level)
    except ClocklabError as exc:
        print(f"{prog}: error: {exc}", file=sys.stderr)
        return exit_status(exc)
    for key in missing:
        print(f"{prog}: no runs of group {key} (--y {key}=...)", file=sys.stderr)
    rows = {r.strip() for r in args.rows.split(",")} if args.rows else None
    ylabel = args.ylabel or " + ".join(sorted({g["y"] for g in groups}))
    print(markdown(groups, args.x, labels, theories, rows, args.scale))
    counts = sorted({c for g in groups for c in g["count"]})
    print(f"\nmean ± half-width of the {args.level:.0%} t interval over "
          f"{counts[0] if len(counts) == 1 else f'{counts[0]}-{counts[-1]}'} run(s) per point")
    draw(groups, args.output, args.x, ylabel, labels, theories, args.logx, args.logy,
         args.title, args.level, args.scale)
    print(f"wrote {args.output}", file=sys.stderr)
    return 0
