"""The soak under faults (experiments/bench/soak.sh): does each run still
hold its algorithm's correctness property under message loss and crashes?

    python3 -m clocklab soak DIR/*.h5 [--refused DIR/refused.tsv] [-o runs.csv]

prints a Markdown table, one row per algorithm and one column per fault
condition ([network] loss, with or without the [faults] crash schedule,
over the network as it is or with [network] reliable = on, all read from
each run's saved configuration): the share of runs that hold the
property, and how the others failed. Configurations that clocklab refused
before running (an algorithm that needs loss = 0 or no crashes says so)
come from ``--refused``, the tab-separated lines ``algorithm, loss,
crash, message`` or ``algorithm, loss, crash, reliable, message`` that
soak.sh writes.

The properties, per run, from the file alone (at the end of the run unless
said otherwise; "alive" = up at the end, :func:`clocklab.metrics.alive_mask`):

- elections (bully, ring, hs): every alive node believes in the alive node
  with the highest election id (Garcia-Molina 1982; Chang & Roberts 1979;
  Hirschberg & Sinclair 1980);
- clock synchronization (cristian, berkeley, ntp): the final skew of the
  alive nodes (:func:`clocklab.metrics.final_skew`) is at most
  :func:`skew_bound` (skampi, jk and hca wait for every reply and refuse
  loss, unless over reliable channels, and crashes);
- lamport, chatter: a -> b implies L(a) < L(b) (Lamport 1978), checked on
  every edge of happens-before (program order and messages, rebuilt from
  events/table by :mod:`clocklab.causality`), which implies it for the
  transitive closure since < is transitive;
- vector: V(a) < V(b) exactly when a -> b (Fidge 1988, Mattern 1988): the
  recorded vectors equal the ones :func:`clocklab.causality.derived_vectors`
  rebuilds from the trace alone (which have that property), and where they
  differ, the pairs are compared (:func:`clocklab.causality.vector_mismatches`);
- tom: safety, every node's DELIVER sequence is a prefix of one sequence in
  (timestamp, sender) order; liveness, every alive node delivered every
  multicast (Lamport 1978);
- mutual exclusion: safety, no two critical sections overlap in reference
  time (a section a node never left ends when the node crashed, or at the
  end of the run); liveness, every alive node that asks completed all its
  `entries` sections (Coulouris et al. 15.2);
- dispatch: every request is served exactly once (requests/table: served
  = 1, status SERVED); served twice is a safety failure.
"""

import argparse
import csv
import sys
from collections import Counter, OrderedDict, namedtuple

import numpy as np

from .. import causality
from .. import metrics
from ..config import config_value, distribution, is_on, seconds
from ..labels import node_name
from ..reader import ClocklabError, event_kinds, exit_status, read_runs, request_status

#: The families of the run's ``family`` attribute, in the table's row order;
#: algorithms of no family seen in the runs (refused everywhere) come last.
FAMILIES = ("election", "clock_sync", "logical_clock", "mutual_exclusion", "service")

#: Each algorithm's fault model: what its sources assume of the channels
#: and the nodes, and so what the soak can expect of it outside them.
FAULT_MODELS = {
    "bully": "crash-recovery; reliable channels with bounded delay (timeouts)",
    "ring": "crash-recovery (an ACK timeout skips a crashed successor); reliable channels",
    "hs": "no crashes; reliable channels (no timer)",
    "cristian": "loss and crash-recovery (a reading is given up after its timeout); "
                "bounded delay for the error bound",
    "berkeley": "loss and crash-recovery (the master averages the replies in by its "
                "timeout); bounded delay for the error bound",
    "ntp": "loss and crash-recovery (clock filter of 8 polls); bounded delay for the bound",
    "skampi": "no loss, no crashes (waits for every reply)",
    "jk": "no loss, no crashes (waits for every reply)",
    "hca": "no loss, no crashes (waits for every reply)",
    "lamport": "any: the clock condition holds in every execution",
    "chatter": "any: the clock condition holds in every execution",
    "vector": "any: the vector-clock condition holds in every execution",
    "tom": "reliable FIFO channels, no crashes",
    "mutex_central": "reliable channels; a crash of the holder loses the grant",
    "ricart_agrawala": "reliable channels, no crashes",
    "lamport_mutex": "reliable FIFO channels, no crashes",
    "token_ring": "reliable channels, no crashes (the token is lost with a crash)",
    "suzuki_kasami": "reliable channels, no crashes (the token is lost with a crash)",
    "dispatch": "loss (clients resend) and crash-recovery with bounded delay (a server "
                "silent for timeout is taken as crashed)",
}

