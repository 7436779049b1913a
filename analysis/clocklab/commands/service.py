"""The request-routing studies (experiments/service.sh): figures and tables.

  python3 -m clocklab service load FILE.h5... -o docs/service_load.png
      p50 and p99 of the server sojourn time (finished - arrived) and of
      the client response time (received - sent) against the arrival rate
      per server, for each worker count, with the M/M/c sojourn quantiles
      (Kleinrock vol. 1, 3.2 and 3.5; clocklab.queueing).
  python3 -m clocklab service policies FILE.h5... -o docs/service_policies.png
      response-time CDF, requests per server and the largest queue of each
      run, per routing policy.
  python3 -m clocklab service failover FILE.h5... -o docs/service_failover.png
      per run of a coordinator crash: the gap from the crash to the first
      request the new coordinator dispatched, the longest time without any
      reply at the clients, the requests sent in between.

Each prints a Markdown table on stdout, with the worst p99 lateness of
each run's deliveries and timers (fidelity/): how well the machine kept
the run's timing. Sojourn and response statistics
leave out the first WARMUP seconds and requests sent in the last TAIL
seconds of a run (still in flight at the end).
"""

import argparse
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from .. import metrics  # noqa: E402
from .. import queueing  # noqa: E402
from ..config import distribution_mean, run_config  # noqa: E402
from ..labels import node_name, short_name  # noqa: E402
from ..reader import ClocklabError, exit_status, read_files, request_status  # noqa: E402

WARMUP = 0.5
TAIL = 0.3
POLICIES = ["round_robin", "random", "least_loaded", "two_choices"]


def config(run):
    """The run's resolved configuration (clocklab.config.run_config)."""
    return run_config(run)


def mean_of(dist):
    """The mean of a distribution such as 'exponential(10ms)' (s)."""
    return distribution_mean(dist)


def steady(run):
    """Served requests sent after WARMUP and before the last TAIL seconds."""
    t = metrics.served_requests(run)
    end = run["attrs"]["duration"]
    return t[(t["sent"] > WARMUP) & (t["sent"] < end - TAIL)]


def lateness(runs):
    """'median (max)' of the runs' worst p99 lateness in fidelity/ (us), or '-'."""
    values = [metrics.lateness_p99(r) for r in runs]
    values = [v for v in values if v is not None]
    if not values:
        return "-"
    return f"{np.median(values) * 1e6:.0f} ({np.max(values) * 1e6:.0f})"


def load_runs(paths):
    """Every run of the files."""
    return read_files(paths)


# --------------------------------------------------------------------------
# Load
# --------------------------------------------------------------------------

def load(paths, out):
    rows = []
    for run in load_runs(paths):
        cfg = config(run)["dispatch"]
        table = run["requests"]["table"]
        servers = len(np.unique(table["server"][table["server"] >= 0]))
        clients = len(np.unique(table["client"]))
        c = int(cfg["workers"])
        mu = 1.0 / mean_of(cfg["service"])
        lam = float(cfg["rate"]) * clients / servers
        t = steady(run)
        sojourn = t["finished"] - t["arrived"]
        response = t["received"] - t["sent"]
        rows.append(dict(c=c, lam=lam, mu=mu, rho=lam / (c * mu), n=len(t),
                         s50=np.percentile(sojourn, 50), s99=np.percentile(sojourn, 99),
                         r50=np.percentile(response, 50), r99=np.percentile(response, 99),
                         smean=np.mean(sojourn),
                         t50=queueing.mmc_sojourn_quantile(0.5, lam, mu, c),
                         t99=queueing.mmc_sojourn_quantile(0.99, lam, mu, c),
                         tmean=queueing.mmc_mean_sojourn(lam, mu, c), late=lateness([run])))
    rows.sort(key=lambda r: (r["c"], r["lam"]))
    fig, axes = plt.subplots(1, 2, figsize=(13, 5), sharey=True)
    colors = {c: plt.get_cmap("tab10").colors[k] for k, c in
              enumerate(sorted({r["c"] for r in rows}))}
    for ax, p in zip(axes, ("50", "99")):
        for c, color in colors.items():
            rs = [r for r in rows if r["c"] == c]
            mu = rs[0]["mu"]
            grid = np.linspace(0.02, 0.97, 200) * c * mu
            quantiles = [queueing.mmc_sojourn_quantile(int(p) / 100, x, mu, c) * 1e3 for x in grid]
            ax.plot(grid, quantiles,
                    "-", color=color, alpha=0.6, label=f"M/M/{c} theory")
            ax.plot([r["lam"] for r in rs], [r["s" + p] * 1e3 for r in rs], "o", color=color,
                    label=f"{c} worker{'s' if c > 1 else ''}: sojourn at the server")
            ax.plot([r["lam"] for r in rs], [r["r" + p] * 1e3 for r in rs], "x", color=color,
                    label=f"{c} worker{'s' if c > 1 else ''}: response at the client")
        ax.set_yscale("log")
        ax.set_xlabel("arrival rate per server (requests/s)")
        ax.set_title(f"p{p}", fontsize="medium")
        ax.grid(True, which="both", alpha=0.3)
    axes[0].set_ylabel("time (ms)")
    axes[1].legend(fontsize="small", loc="upper left")
    fig.suptitle("single- against multi-threaded servers, random routing, "
                 f"service exponential({1e3 / rows[0]['mu']:g} ms)", fontsize="medium")
    fig.tight_layout()
    fig.savefig(out, dpi=120)
    plt.close(fig)
    print("| workers | utilization | arrivals/s per server | requests | sojourn p50 ms "
          "(M/M/c) | sojourn p99 ms (M/M/c) | mean sojourn ms (M/M/c) | response p50 ms | "
          "response p99 ms | p99 lateness us |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        print(f"| {r['c']} | {r['rho']:.1f} | {r['lam']:.0f} | {r['n']} | {r['s50'] * 1e3:.2f} "
              f"({r['t50'] * 1e3:.2f}) | {r['s99'] * 1e3:.1f} ({r['t99'] * 1e3:.1f}) | "
              f"{r['smean'] * 1e3:.2f} ({r['tmean'] * 1e3:.2f}) | {r['r50'] * 1e3:.2f} | "
              f"{r['r99'] * 1e3:.1f} | {r['late'].split()[0]} |")


