"""Tables of the HPC clock-sync benchmark (experiments/bench/hpcsync.sh).

    python3 -m clocklab hpcsync OUTDIR [--figure FILE.png]
    python3 -m clocklab hpcsync FILE.h5 [FILE.h5 ...]

With a directory: the files the benchmark wrote there, clocklab's
``acc-*.h5`` / ``scale-d*-*.h5`` and mpi-time-sync's ``acc-mpits-*.log`` /
``scale-mpits-*.log`` (the output of its check_clock_accuracy), and prints

1. accuracy: per rank count N and algorithm, the largest |offset| of any
   rank from rank 0 as the evaluator measured it right after synchronization
   (range over the repeated runs) with the median synchronization time in
   parentheses, then the same one second later;
2. what the accuracy rests on: the median smallest RTT of the ping-pongs the
   models used, and of the evaluator's, and the evaluator's largest error
   against the true offset where that is known (one host);
3. scaling: the synchronization time against N, with least-squares fits of
   t = a + b log2 N and t = a + b N (R^2 of each), and --figure plots it.

With files: one line per run (algorithm, N, synchronization time, largest
|offset| at each evaluation delay).

clocklab's synchronization time is the largest clock/models time (reference
time from the run's common start to the last node correcting its clock);
mpi-time-sync's is its ``#@sync_duration`` (rank 0's time in the sync call).
The largest |offset| is over evaluation/ rows (|offset| of C_node - C_0);
mpi-time-sync prints |offset| per rank (``min_diff``) at wait_time 0 and 1 s.
"""

import argparse
import glob
import math
import os
import re
import sys
from collections import defaultdict

import numpy as np

from ..config import run_config
from ..reader import ClocklabError, exit_status, read_runs

COLUMNS = [("clocklab", "skampi"), ("clocklab", "skampi, 100 ping-pongs"), ("clocklab", "jk"),
           ("clocklab", "hca"), ("clocklab", "hca offset"), ("mpits", "SKaMPI"), ("mpits", "JK"),
           ("mpits", "HCA3"), ("mpits", "HCA3O")]


def run_label(run):
    """skampi (", N ping-pongs" when not the default 20), jk, hca (linear model:
    HCA3) or "hca offset" (HCA3O)."""
    name = run["attrs"].get("algorithm", "")
    cfg = run_config(run)
    if name == "hca" and cfg.get("hca", "model", fallback="linear") == "offset":
        return "hca offset"
    if name == "skampi" and cfg.get("skampi", "pingpongs", fallback="20") != "20":
        return "skampi, %s ping-pongs" % cfg.get("skampi", "pingpongs")
    return name


def clocklab_runs(path, evaluated=True):
    """One dict per run of a file: label, n, sync (s), offsets {at: max |offset|},
    model_rtt, eval_rtt (medians, s), eval_err (largest |offset - truth|, s).
    With evaluated=False also runs without evaluation/ (offsets empty)."""
    _, runs = read_runs(path)
    out = []
    for run in runs:
        models = (run["clock"] or {}).get("models")
        ev = run["evaluation"]
        if models is None or run["attrs"].get("status") != "complete":
            continue
        if ev is None:
            if not evaluated:
                out.append({"label": run_label(run), "n": run["n"],
                            "sync": float(np.max(models["time"]))})
            continue
        at = np.asarray(ev["at"], float)
        off = np.abs(np.asarray(ev["offset"], float))
        err = np.abs(np.asarray(ev["offset"], float) - np.asarray(ev["true_offset"], float))
        rtts = np.asarray(models["rtt"], float)
        out.append({
            "label": run_label(run), "n": run["n"], "sync": float(np.max(models["time"])),
            "offsets": {float(a): float(off[at == a].max()) for a in np.unique(at)},
            "model_rtt": float(np.median(rtts[np.isfinite(rtts)])),
            "eval_rtt": float(np.median(ev["rtt_min"])),
            "eval_err": float(np.nanmax(err)) if np.any(np.isfinite(err)) else math.nan,
        })
    return out


