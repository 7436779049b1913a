"""Berkeley algorithm (R. Gusella and S. Zatti, IEEE TSE 15(7), 1989;
Coulouris et al., Distributed Systems, 14.3.3).

The master estimates each node's offset from its own Cristian-style,
diff_i = T_i + RTT_i/2 - t_recv, with error |e_i| <= RTT_i/2 - d_min (e = 0
for the master's own clock). It averages the readings within `outlier` of
their median (the fault-tolerant average) and sends node i the relative
adjustment avg - diff_i. After it, node i's clock is at the master's + avg -
e_i, so for any two nodes

    |offset_i - offset_j| <= b_i + b_j + drift,   b_i = RTT_i/2 - d_min,

where drift = (|rho_i - rho_m| + |rho_j - rho_m|) * 1e-6 * (time since the
readings, which began at most `timeout` before the master adjusted). The RTT
of node i's reading is in node i's clock/rounds row of that round. The bound
is checked on the recorded true offsets (clock/offset) at a sample after all
adjustments of a round have been applied and before the next round's.

With a faulty clock far from the others (here +2 s), the reading is left out
of the average (excluded = 1), so the good clocks go to the average of the
good clocks, not towards the faulty one; the faulty node is corrected too.
"""
import unittest

import numpy as np

import clocklab_oracles as orc
import clocklab_testlib as lab

D_MIN = 1e-3  # delay = uniform(1ms, 3ms)
TIMEOUT = 40e-3
PERIOD = 100e-3
EPS = 2e-6  # relative drift during one RTT, float rounding

CONFIG = """
[experiment]
algorithm = berkeley
duration = {duration}
seed = {seed}

[clock]
offset = {offset}
drift = uniform(-50, 50)

[network]
delay = uniform(1ms, 3ms)

[berkeley]
master = 0
period = 100ms
timeout = 40ms
outlier = 50ms
adjust = {adjust}
slew_time = {slew_time}
"""


def run_berkeley(nodes, adjust, duration="1s", seed=42, offset="uniform(-100ms, 100ms)",
                 slew_time="50ms"):
    text = CONFIG.format(duration=duration, seed=seed, offset=offset, adjust=adjust,
                         slew_time=slew_time)
    proc, path = lab.run_clocklab(nodes, text)
    (name, run), = lab.runs(path)
    return run


# The clock model slews at most this fast (model/clock.h, CLOCK_MAX_SLEW):
# a slew of delta lasts at least |delta| / MAX_SLEW.
MAX_SLEW = 0.5


def round_windows(run, nodes, settle, slewed=False):
    """For each round that every node took part in (one row per node):
    (round, rows of the round by node, first sample index after all of the
    round's adjustments have settled and before the next round adjusts).
    With slewed=True a round settles after max(settle, |adjustment|/MAX_SLEW)."""
    rows = run["clock/rounds"][()]
    times = run["clock/time"][()]
    out = []
    settled_at = 0.0  # when the previous round's slews were over
    for k in np.unique(rows["round"]):
        mine = rows[rows["round"] == k]
        if sorted(mine["node"]) != list(range(nodes)):
            continue  # a reading was lost or late: not a complete round
        span = settle
        if slewed:
            span = max(settle, np.abs(mine["adjustment"]).max() / MAX_SLEW)
        readings_from = mine["time"].min() - TIMEOUT
        after = mine["time"].max() + span
        prev_settled, settled_at = settled_at, after
        if slewed and prev_settled > readings_from:
            continue  # read while clocks were still slewing: the bound is for settled clocks
        later = rows[rows["round"] > k]
        before = later["time"].min() if len(later) else times[-1] + 1
        idx = np.nonzero((times > after) & (times < before))[0]
        if len(idx):
            out.append((int(k), {int(r["node"]): r for r in mine}, int(idx[0])))
    return out