# --------------------------------------------------------------------------
# Policies
# --------------------------------------------------------------------------

def policies(paths, out):
    by = {}
    for run in load_runs(paths):
        by.setdefault(config(run)["dispatch"]["policy"], []).append(run)
    names = [p for p in POLICIES if p in by]
    fig, (cdf, share, largest) = plt.subplots(1, 3, figsize=(16, 4.8))
    colors = dict(zip(POLICIES, plt.get_cmap("tab10").colors))
    print("| policy | runs | mean sojourn ms | p99 sojourn ms | mean response ms | "
          "p99 response ms | requests per server (min-max share) | largest queue: mean "
          "(min-max) | p99 lateness us, median (max) over runs |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for k, p in enumerate(names):
        runs = by[p]
        sojourn = np.concatenate([steady(r)["finished"] - steady(r)["arrived"] for r in runs])
        response = np.concatenate([steady(r)["received"] - steady(r)["sent"] for r in runs])
        x = np.sort(response) * 1e3
        cdf.step(x, np.arange(1, len(x) + 1) / len(x), where="post", color=colors[p], label=p)
        shares = []
        for r in runs:
            t = r["requests"]["table"]
            servers, counts = np.unique(t["server"][t["server"] >= 0], return_counts=True)
            shares.append(counts / counts.sum())
        shares = np.array(shares)
        width = 0.8 / len(names)
        share.bar(np.arange(shares.shape[1]) + k * width, shares.mean(axis=0), width,
                  yerr=[shares.mean(axis=0) - shares.min(axis=0),
                        shares.max(axis=0) - shares.mean(axis=0)],
                  color=colors[p], label=p, capsize=2)
        big = [int((q["waiting"] + q["in_service"]).max())
               for q in (r["requests"]["queue"] for r in runs)]
        largest.plot(np.arange(len(big)), big, "o-", color=colors[p], label=p)
        print(f"| {p} | {len(runs)} | {np.mean(sojourn) * 1e3:.2f} | "
              f"{np.percentile(sojourn, 99) * 1e3:.1f} | {np.mean(response) * 1e3:.2f} | "
              f"{np.percentile(response, 99) * 1e3:.1f} | {shares.min():.3f}-{shares.max():.3f} | "
              f"{np.mean(big):.1f} ({min(big)}-{max(big)}) | {lateness(runs)} |")
    cdf.set_xscale("log")
    cdf.set_xlabel("response time (ms)")
    cdf.set_ylabel("fraction of served requests")
    cdf.grid(True, which="both", alpha=0.3)
    cdf.legend(fontsize="small")
    share.set_xticks(np.arange(shares.shape[1]) + width * (len(names) - 1) / 2)
    share.set_xticklabels([short_name(by[names[-1]][-1], s) for s in servers])
    share.set_xlabel("server")
    share.set_ylabel("share of the requests (mean, min-max over runs)")
    share.axhline(1 / shares.shape[1], color="0.5", linestyle=":")
    share.legend(fontsize="small")
    largest.set_xlabel("run (seed = [experiment] seed + run)")
    largest.xaxis.set_major_locator(plt.MaxNLocator(integer=True))
    largest.set_ylabel("largest number in the system at one server")
    largest.grid(True, alpha=0.3)
    largest.legend(fontsize="small")
    run0 = by[names[0]][0]
    cfg = config(run0)["dispatch"]
    fig.suptitle(f"routing policies: {shares.shape[1]} servers, service {cfg['service']}, "
                 f"{cfg['rate']} requests/s in all", fontsize="medium")
    fig.tight_layout()
    fig.savefig(out, dpi=120)
    plt.close(fig)


# --------------------------------------------------------------------------
# Failover
# --------------------------------------------------------------------------

def failover(paths, out):
    runs = load_runs(paths)
    fig, ax = plt.subplots(figsize=(10, 4.8))
    print("| seed | crashed | new coordinator | crash to first dispatch ms | longest time "
          "without a reply ms | sent meanwhile | their mean response ms | served twice | "
          "failed | p99 lateness us |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    gaps = []
    for k, run in enumerate(runs):
        t = run["requests"]["table"]
        status = request_status(t)
        crashed = run["nodes"]["crashed_at"]
        old = int(np.nanargmin(np.where(np.isnan(crashed), np.inf, crashed)))
        crash = crashed[old]
        after = t[(t["dispatched"] > crash) & (t["coordinator"] != old)]
        new = int(after["coordinator"][np.argmin(after["dispatched"])])
        first = np.min(after["dispatched"])
        replies = np.sort(t["received"][np.isfinite(t["received"])])
        silent = np.max(np.diff(replies))
        meanwhile = t[(t["sent"] > crash) & (t["sent"] < first)]
        gaps.append(first - crash)
        served = metrics.served_requests(run)
        if k == 0:
            ax.plot(served["sent"], (served["received"] - served["sent"]) * 1e3, ".",
                    markersize=3, color="tab:blue", label="response time of each request")
            ax.axvline(crash, color="tab:red", linestyle="--",
                       label=f"{node_name(run, old)} (coordinator) crashes")
            ax.axvline(first, color="tab:green", linestyle="--",
                       label=f"{node_name(run, new)} dispatches its first request")
        print(f"| {run['attrs']['seed']} | {node_name(run, old)} at {crash:.3f} s | "
              f"{node_name(run, new)} | "
              f"{(first - crash) * 1e3:.1f} | {silent * 1e3:.1f} | {len(meanwhile)} | "
              f"{np.mean(meanwhile['received'] - meanwhile['sent']) * 1e3:.1f} | "
              f"{int(np.sum(t['served'] > 1))} | "
              f"{int(np.isin(t['status'], (status.TIMEOUT, status.NO_SERVER)).sum())} | "
              f"{lateness([run]).split()[0]} |")
    print(f"\ncrash to first dispatch over {len(gaps)} runs: mean {np.mean(gaps) * 1e3:.1f} ms, "
          f"min {np.min(gaps) * 1e3:.1f}, max {np.max(gaps) * 1e3:.1f}")
    ax.set_yscale("log")
    ax.set_xlabel("reference time the request was sent (s)")
    ax.set_ylabel("response time (ms)")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize="small", loc="upper left")
    ax.set_title(f"{runs[0]['attrs']['algorithm']}, {runs[0]['n']} nodes, seed "
                 f"{runs[0]['attrs']['seed']}", fontsize="medium")
    fig.tight_layout()
    fig.savefig(out, dpi=120)
    plt.close(fig)


def main(argv=None, prog="clocklab service"):
    """``clocklab service``: returns the exit status."""
    parser = argparse.ArgumentParser(prog=prog, description=__doc__.split("\n\n")[0])
    parser.add_argument("study", choices=("load", "policies", "failover"))
    parser.add_argument("files", nargs="+", metavar="FILE.h5")
    parser.add_argument("-o", "--output", required=True, help="figure file")
    args = parser.parse_args(argv)
    try:
        {"load": load, "policies": policies, "failover": failover}[args.study](args.files,
                                                                               args.output)
    except ClocklabError as exc:
        print(f"{prog}: error: {exc}", file=sys.stderr)
        return exit_status(exc)
    return 0