def mpits_run(path):
    """check_clock_accuracy's output: label, n, sync, offsets {wait: max |offset|}."""
    sync, label, rows = math.nan, None, defaultdict(list)
    with open(path) as f:
        for line in f:
            if line.startswith("#@sync_duration="):
                sync = float(line.split("=", 1)[1])
            elif line.startswith("#@clocksync="):
                label = line.split("=", 1)[1].strip()
            elif not line.startswith("#"):
                parts = line.split()
                if len(parts) == 3 and re.match(r"^[0-9.]+$", parts[0]):
                    rows[float(parts[0])].append(float(parts[2]))
    if not rows or label is None:
        return None
    n = max(int(x) for x in re.findall(r"-N(\d+)-", os.path.basename(path))) if \
        re.search(r"-N(\d+)-", os.path.basename(path)) else len(rows[0.0]) + 1
    return {"label": label, "n": n, "sync": sync,
            "offsets": {w: max(v) for w, v in rows.items()}}


def fmt_time(s):
    if not np.isfinite(s):
        return "-"
    for unit, f in (("s", 1.0), ("ms", 1e-3), ("us", 1e-6)):
        if s >= f:
            return "%.3g %s" % (s / f, unit)
    return "%.0f ns" % (s * 1e9)


def fmt_range(values):
    v = sorted(x * 1e9 for x in values if np.isfinite(x))
    if not v:
        return "-"
    if v[-1] >= 10000:
        return "%.1f–%.1f µs" % (v[0] / 1e3, v[-1] / 1e3)
    return "%.0f–%.0f ns" % (v[0], v[-1])


def accuracy_tables(results):
    """results: {(tool, label, n): [run dicts]}. Markdown tables at 0 s and 1 s."""
    ns = sorted({k[2] for k in results})
    cols = [c for c in COLUMNS if any((c[0], c[1], n) in results for n in ns)]
    lines = []
    for at, title in ((0.0, "right after synchronization"), (1.0, "1 s later")):
        lines.append("max |offset| %s, range over runs (median synchronization time):" % title)
        lines.append("")
        lines.append("| N | " + " | ".join("%s %s" % c for c in cols) + " |")
        lines.append("|---|" + "---|" * len(cols))
        for n in ns:
            cells = []
            for tool, label in cols:
                runs = results.get((tool, label, n), [])
                vals = [r["offsets"].get(at, math.nan) for r in runs]
                sync = np.median([r["sync"] for r in runs]) if runs else math.nan
                cells.append("%s (%s)" % (fmt_range(vals), fmt_time(sync)) if runs else "-")
            lines.append("| %d | %s |" % (n, " | ".join(cells)))
        lines.append("")
    return "\n".join(lines)


def basis_table(results):
    lines = ["synchronization time (range over runs) and what the accuracy rests on: median "
             "min RTT of the models' exchanges (clocklab), of the evaluator's, and the "
             "evaluator's largest error against the truth (H - t measured on one host):", "",
             "| N | algorithm | synchronization time | model RTT | evaluator RTT | "
             "evaluator error (bound: RTT/2) |",
             "|---|---|---|---|---|---|"]
    for (tool, label, n), runs in sorted(results.items(), key=lambda kv: (kv[0][2], kv[0][0],
                                                                          kv[0][1])):
        syncs = [r["sync"] for r in runs]
        span = "%s–%s" % (fmt_time(min(syncs)), fmt_time(max(syncs)))
        if tool != "clocklab":
            lines.append("| %d | %s %s | %s | - | - | - |" % (n, tool, label, span))
            continue
        lines.append("| %d | %s %s | %s | %s | %s | %s |" % (
            n, tool, label, span, fmt_time(np.median([r["model_rtt"] for r in runs])),
            fmt_time(np.median([r["eval_rtt"] for r in runs])),
            fmt_time(max(r["eval_err"] for r in runs))))
    return "\n".join(lines) + "\n"


def fit(ns, ts, basis):
    """Least squares t = a + b f(N); returns (a, b, R^2)."""
    x = np.array([basis(n) for n in ns], float)
    y = np.asarray(ts, float)
    b, a = np.polyfit(x, y, 1)
    resid = y - (a + b * x)
    ss = np.sum((y - y.mean()) ** 2)
    return a, b, 1.0 - np.sum(resid ** 2) / ss if ss > 0 else float("nan")


