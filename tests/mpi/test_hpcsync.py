"""The HPC clock syncs (skampi, jk, hca) and the independent evaluator.

Oracles:

* Cristian 1989: an offset taken from a ping-pong whose round trip took RTT
  is within RTT/2 of the truth (the remote clock was read between the
  request leaving and the reply arriving). The evaluator keeps the exchange
  with the smallest RTT, so its error is at most rtt_min / 2. SKaMPI
  (Reussner et al. 1998) intersects the intervals of all exchanges; the
  middle of the intersection is within half its width (the recorded bound,
  at most rtt_min / 2) of the offset while the clocks do not drift apart.
* Least squares is linear in the data (Jones & Koenig 2013 fit offsets with
  it): if fit point k is off by at most e_k = RTT_k / 2, the fitted line's
  value at x0 is off by at most sum |h_k| e_k and its slope by at most
  sum |x_k - mean| e_k / Sxx. The algorithms record these worst cases in
  clock/models (bound, slope_bound); the test checks them against the truth.

In simulated mode every clock is C(t) = t + theta + rho t until its model
(offset = a + b L for a reading L) corrects it to L - (a + b L); nothing else
adjusts these clocks, so each node's true corrected offset at any time
follows from nodes/initial_offset, nodes/drift and its clock/models row. The
model of a node is of its offset from its reference's clock as that clock
reads then (hca: its parent's, already corrected), so each edge of the tree
is checked on its own: at the time node c applies its model, its offset from
its reference r is within c's bound. An offset-only model (slope 0) also
carries the drift between c and r since the exchange it used, at most
|rho_c - rho_r| times the time since r's own model.

In hardware mode with MPI_Wtime (Open MPI 4.1 starts each process's
MPI_Wtime at its own zero: offsets of 0.1-0.9 ms to recover) all ranks
share one kernel clock, so there is no drift, and after synchronization the
evaluator's |offset| of node i is at most the sum of the bounds on its path
to the root plus the evaluator's own rtt_min / 2.
"""
import unittest

import numpy as np

import clocklab_testlib as lab

PPM = 1e-6
SLACK = 1e-9  # s: rounding and the drift within one exchange

SIMULATED = """
[experiment]
algorithm = skampi, jk, hca
duration = 0
seed = 11

[clock]
offset = uniform(-10ms, 10ms)
drift = uniform(-50, 50)

[skampi]
pingpongs = 20

[jk]
fitpoints = 11
pingpongs = 50
interval = 100ms

[hca]
model = linear
fitpoints = 11
pingpongs = 50
interval = 100ms

[evaluation]
at = 0s, 20ms
pingpongs = 50
"""

HARDWARE = """
[experiment]
algorithm = skampi, hca
duration = 0

[clock]
source = hardware
hardware = mpi_wtime

[skampi]
pingpongs = 20

[hca]
model = offset
fitpoints = 1
pingpongs = 20

[evaluation]
at = 0s
pingpongs = 50
"""


def models_by_node(run):
    rows = run["clock/models"][()]
    return {int(r["node"]): r for r in rows}


def corrected_offset(run, node, t, model):
    """True offset C - t of a simulated node at reference time t, under its
    model when t is not earlier than the model's time."""
    theta = float(run["nodes/initial_offset"][node])
    rho = float(run["nodes/drift"][node]) * PPM
    raw = theta + rho * t
    if model is None or t < model["time"]:
        return raw
    return raw - (model["intercept"] + model["slope"] * (t + raw))


def clock_rate(run, node, model):
    """dC/dt of a simulated node under its model."""
    rate = 1 + float(run["nodes/drift"][node]) * PPM
    return rate * (1 - model["slope"]) if model is not None else rate