class Berkeley(unittest.TestCase):
    def check_pairwise(self, run, nodes, settle, min_rounds, slewed=False):
        """Every pair of clocks within b_i + b_j + drift after every complete round."""
        self.assertEqual(run.attrs["status"], "complete")
        drift = run["nodes/drift"][()]
        times = run["clock/time"][()]
        off = run["clock/offset"][()]
        windows = round_windows(run, nodes, settle, slewed)
        self.assertGreaterEqual(len(windows), min_rounds,
                                "too few complete rounds with a sample after them")
        master = 0
        for k, by_node, s in windows:
            t_m = by_node[master]["time"]
            self.assertEqual(by_node[master]["rtt"], 0.0)
            b = np.array([0.0 if i == master else by_node[i]["rtt"] / 2 - D_MIN
                          for i in range(nodes)])
            self.assertTrue(np.all(b >= -1e-6), "an RTT below 2 d_min: %s" % b)
            b = np.maximum(b, 0.0)
            dt = times[s] - (t_m - TIMEOUT)
            rel = np.abs(drift - drift[master]) * orc.PPM * dt
            for i in range(nodes):
                for j in range(i + 1, nodes):
                    skew = abs(off[s, i] - off[s, j])
                    bound = b[i] + b[j] + rel[i] + rel[j] + EPS
                    self.assertLessEqual(
                        skew, bound, "round %d, t=%.3f s: nodes %d,%d skew %.6f s > %.6f s" %
                        (k, times[s], i, j, skew, bound))
        return windows

    def test_stepped_rounds_keep_pairs_within_the_bound(self):
        nodes = 7
        run = run_berkeley(nodes, "step", duration="1s", seed=11)
        windows = self.check_pairwise(run, nodes, settle=0.0, min_rounds=5)
        # The bound is far below where the clocks started.
        theta = run["nodes/initial_offset"][()]
        self.assertGreater(theta.max() - theta.min(), 0.05)
        k, by_node, s = windows[-1]
        self.assertLess(np.ptp(run["clock/offset"][s]), 6e-3)
        orc.assert_conserved(self, run, exact=False)

    def test_outlier_excluded(self):
        """Gusella & Zatti's fault-tolerant average: a clock 2 s off is left out."""
        nodes = 6
        good = [0.0, 5e-3, -5e-3, 3e-3, -2e-3]
        run = run_berkeley(nodes, "step", duration="500ms", seed=5,
                           offset="values(0, 5ms, -5ms, 3ms, -2ms, 2s)")
        theta = run["nodes/initial_offset"][()]
        np.testing.assert_allclose(theta, good + [2.0])
        rows = run["clock/rounds"][()]
        r0 = rows[rows["round"] == 0]
        self.assertEqual(sorted(r0["node"]), list(range(nodes)), "round 0 incomplete")
        excluded = {int(r["node"]): int(r["excluded"]) for r in r0}
        self.assertEqual(excluded, {0: 0, 1: 0, 2: 0, 3: 0, 4: 0, 5: 1})
        # After round 0 all clocks, the faulty one included, sit at the mean
        # of the good clocks (within the estimation bound), far from the mean
        # of all six (~333 ms away).
        windows = round_windows(run, nodes, settle=0.0)
        k, by_node, s = windows[0]
        self.assertEqual(k, 0)
        t_s = run["clock/time"][s]
        off = run["clock/offset"][s]
        drift = run["nodes/drift"][()]
        b = [0.0] + [by_node[i]["rtt"] / 2 - D_MIN for i in range(1, nodes)]
        good_mean, all_mean = np.mean(good), np.mean(theta)
        for i in range(nodes):
            # offset_i = mean of good clocks + mean of their errors - e_i, all
            # evaluated since t = 0 (drifts add at most 4 max|rho| t).
            bound = b[i] + max(b[:5]) + 4 * np.max(np.abs(drift)) * orc.PPM * t_s + EPS
            self.assertLessEqual(abs(off[i] - good_mean), bound,
                                 "node %d at %.6f s, good mean %.6f s" % (i, off[i], good_mean))
            self.assertGreater(abs(off[i] - all_mean), 0.3)
        # Later rounds see no outlier any more.
        self.assertFalse(np.any(rows[rows["round"] > 0]["excluded"]))
        self.check_pairwise(run, nodes, settle=0.0, min_rounds=3)

    def test_slewed_rounds_reach_the_bound_once_slews_end(self):
        """Slewed adjustments reach the same bound once every slew is over."""
        nodes = 6
        run = run_berkeley(nodes, "slew", duration="1s", seed=23, slew_time="30ms")
        self.check_pairwise(run, nodes, settle=30e-3, min_rounds=4, slewed=True)
        off = run["clock/offset"][()]
        self.assertLess(np.ptp(off[-1]), 6e-3)
        orc.assert_conserved(self, run, exact=False)


if __name__ == "__main__":
    unittest.main()