#: The outcome of one run: holds (bool), safe (False when a safety property
#: broke: two sections at once, a request served twice, two delivery
#: orders; None where the property has no separate safety part), failure
#: (a short label, None when it holds) and detail (numbers, for the CSV).
Outcome = namedtuple("Outcome", "holds safe failure detail")


def _ok(detail="", safe=None):
    return Outcome(True, safe, None, detail)


def _fail(failure, detail="", safe=None):
    return Outcome(False, safe, failure, detail)


def _alive(run):
    return np.asarray(metrics.alive_mask(run), bool)[: run["n"]]


# --------------------------------------------------------------------------
# Elections
# --------------------------------------------------------------------------

def check_election(run):
    """Every alive node believes in the alive node with the highest id."""
    election = run["election"]
    if election is None or "leader" not in election or "ids" not in election:
        raise ClocklabError(f"{run.get('file', '?')} {run['name']}: no election/ data")
    ids = np.asarray(election["ids"], int)
    beliefs = np.asarray(election["leader"], int)
    alive = np.flatnonzero(_alive(run))
    highest = int(alive[np.argmax(ids[alive])])
    believed = beliefs[alive]
    if np.all(believed == highest):
        return _ok(f"leader {node_name(run, highest)}")
    distinct = sorted(set(int(b) for b in believed))
    detail = ", ".join(f"{int(np.sum(believed == b))} believe {b}" for b in distinct)
    detail += f"; highest alive {highest}"
    if -1 in distinct:
        return _fail("no leader somewhere", detail)
    if len(distinct) > 1:
        return _fail("split", detail)
    if not _alive(run)[distinct[0]]:
        return _fail("all on a crashed node", detail)
    return _fail("all on a lower id", detail)


# --------------------------------------------------------------------------
# Clock synchronization
# --------------------------------------------------------------------------

def _range(text, what):
    """(smallest, largest) value of a bounded distribution (s or ppm)."""
    name, args = distribution(text)
    if name == "constant":
        return args[0], args[0]
    if name == "uniform":
        return args[0], args[1]
    if name == "values":
        return min(args), max(args)
    raise ClocklabError(f"{what} = {text}: the soak's skew bound needs a bounded distribution "
                        "(constant, uniform or values)")


def sync_window(run):
    """The longest a correction can rest on a reading (s): cristian's and
    berkeley's period, NTP's clock filter of 8 polls (RFC 5905, section 10);
    skampi, jk and hca synchronize once, so the whole run ([experiment]
    duration)."""
    algorithm = run["attrs"]["algorithm"]
    if algorithm in ("cristian", "berkeley"):
        return seconds(config_value(run, algorithm, "period"))
    if algorithm == "ntp":
        return 8 * seconds(config_value(run, "ntp", "poll"))
    duration = seconds(config_value(run, "experiment", "duration"))
    return duration if duration > 0 else seconds(config_value(run, "experiment", "timeout", "60s"))


def skew_bound(run):
    """The largest final skew (s) a converged run may have.

    Every node's correction errs by at most d_max - d_min against its
    reference (Cristian 1989: a reading taken at the server between d_min
    after the request and d_min before the reply, corrected by RTT/2 <=
    d_max, is off by at most RTT/2 - d_min <= d_max - d_min; the same bound
    holds for the master's estimate of each clock in Berkeley, Gusella &
    Zatti 1989, and for NTP's offset, |error| <= delta/2 - d_min, RFC 5905
    section 8). Since that correction the clocks drift apart from the
    reference by at most (rho_max - rho_min) ppm over the window
    :func:`sync_window`. Two nodes are each within that much of the
    reference, so the skew is at most
    2 * ((d_max - d_min) + (rho_max - rho_min) * 1e-6 * window),
    d the one-way delay ([network] min_delay + [network] delay), rho the
    drift ([clock] drift)."""
    d_lo, d_hi = _range(config_value(run, "network", "delay", "constant(0)"), "[network] delay")
    rho_lo, rho_hi = _range(config_value(run, "clock", "drift", "constant(0)"), "[clock] drift")
    return 2 * ((d_hi - d_lo) + (rho_hi - rho_lo) * 1e-6 * sync_window(run))


