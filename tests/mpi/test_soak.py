#!/usr/bin/env python3
"""What each algorithm guarantees under its own fault model holds in every
run: the soak's scenario (experiments/soak.ini: 16 nodes in virtual time,
delays uniform(0.5ms, 1.5ms)) with a few seeds, each property checked by
the analysis package (clocklab.commands.soak; experiments/bench/soak.sh measures
the shares over 20 seeds and outside the models too).

Fault models, from the algorithms' sources and the literature:
* cristian, berkeley, ntp give up a reading after a timeout (or take the
  next poll; a Cristian round that outlasts its period ends with the
  samples it has) and resume on recovery: under loss 0.2 and the crash and
  recovery of the server (master) and of a client, the final skew is within
  2((d_max - d_min) + drift spread * window) (Cristian 1989; Gusella &
  Zatti 1989; RFC 5905 section 8; clocklab.commands.soak.skew_bound);
* lamport, chatter, vector: the clock condition a -> b => L(a) < L(b)
  (Lamport 1978) and V(a) < V(b) <=> a -> b (Fidge 1988, Mattern 1988)
  hold for any execution, lost messages and paused nodes included;
* bully (timeouts, heartbeats; Garcia-Molina 1982) and ring (Chang-Roberts
  with ACKs that skip a crashed successor) tolerate crashes on reliable
  channels: after the coordinator and another node crash and recover, and
  when a node is down from the start and recovers, every node believes in
  the highest id;
* mutual exclusion: no two nodes are ever in the critical section at once,
  whatever is lost (a lost message only withholds a permission or the
  token); where one permission exists (the central coordinator's grant,
  the token of token_ring and suzuki_kasami), a node's crash and recovery
  can lose it, which blocks, but never double it (Ricart-Agrawala's and
  Lamport's recovered node has missed requests and may enter beside
  another: the soak measures how often);
* tom (reliable channels, no crashes in its model) blocks when a node
  crashes, but never delivers out of the one total order;
* dispatch (clients resend after `timeout`, a new or recovered coordinator
  syncs the servers and fences them, a server silent for `timeout` is taken
  as crashed): every request is served exactly once when `retries` outlast
  the outage, with the coordinator and a server crashing and recovering on
  reliable channels, and under loss 0.2 without crashes;
* hs has no timer (Hirschberg & Sinclair assume reliable channels): under
  loss 0.2 an election does not complete, which shows that the checks can
  fail.
"""
import os
import unittest

import clocklab_testlib as lab
from clocklab import read_runs
from clocklab.commands import soak

with open(os.path.join(lab.SOURCE, "experiments", "soak.ini"), encoding="utf-8") as f:
    SOAK_INI = f.read()

SEEDS = 3


def soak_runs(algorithms, loss, crash, seeds=SEEDS, extra=()):
    """Run the soak scenario for a comma list of algorithms; the run dicts."""
    sets = [f"experiment.algorithm={algorithms}", f"experiment.repeat={seeds}",
            f"network.loss={loss}", f"faults.crash={crash}", *extra]
    _, path = lab.run_clocklab(1, SOAK_INI, sets=sets)
    return read_runs(path, events=True)[1]


class SoakProperties(unittest.TestCase):
    """assert_holds: the soak's property of each run (no tests of its own)."""

    def assert_holds(self, runs, expected_runs, safety_only=False):
        self.assertEqual(len(runs), expected_runs)
        for run in runs:
            outcome = soak.check(run)
            with self.subTest(algorithm=run["attrs"]["algorithm"], seed=run["attrs"]["seed"]):
                if safety_only:
                    self.assertIsNot(outcome.safe, False, f"{outcome.failure}: {outcome.detail}")
                else:
                    self.assertTrue(outcome.holds, f"{outcome.failure}: {outcome.detail}")


class Soak(SoakProperties):
    def test_clock_syncs_converge_under_loss_and_crashes(self):
        runs = soak_runs("cristian, berkeley, ntp", 0.2, "coordinator@0.6s-1.6s, 5@1s-2s")
        self.assert_holds(runs, 3 * SEEDS)

    def test_logical_clocks_under_loss_and_crashes(self):
        runs = soak_runs("lamport, chatter, vector", 0.2, "5@0.2s-1.2s",
                         extra=["experiment.duration=1.5s"])
        self.assert_holds(runs, 3 * SEEDS)

    def test_elections_elect_the_highest_after_crashes(self):
        runs = soak_runs("bully, ring", 0, "coordinator@0.5s-1.5s, 5@1s-2s")
        self.assert_holds(runs, 2 * SEEDS)

    def test_a_node_down_from_the_start_learns_the_coordinator(self):
        """Node 5 is down from 0 s to 1 s: the others elect without it; when
        it recovers it holds an election and learns the coordinator (the ring
        once left it without one: the winner took its own returning ELECTION
        as already announced)."""
        runs = soak_runs("bully, ring", 0, "5@0s-1s")
        self.assert_holds(runs, 2 * SEEDS)

    def test_mutual_exclusion_is_never_broken_by_loss(self):
        runs = soak_runs("mutex_central, ricart_agrawala, token_ring, suzuki_kasami", 0.2, "none")
        self.assert_holds(runs, 4 * SEEDS, safety_only=True)

    def test_a_single_permission_is_never_doubled_by_crashes(self):
        runs = soak_runs("mutex_central, token_ring, suzuki_kasami", 0, "5@0.5s-1.5s")
        self.assert_holds(runs, 3 * SEEDS, safety_only=True)

    def test_tom_keeps_its_order_when_a_node_crashes(self):
        runs = soak_runs("tom", 0, "5@0.2s-1.2s")
        self.assert_holds(runs, SEEDS, safety_only=True)

    def test_dispatch_serves_every_request_once_across_crashes(self):
        runs = soak_runs("dispatch", 0, "coordinator@0.5s-1.5s, 3@1s-2s")
        self.assert_holds(runs, SEEDS)

    def test_dispatch_serves_every_request_once_under_loss(self):
        runs = soak_runs("dispatch", 0.2, "none")
        self.assert_holds(runs, SEEDS)

    def test_hs_does_not_survive_loss(self):
        runs = soak_runs("hs", 0.2, "none", seeds=1)
        outcome = soak.check(runs[0])
        self.assertFalse(outcome.holds, outcome.detail)


if __name__ == "__main__":
    unittest.main()