def scaling(series):
    """series: {name: {n: [sync times]}}. A table and the fits."""
    ns = sorted({n for s in series.values() for n in s})
    names = sorted(series)
    lines = ["synchronization time against N, median (range) over runs:", "",
             "| N | " + " | ".join(names) + " |", "|---|" + "---|" * len(names)]
    for n in ns:
        cells = []
        for name in names:
            v = series[name].get(n, [])
            cells.append("%s (%s–%s)" % (fmt_time(np.median(v)), fmt_time(min(v)),
                                         fmt_time(max(v))) if v else "-")
        lines.append("| %d | %s |" % (n, " | ".join(cells)))
    lines += ["", "least-squares fits over every run (t in s):", ""]
    for name in names:
        pts = [(n, t) for n, v in series[name].items() for t in v]
        if len({n for n, _ in pts}) < 3:
            continue
        a1, b1, r1 = fit([n for n, _ in pts], [t for _, t in pts], lambda n: math.log2(n))
        a2, b2, r2 = fit([n for n, _ in pts], [t for _, t in pts], float)
        lines.append("- %s: t = %.3g + %.3g log2 N (R^2 %.3f); t = %.3g + %.3g N (R^2 %.3f)"
                     % (name, a1, b1, r1, a2, b2, r2))
    return "\n".join(lines) + "\n"


def figure(series, path):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots(figsize=(6.4, 4.2))
    for name in sorted(series):
        ns = sorted(series[name])
        med = [np.median(series[name][n]) * 1e3 for n in ns]
        lo = [min(series[name][n]) * 1e3 for n in ns]
        hi = [max(series[name][n]) * 1e3 for n in ns]
        ax.errorbar(ns, med, yerr=[np.subtract(med, lo), np.subtract(hi, med)], marker="o",
                    capsize=3, label=name)
    ax.set_xscale("log", base=2)
    ax.set_yscale("log")
    ax.set_xlabel("nodes N (real time: N ranks on 2 cores; virtual time: one rank)")
    ax.set_ylabel("synchronization time (ms)")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=120)


def directory(out, figure_path):
    acc = defaultdict(list)
    for path in sorted(glob.glob(os.path.join(out, "acc-*.h5"))):
        for r in clocklab_runs(path):
            acc[("clocklab", r["label"], r["n"])].append(r)
    for path in sorted(glob.glob(os.path.join(out, "acc-mpits-*.log"))):
        r = mpits_run(path)
        if r:
            acc[("mpits", r["label"], r["n"])].append(r)
    if acc:
        print(accuracy_tables(acc))
        print(basis_table(acc))
    series = defaultdict(lambda: defaultdict(list))
    for path in sorted(glob.glob(os.path.join(out, "scale-*d*-N*-r*.h5"))):
        base = os.path.basename(path)
        delay = re.search(r"-d([^-]+)-N", base).group(1)
        where = ", virtual time" if base.startswith("scale-virtual-") else ""
        for r in clocklab_runs(path, evaluated=False):
            name = "clocklab %s%s%s" % (r["label"], where, "" if delay == "0" else ", delay " + delay)
            series[name][r["n"]].append(r["sync"])
    for path in sorted(glob.glob(os.path.join(out, "scale-mpits-*.log"))):
        r = mpits_run(path)
        if r:
            series["mpits " + r["label"]][r["n"]].append(r["sync"])
    if series:
        print(scaling(series))
        if figure_path:
            figure(series, figure_path)
            print("figure: %s" % figure_path)


def main(argv=None, prog="clocklab hpcsync"):
    """``clocklab hpcsync``: returns the exit status."""
    ap = argparse.ArgumentParser(prog=prog, description=__doc__.split("\n")[0])
    ap.add_argument("paths", nargs="+", help="the benchmark's directory, or clocklab files")
    ap.add_argument("--figure", help="write the scaling figure here (directory mode)")
    args = ap.parse_args(argv)
    if len(args.paths) == 1 and os.path.isdir(args.paths[0]):
        directory(args.paths[0], args.figure)
        return 0
    for path in args.paths:
        try:
            runs = clocklab_runs(path)
        except ClocklabError as e:
            print("%s: error: %s" % (prog, e), file=sys.stderr)
            return exit_status(e)
        for r in runs:
            offs = ", ".join("at %gs: %s" % (a, fmt_time(v)) for a, v in sorted(r["offsets"].items()))
            print("%s: %s N=%d sync %s; max |offset| %s; evaluator error %s (model RTT %s)" % (
                path, r["label"], r["n"], fmt_time(r["sync"]), offs, fmt_time(r["eval_err"]),
                fmt_time(r["model_rtt"])))
    return 0