def check_clock_sync(run):
    """The final skew of the alive nodes is within :func:`skew_bound`."""
    skew, bound = metrics.final_skew(run), skew_bound(run)
    if skew is None:
        return _fail("no clock data")
    detail = f"final skew {skew * 1e3:.3f} ms, bound {bound * 1e3:.3f} ms"
    return _ok(detail) if skew <= bound else _fail("skew above bound", detail)


# --------------------------------------------------------------------------
# Logical clocks
# --------------------------------------------------------------------------

def _events(run):
    events = run.get("events")
    if events is None or "table" not in events:
        raise ClocklabError(f"{run.get('file', '?')} {run['name']}: no events/ (read the file "
                            "with events=True)")
    return events["table"]


def _edges(table):
    """Immediate happens-before edges (a, b) as two row-index arrays."""
    preds = causality.predecessors(table)
    b = np.fromiter((row for row, ps in enumerate(preds) for _ in ps), dtype=np.int64)
    a = np.fromiter((p for ps in preds for p in ps), dtype=np.int64)
    return a, b


def check_lamport(run):
    """a -> b implies L(a) < L(b), on every edge of happens-before."""
    table = _events(run)
    try:
        a, b = _edges(table)
    except causality.TraceError as exc:
        return _fail("trace not an execution", str(exc))
    stamps = np.asarray(table["lamport"], np.int64)
    bad = np.flatnonzero(stamps[a] >= stamps[b])
    if bad.size:
        return _fail("L(a) >= L(b) for a -> b",
                     f"{bad.size} of {a.size} edges, e.g. rows {a[bad[0]]} -> {b[bad[0]]}")
    return _ok(f"{len(table)} events, {a.size} edges")


def check_vector(run):
    """V(a) < V(b) exactly when a -> b."""
    table = _events(run)
    recorded = np.asarray(run["events"]["vector"], np.int64)
    try:
        derived = causality.derived_vectors(table, run["n"])
        if np.array_equal(recorded, derived):
            return _ok(f"{len(table)} events: the vectors are Fidge/Mattern's")
        bad, _ = causality.vector_mismatches(table, recorded)
    except causality.TraceError as exc:
        return _fail("trace not an execution", str(exc))
    if bad:
        a, b, before = bad[0]
        return _fail("V order is not happens-before",
                     f"rows {a}, {b}: a -> b is {before}")
    return _ok(f"{len(table)} events (vectors differ from Fidge/Mattern's, the order does not)")


def _config_int(run, section, key):
    return int(config_value(run, section, key))


def check_tom(run):
    """Every node delivers a prefix of one sequence in (timestamp, sender)
    order (safety) and every alive node delivers every multicast."""
    table = _events(run)
    kinds = event_kinds(table)
    expected = run["n"] * _config_int(run, "tom", "tickets")
    sequences = []
    for node in range(run["n"]):
        rows = causality.node_rows(table, node)
        rows = rows[table["kind"][rows] == kinds.DELIVER]
        sequences.append(list(zip(table["lamport"][rows].astype(int).tolist(),
                                  table["peer"][rows].astype(int).tolist())))
    longest = max(sequences, key=len)
    in_order = all(x < y for x, y in zip(longest, longest[1:]))
    prefixes = all(seq == longest[: len(seq)] for seq in sequences)
    if not (in_order and prefixes):
        return _fail("order broken", "not prefixes of one (timestamp, sender) order",
                     safe=False)
    alive = np.flatnonzero(_alive(run))
    complete = sum(len(sequences[i]) == expected for i in alive)
    detail = f"{complete} of {len(alive)} alive nodes delivered all {expected}"
    if complete < len(alive):
        return _fail("blocked", detail, safe=True)
    return _ok(detail, safe=True)


# --------------------------------------------------------------------------
# Mutual exclusion
# --------------------------------------------------------------------------

def section_intervals(run):
    """[entered, left) of every entered section, sorted by entry: (node,
    entered, left) arrays. left = exited; for a section without an exit,
    the node's crash when it crashed after entering (a crashed node leaves
    the section with everything else), else the end of the run."""
    sections = metrics.sections_in_order(run)
    if sections is None:
        raise ClocklabError(f"{run.get('file', '?')} {run['name']}: no mutex/ data")
    sections = sections[np.isfinite(sections["entered"])]
    nodes = sections["node"].astype(int)
    entered = sections["entered"].astype(float)
    left = sections["exited"].astype(float).copy()
    crashed = run["nodes"]["crashed_at"]
    end = metrics.end_time(run)
    for k in np.flatnonzero(~np.isfinite(left)):
        c = crashed[nodes[k]]
        left[k] = c if np.isfinite(c) and c >= entered[k] else end
    return nodes, entered, left


