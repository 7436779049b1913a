"""What the reliable channel ([network] reliable = on) costs, against loss.

    python3 -m clocklab channel FILE.h5 ... [-o runs.csv]

For each run: the algorithm's messages (its own types' first
transmissions), the channel's retransmissions and acknowledgements
(messages/ types CHANNEL_RETRANSMIT and CHANNEL_ACK), transmissions per
message, and with `[experiment] trace = on` the one-way latency of the
algorithm's messages from send to delivery (events/table: a SEND and the
RECEIVE of the same msg id), in reference time.

The theory, for independent losses of probability p on every
transmission, data and acknowledgements alike, and a timeout longer than
any round trip (no retransmission before its acknowledgement could come):
a message is sent until an acknowledgement of it comes back. If only its
own acknowledgement can do that, each transmission succeeds with
probability (1 - p)^2 and the transmissions are geometric,
E[T] = 1/(1 - p)^2. If acknowledgements were never lost, E[T] = 1/(1 - p)
(Bertsekas & Gallager, Data Networks, 2nd ed., section 2.4: stop-and-wait
ARQ). Cumulative acknowledgements let a later acknowledgement confirm an
earlier message whose own was lost, so a channel carrying a stream lies
between the two: 1/(1 - p) <= E[T] <= 1/(1 - p)^2.
"""

import argparse
import csv
import sys
from collections import OrderedDict

import numpy as np

from .. import metrics, schema
from ..config import config_value, is_on
from ..reader import ClocklabError, event_kinds, exit_status, read_runs

RETRANSMIT, ACK = schema.CHANNEL_TYPES


def transmissions_bounds(p):
    """(lower, upper) expected transmissions per message at loss p (module
    docstring): 1/(1 - p) and 1/(1 - p)^2."""
    return 1.0 / (1.0 - p), 1.0 / (1.0 - p) ** 2


def message_counts(run):
    """(algorithm messages, retransmissions, acknowledgements): sums over
    nodes of messages/sent; the channel's types are 0 when absent."""
    by_type = metrics.messages_by_type(run)
    if by_type is None:
        raise ClocklabError(f"{run.get('file', '?')} {run['name']}: no messages/")
    return (metrics.total_messages(run), by_type.get(RETRANSMIT, 0), by_type.get(ACK, 0))


def latencies(run):
    """One-way latencies (s, reference time) of the algorithm's messages
    that were delivered: RECEIVE time minus SEND time of the same msg id.
    Empty without events/."""
    if not run.get("events") or "table" not in run["events"]:
        return np.array([])
    table = run["events"]["table"]
    kinds = event_kinds(table)
    send = table[table["kind"] == kinds.SEND]
    recv = table[table["kind"] == kinds.RECEIVE]
    sent_at = dict(zip(send["msg"].tolist(), send["time"].tolist()))
    out = [t - sent_at[m] for m, t in zip(recv["msg"].tolist(), recv["time"].tolist())
           if m in sent_at]
    return np.array(out)


def evaluate(paths):
    """One OrderedDict per run: file, run, algorithm, loss, reliable, the
    counts, transmissions per message with the theory's bounds, and
    latency mean, median and p99 (s; NaN without a trace)."""
    rows = []
    for path in paths:
        _, runs = read_runs(path, events=True)
        for run in runs:
            loss = float(config_value(run, "network", "loss", "0"))
            reliable = is_on(config_value(run, "network", "reliable", "off"))
            algorithm, retransmits, acks = message_counts(run)
            lo, hi = transmissions_bounds(loss)
            lat = latencies(run)
            rows.append(OrderedDict(
                file=path, run=run["name"], algorithm=run["attrs"].get("algorithm"),
                loss=loss, reliable=reliable, messages=algorithm, retransmissions=retransmits,
                acks=acks,
                transmissions=(algorithm + retransmits) / algorithm if algorithm else float("nan"),
                theory_low=lo, theory_high=hi, delivered=len(lat),
                latency_mean=float(lat.mean()) if lat.size else float("nan"),
                latency_median=float(np.median(lat)) if lat.size else float("nan"),
                latency_p99=float(np.percentile(lat, 99)) if lat.size else float("nan")))
    return rows


def table(rows):
    """The Markdown table, one row per (reliable, loss), runs of a
    condition added (latencies pooled as run means)."""
    groups = OrderedDict()
    for r in sorted(rows, key=lambda r: (r["reliable"], r["loss"])):
        groups.setdefault((r["reliable"], r["loss"]), []).append(r)
    lines = ["| channel | loss p | messages | retransmissions | acks | transmissions per "
             "message | theory 1/(1-p) .. 1/(1-p)^2 | delivered | latency mean | median | p99 |",
             "|---|---|---|---|---|---|---|---|---|---|---|"]
    for (reliable, loss), rs in groups.items():
        m = sum(r["messages"] for r in rs)
        x = sum(r["retransmissions"] for r in rs)
        a = sum(r["acks"] for r in rs)
        lo, hi = transmissions_bounds(loss)

        def ms(key):
            v = [r[key] for r in rs if not np.isnan(r[key])]
            return f"{np.mean(v) * 1e3:.3f} ms" if v else "-"
        lines.append(f"| {'reliable' if reliable else 'as is'} | {loss:g} | {m} | {x} | {a} | "
                     f"{(m + x) / m if m else float('nan'):.4f} | {lo:.4f} .. {hi:.4f} | "
                     f"{sum(r['delivered'] for r in rs)} | {ms('latency_mean')} | "
                     f"{ms('latency_median')} | {ms('latency_p99')} |")
    return "\n".join(lines)


def main(argv=None, prog="clocklab channel"):
    """``clocklab channel``: returns the exit status."""
    parser = argparse.ArgumentParser(prog=prog, description=__doc__.split("\n\n")[0])
    parser.add_argument("files", nargs="+", metavar="FILE.h5")
    parser.add_argument("-o", "--output", metavar="CSV", help="also write one row per run")
    args = parser.parse_args(argv)
    try:
        rows = evaluate(args.files)
    except (ClocklabError, OSError) as exc:
        print(f"{prog}: error: {exc}", file=sys.stderr)
        return exit_status(exc)
    print(table(rows))
    if args.output and rows:
        with open(args.output, "w", newline="", encoding="utf-8") as f:
            writer = csv.DictWriter(f, fieldnames=list(rows[0].keys()))
            writer.writeheader()
            writer.writerows(rows)
    return 0