class Simulated(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        proc, path = lab.run_clocklab(4, SIMULATED)
        cls.runs = dict((str(r.attrs["algorithm"]), r) for _, r in lab.runs(path))

    def test_every_node_ends_with_a_model(self):
        for name, run in self.runs.items():
            with self.subTest(algorithm=name):
                self.assertEqual(run.attrs["status"], "complete")
                models = models_by_node(run)
                self.assertEqual(sorted(models), [0, 1, 2, 3])
                self.assertEqual(models[0]["intercept"], 0.0)  # the root, node 0
                self.assertEqual(len(run["clock/models"]), 4)

    def check_edges(self, name, fitted):
        run = self.runs[name]
        models = models_by_node(run)
        spread = np.ptp(run["nodes/initial_offset"][()])
        slopes = []
        for c in (1, 2, 3):
            m = models[c]
            r = int(m["reference"])
            t = float(m["time"])
            mr = models[r]
            err = corrected_offset(run, c, t, m) - corrected_offset(run, r, t, mr)
            allowance = SLACK
            if not fitted:  # the drift since the exchange, which began after r's model
                drift = abs(run["nodes/drift"][c] - run["nodes/drift"][r]) * PPM
                allowance += drift * (t - float(mr["time"]))
            self.assertLessEqual(abs(err), m["bound"] + allowance,
                                 "%s node %d: %.3g s from node %d, bound %.3g s" %
                                 (name, c, err, r, m["bound"]))
            # the bound says something against the initial offsets
            self.assertLess(m["bound"], spread / 100)
            if not fitted:  # SKaMPI's bracket lies within the min-RTT exchange's
                self.assertLessEqual(m["bound"], m["rtt"] / 2 + 1e-15)
            if fitted:
                # the model's slope against the reference's corrected rate
                true_slope = 1 - clock_rate(run, r, mr) / clock_rate(run, c, None)
                slope_err = m["slope"] - true_slope
                self.assertLessEqual(abs(slope_err), m["slope_bound"] + SLACK)
                self.assertLessEqual(abs(slope_err), 5 * PPM,
                                     "%s node %d: drift off by %.2f ppm" % (name, c,
                                                                           slope_err / PPM))
                slopes.append(true_slope)
        if fitted:  # there was a drift to find
            self.assertGreater(np.ptp(slopes), 10 * PPM)

    def test_skampi_offsets_within_half_the_min_rtt(self):
        self.check_edges("skampi", fitted=False)

    def test_jk_offsets_and_drifts_within_the_fit_bounds(self):
        self.check_edges("jk", fitted=True)

    def test_hca_offsets_and_drifts_within_the_fit_bounds(self):
        self.check_edges("hca", fitted=True)
        models = models_by_node(self.runs["hca"])
        # HCA3's tree on 4 nodes: 0 -> 2, then 0 -> 1 and 2 -> 3
        self.assertEqual([int(models[c]["reference"]) for c in (1, 2, 3)], [0, 0, 2])

    def test_evaluator_error_within_half_its_min_rtt(self):
        for name, run in self.runs.items():
            with self.subTest(algorithm=name):
                e = run["evaluation"]
                self.assertEqual(sorted(e["node"][()]), [1, 1, 2, 2, 3, 3])
                self.assertEqual(sorted(set(e["at"][()])), [0.0, 0.02])
                self.assertTrue(np.all(e["samples"][()] == 50))
                err = e["offset"][()] - e["true_offset"][()]
                self.assertTrue(np.all(np.abs(err) <= e["rtt_min"][()] / 2 + SLACK),
                                "%s: errors %s, rtt_min %s" % (name, err, e["rtt_min"][()]))
                # it measured something: the evaluation follows the synchronization
                self.assertTrue(np.all(e["time"][()] >= run.attrs["duration"]))


class Hardware(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        proc, path = lab.run_clocklab(4, HARDWARE)
        cls.runs = dict((str(r.attrs["algorithm"]), r) for _, r in lab.runs(path))

    def test_mpi_wtime_origins_differ(self):
        """There is an offset to recover: MPI_Wtime - t differs by rank."""
        for name, run in self.runs.items():
            raw = run["nodes/initial_offset"][()]
            self.assertTrue(np.all(np.isfinite(raw)))
            self.assertGreater(np.ptp(raw), 1e-6, "%s: %s" % (name, raw))

    def test_evaluated_offsets_within_the_path_bounds(self):
        for name, run in self.runs.items():
            with self.subTest(algorithm=name):
                self.assertEqual(run.attrs["status"], "complete")
                models = models_by_node(run)
                e = run["evaluation"]
                for node, offset, rtt in zip(e["node"][()], e["offset"][()], e["rtt_min"][()]):
                    bound, c = rtt / 2, int(node)
                    while c != 0:
                        bound += models[c]["bound"]
                        c = int(models[c]["reference"])
                    self.assertLessEqual(abs(offset), bound + SLACK,
                                         "%s node %d: %.3g s > %.3g s" % (name, node, offset,
                                                                          bound))
                    self.assertLess(bound, np.ptp(run["nodes/initial_offset"][()]))


if __name__ == "__main__":
    unittest.main()