def mutex_overlaps(run):
    """How many sections were entered before an earlier-entered one was left."""
    nodes, entered, left = section_intervals(run)
    if len(entered) < 2:
        return 0
    latest = np.maximum.accumulate(left)[:-1]
    return int(np.sum(entered[1:] < latest))


def check_mutex(run):
    """No two sections at once (safety); every alive asker completed its
    `entries` sections (liveness)."""
    algorithm = run["attrs"]["algorithm"]
    overlaps = mutex_overlaps(run)
    if overlaps:
        return _fail("overlap", f"{overlaps} overlapping entries",
                     safe=False)
    entries = _config_int(run, algorithm, "entries")
    askers = [i for i in np.flatnonzero(_alive(run))
              if not (algorithm == "mutex_central"
                      and i == _config_int(run, "mutex_central", "coordinator"))]
    done = metrics.completed_sections(run)["node"].astype(int)
    short = [i for i in askers if np.sum(done == i) < entries]
    made = sum(min(int(np.sum(done == i)), entries) for i in askers)
    detail = f"{made} of {entries * len(askers)} sections completed"
    if short:
        return _fail("blocked",
                     f"{detail}; {len(short)} nodes short", safe=True)
    return _ok(detail, safe=True)


# --------------------------------------------------------------------------
# Request routing
# --------------------------------------------------------------------------

def check_dispatch(run):
    """Every request served exactly once."""
    requests = run.get("requests")
    if requests is None or "table" not in requests:
        raise ClocklabError(f"{run.get('file', '?')} {run['name']}: no requests/ data")
    table = requests["table"]
    status = request_status(table)
    twice = int(np.sum(table["served"] > 1))
    if twice:
        return _fail("served twice", f"{twice} of {len(table)}", safe=False)
    counts = Counter(status.name(s) for s in table["status"])
    detail = ", ".join(f"{counts[k]} {k}" for k in sorted(counts))
    if counts.get("SERVED", 0) < len(table):
        worst = max((k for k in counts if k != "SERVED"), key=lambda k: counts[k])
        return _fail(f"not all served ({worst})", detail, safe=True)
    return _ok(detail, safe=True)


# --------------------------------------------------------------------------
# Any run
# --------------------------------------------------------------------------

#: The property of each family (the run's ``family`` attribute), the same
#: for every algorithm of the family ...
FAMILY_CHECKS = {"election": check_election, "clock_sync": check_clock_sync,
                 "mutual_exclusion": check_mutex, "service": check_dispatch}
#: ... but for the logical clocks, whose algorithms keep different orders.
LOGICAL_CHECKS = {"lamport": check_lamport, "chatter": check_lamport, "vector": check_vector,
                  "tom": check_tom}


def check(run):
    """The :class:`Outcome` of one run (read with events=True for the
    logical clocks), by the run's family. Raises :class:`ClocklabError` for
    a run the soak has no property for (a stack such as bully+berkeley,
    whose layers would each need their own, or a logical-clock algorithm
    without one)."""
    attrs = run["attrs"]
    algorithm, family = attrs.get("algorithm", "?"), attrs.get("family", "?")
    found = (LOGICAL_CHECKS.get(algorithm) if family == "logical_clock"
             else FAMILY_CHECKS.get(family))
    if found is None:
        raise ClocklabError(f"{run.get('file', '?')} {run['name']}: the soak has no property "
                            f"for {algorithm!r} (family {family!r})")
    return found(run)


def condition(run):
    """(loss, crash, reliable) of a run: [network] loss as a float, whether
    its [faults] crash schedule is set, and whether [network] reliable is on."""
    loss = float(config_value(run, "network", "loss", "0"))
    crash = config_value(run, "faults", "crash", "none").strip()
    return loss, crash not in ("", "none"), is_on(config_value(run, "network", "reliable", "off"))


def condition_label(cond):
    loss, crash, reliable = cond
    return ("reliable, " if reliable else "") + f"loss {loss:g}" + (" + crashes" if crash else "")


def read_refused(path):
    """{(algorithm, condition): message} from soak.sh's refused.tsv."""
    out = {}
    with open(path, encoding="utf-8") as f:
        for lineno, line in enumerate(f, 1):
            if not line.strip():
                continue
            parts = line.rstrip("\n").split("\t")
            if len(parts) == 4:
                parts.insert(3, "off")
            if len(parts) != 5:
                raise ClocklabError(f"{path}:{lineno}: expected 4 or 5 tab-separated fields")
            algorithm, loss, crash, reliable, message = parts
            out[(algorithm, (float(loss), crash.strip() not in ("", "none"),
                             is_on(reliable)))] = message
    return out


