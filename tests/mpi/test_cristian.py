"""Cristian's algorithm (F. Cristian, "Probabilistic clock synchronization",
Distributed Computing 3, 1989): after each round a client's error against the
time server is at most RTT/2 - d_min, where RTT is the round-trip time of the
sample it used and d_min the minimum one-way delay.

Node 0 is the server and never adjusts, so its true offset at reference time
t is theta_0 + rho_0 * t. Every client row of clock/rounds is written when the
client steps: true_offset is its offset just before the step and adjustment
the step, so its error just after the step is
    true_offset + adjustment - server_offset(time).
Between reading the chosen sample and stepping (at most one round, `samples`
timeouts) the two clocks drift apart by |rho_i - rho_0| * that time; the test
allows for that and for the drift during one RTT.
"""
import unittest

import numpy as np

import clocklab_oracles as orc
import clocklab_testlib as lab

D_MIN = 1e-3  # the injected delay is uniform(1ms, 3ms) per message
SAMPLES = 4
TIMEOUT = 50e-3

CONFIG = """
[experiment]
algorithm = cristian
duration = {duration}
seed = {seed}

[clock]
offset = uniform(-100ms, 100ms)
drift = uniform(-50, 50)

[network]
delay = uniform(1ms, 3ms)

[nodes]
labels = {labels}

[cristian]
server = 0
samples = {samples}
period = 100ms
timeout = {timeout}ms
"""


def run_cristian(nodes, duration="1s", seed=42, labels=""):
    text = CONFIG.format(duration=duration, seed=seed, labels=labels, samples=SAMPLES,
                         timeout=int(TIMEOUT * 1e3))
    proc, path = lab.run_clocklab(nodes, text)
    (name, run), = lab.runs(path)
    return run


class CristianBound(unittest.TestCase):
    def check_bound(self, run, nodes, min_rounds):
        self.assertEqual(run.attrs["status"], "complete")
        rows = run["clock/rounds"][()]
        drift = run["nodes/drift"][()]
        theta = run["nodes/initial_offset"][()]
        clients = range(1, nodes)
        # The server answers only: it never steps its clock.
        self.assertFalse(np.any(rows["node"] == 0), "the server adjusted its clock")
        # The bound must say something: the clocks start ~100 ms apart.
        spread = theta.max() - theta.min()
        worst_bound = 0.0
        for i in clients:
            mine = rows[rows["node"] == i]
            self.assertGreaterEqual(len(mine), min_rounds, "client %d: too few rounds" % i)
            self.assertTrue(np.all(np.isfinite(mine["rtt"])))
            # Two messages, each delayed at least d_min.
            self.assertTrue(np.all(mine["rtt"] >= 2 * D_MIN * (1 - 1e-4)), mine["rtt"])
            for r in mine:
                error = r["true_offset"] + r["adjustment"] - orc.server_offset(run, 0, r["time"])
                drift_allowance = (abs(drift[i] - drift[0]) * orc.PPM *
                                   (SAMPLES * TIMEOUT + 0.02) + 1e-6)
                bound = r["rtt"] / 2 - D_MIN
                worst_bound = max(worst_bound, bound)
                self.assertLessEqual(
                    abs(error), bound + drift_allowance,
                    "client %d round %d: error %.6f s > RTT/2 - d_min = %.6f s (rtt %.6f s)" %
                    (i, r["round"], error, bound, r["rtt"]))
        self.assertLess(worst_bound, spread / 10,
                        "bound %.4f s is vacuous against the initial spread %.4f s" %
                        (worst_bound, spread))
        return rows

    def test_five_nodes_err_within_the_rtt_bound_and_end_close(self):
        nodes = 5
        run = run_cristian(nodes, duration="1s", seed=7)
        self.check_bound(run, nodes, min_rounds=5)
        # All clients end close to the server: within the largest bound.
        t = run["clock/time"][()]
        off = run["clock/offset"][()]
        last = off[-1, 1:] - orc.server_offset(run, 0, t[-1])
        self.assertLess(np.max(np.abs(last)), 5e-3, last)
        orc.assert_conserved(self, run, exact=False)

    def test_labelled_mobile_and_laptop_keep_the_bound(self):
        """The textbook picture: a phone and a laptop ask a time server."""
        run = run_cristian(3, duration="600ms", seed=3, labels="server, mobile, laptop")
        self.assertEqual(orc.labels(run), ["server", "mobile", "laptop"])
        self.check_bound(run, 3, min_rounds=3)


if __name__ == "__main__":
    unittest.main()