def evaluate(paths):
    """One dict per run: file, run, algorithm, seed, loss, crash, and the
    :class:`Outcome` fields. Files are read one at a time."""
    rows = []
    for path in paths:
        _, runs = read_runs(path, events=True)
        for run in runs:
            outcome = check(run)
            loss, crash, reliable = condition(run)
            rows.append(OrderedDict(file=path, run=run["name"],
                                    algorithm=run["attrs"]["algorithm"],
                                    family=run["attrs"].get("family", "?"),
                                    seed=run["attrs"].get("seed"), loss=loss, crash=crash,
                                    reliable=reliable,
                                    status=run["attrs"].get("status"),
                                    holds=outcome.holds, safe=outcome.safe,
                                    failure=outcome.failure or "", detail=outcome.detail))
            del run
    return rows


def cell(rows):
    """'k/m' runs holding, then the failures by kind: 'k/m: 5 split, 2 no leader somewhere'."""
    held = sum(r["holds"] for r in rows)
    text = f"{held}/{len(rows)}"
    failures = Counter(r["failure"] for r in rows if not r["holds"])
    if failures:
        text += ": " + ", ".join(f"{n} {f}" for f, n in failures.most_common())
    return text


def table(rows, refused=None):
    """The Markdown table: algorithm (with its fault model) x condition."""
    refused = refused or {}
    conditions = sorted({(r["loss"], r["crash"], r["reliable"]) for r in rows}
                        | {c for _, c in refused}, key=lambda c: (c[2], c[1], c[0]))
    algorithms = {r["algorithm"] for r in rows} | {a for a, _ in refused}
    family = {r["algorithm"]: r.get("family") for r in rows}
    rank = {f: i for i, f in enumerate(FAMILIES)}
    algorithms = sorted(algorithms, key=lambda a: (rank.get(family.get(a), len(FAMILIES)), a))
    lines = ["| algorithm | fault model | " + " | ".join(condition_label(c) for c in conditions)
             + " |", "|---|---|" + "---|" * len(conditions)]
    for a in algorithms:
        cells = []
        for c in conditions:
            mine = [r for r in rows
                    if r["algorithm"] == a and (r["loss"], r["crash"], r["reliable"]) == c]
            if mine:
                cells.append(cell(mine))
            elif (a, c) in refused:
                cells.append("refused")
            else:
                cells.append("-")
        lines.append(f"| {a} | {FAULT_MODELS.get(a, '?')} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def refusals(refused):
    """One line per distinct refusal message: which algorithms, which conditions."""
    by_message = OrderedDict()
    for (algorithm, cond), message in sorted(refused.items()):
        text = message.split(": ", 1)[-1] if message.startswith("clocklab: error") else message
        by_message.setdefault((algorithm, text), []).append(condition_label(cond))
    return [f"- {a} ({', '.join(conds)}): {text}" for (a, text), conds in by_message.items()]


def main(argv=None, prog="clocklab soak"):
    """``clocklab soak``: returns the exit status."""
    parser = argparse.ArgumentParser(prog=prog, description=__doc__.split("\n\n")[0])
    parser.add_argument("files", nargs="+", metavar="FILE.h5")
    parser.add_argument("--refused", metavar="TSV",
                        help="configurations clocklab refused (soak.sh's refused.tsv)")
    parser.add_argument("-o", "--output", metavar="CSV", help="also write one row per run")
    args = parser.parse_args(argv)
    try:
        refused = read_refused(args.refused) if args.refused else {}
        rows = evaluate(args.files)
    except (ClocklabError, OSError) as exc:
        print(f"{prog}: error: {exc}", file=sys.stderr)
        return exit_status(exc)
    print(table(rows, refused))
    unsafe = Counter(r["algorithm"] for r in rows if r["safe"] is False)
    print(f"\n{len(rows)} runs; safety broken in "
          + (", ".join(f"{n} {a}" for a, n in unsafe.most_common()) if unsafe else "none"))
    if refused:
        print("\nrefused before running:")
        print("\n".join(refusals(refused)))
    if args.output:
        with open(args.output, "w", newline="", encoding="utf-8") as f:
            writer = csv.DictWriter(f, fieldnames=list(rows[0].keys()) if rows else ["file"])
            writer.writeheader()
            writer.writerows(rows)
    return 0
