#!/usr/bin/env python3
"""The exploring engine ([experiment] time = explore): every combination of
message delays, losses and orders at one instant, each execution checked
against its family's safety property. Oracles:

* exact counts from combinatorics: m messages, each with D possible delays
  and nothing else to choose, give D^m executions; k requests reaching one
  node at one instant give k! orders, and without the reduction the k
  timers that sent them, at k nodes at one instant, k! more: (k!)^2;
* what the literature promises: Ricart-Agrawala (1981) never lets two
  nodes into the critical section, in every execution of the space;
* what it does not promise: Bully (Garcia-Molina 1982) assumes messages
  arrive within its timeout, so under loss two alive nodes can each take
  themselves for coordinator; the shortest such execution is found, and
  its schedule replays it. Lamport's mutual exclusion (1978) assumes no
  crashes: a node that recovers has missed the others' requests and
  releases, and enters beside another (the soak saw it in 1 run of 20).
"""
import unittest

import h5py

import clocklab_testlib as lab

EXPLORE = ["experiment.time=explore", "experiment.duration=0"]


def explore(*sets):
    """Run the exploring engine on one rank; (stderr, the run's attributes, file path)."""
    proc, path = lab.run_clocklab(1, sets=EXPLORE + list(sets))
    with h5py.File(path, "r") as f:
        attrs = {k: (v.decode() if isinstance(v, bytes) else v)
                 for k, v in f["runs/run000"].attrs.items()}
    return proc.stderr, attrs, path


def mutex_central(reduction):
    # 3 clients ask at 1 ms; their REQUESTs reach the coordinator together
    return explore("experiment.nodes=4", "experiment.algorithm=mutex_central",
                   "mutex_central.entries=1", "mutex_central.interval=constant(1ms)",
                   "network.delay=constant(1ms)", f"explore.reduction={reduction}")


class Counts(unittest.TestCase):
    def test_delays_of_independent_messages_multiply(self):
        # chatter, one message per node at a random instant to a random node
        for delays, expected in (("1ms, 2ms", 2 ** 3), ("1ms, 2ms, 3ms", 3 ** 3)):
            with self.subTest(delays=delays):
                _, a, _ = explore("experiment.nodes=3", "experiment.algorithm=chatter",
                                  "chatter.rounds=1", f"explore.delays={delays}")
                self.assertEqual(a["explore_exhausted"], 1)
                self.assertEqual(a["explore_distinct"], expected)

    def test_simultaneous_arrivals_are_ordered_every_way(self):
        _, a, _ = mutex_central("on")
        self.assertEqual(a["explore_exhausted"], 1)
        self.assertEqual(a["explore_distinct"], 6)  # 3!

    def test_without_the_reduction_independent_orders_count_too(self):
        _, a, _ = mutex_central("off")
        self.assertEqual(a["explore_exhausted"], 1)
        self.assertEqual(a["explore_distinct"], 36)  # (3!)^2


class Properties(unittest.TestCase):
    def test_ricart_agrawala_is_safe_in_every_execution(self):
        # 12 messages, 2 delays each, and the orders at one instant
        _, a, path = explore("experiment.nodes=3", "experiment.algorithm=ricart_agrawala",
                             "ricart_agrawala.entries=1", "explore.delays=1ms, 3ms")
        self.assertEqual(a["explore_exhausted"], 1)
        self.assertGreaterEqual(a["explore_distinct"], 2 ** 12)
        self.assertEqual(a["explore_violations"], 0)
        self.assertEqual(a["explore_liveness_failures"], 0)
        self.assertEqual(a["explore_violation"], "")

    def test_tom_and_dispatch_keep_their_properties_in_every_execution(self):
        # tom: 2 nodes, 2 tickets each, delays 1 or 2 ms: one delivery order
        # (Lamport 1978); dispatch: 1 request per client, every message lost
        # or not, no request served twice (its clients resend after a timeout)
        for sets in (["experiment.nodes=2", "experiment.algorithm=tom", "tom.tickets=2",
                      "network.delay=constant(1ms)", "explore.delays=1ms, 2ms"],
                     ["experiment.nodes=4", "experiment.algorithm=dispatch",
                      "dispatch.requests=1", "network.delay=constant(1ms)", "network.loss=0.3",
                      "dispatch.timeout=10ms", "dispatch.retries=3"]):
            with self.subTest(algorithm=sets[1]):
                _, a, _ = explore(*sets)
                self.assertEqual(a["explore_exhausted"], 1)
                self.assertGreater(a["explore_distinct"], 100)
                self.assertEqual(a["explore_violations"], 0)

    def test_bully_under_loss_elects_two_and_the_schedule_replays_it(self):
        sets = ["experiment.nodes=3", "experiment.algorithm=bully", "network.loss=0.1",
                "network.delay=constant(1ms)", "election.initiators=all"]
        _, a, path = explore(*sets)
        self.assertGreater(a["explore_violations"], 0)
        self.assertIn("election:", a["explore_violation"])
        schedule = a["explore_schedule"]
        with h5py.File(path, "r") as f:
            run = f["runs/run000"]
            self.assertIn("events", run)  # the recorded execution is traced
            leaders = set(run["election/leader"][()].tolist()) - {-1}
        self.assertGreater(len(leaders), 1)
        # the schedule alone gives the same execution
        _, b, _ = explore(*sets, f"explore.schedule={schedule}")
        self.assertEqual(b["explore_executions"], 1)
        self.assertEqual(b["explore_violation"], a["explore_violation"])
        self.assertEqual(b["explore_schedule"], schedule)


    def test_lamport_mutex_after_a_recovery_lets_two_in(self):
        _, a, path = explore("experiment.nodes=3", "experiment.algorithm=lamport_mutex",
                             "lamport_mutex.entries=2", "lamport_mutex.interval=constant(1ms)",
                             "lamport_mutex.hold=constant(2ms)", "network.delay=constant(1ms)",
                             "explore.delays=1ms, 4ms", "faults.crash=1@2ms-30ms",
                             "experiment.timeout=1s", "explore.shortest=off",
                             "explore.max_executions=1000")
        self.assertGreater(a["explore_violations"], 0)
        self.assertIn("mutual exclusion: nodes", a["explore_violation"])
        with h5py.File(path, "r") as f:
            s = f["runs/run000/mutex/sections"][()]
        # the recorded execution stops at the violation: two sections open
        entered, exited = s["entered"], s["exited"]
        self.assertGreaterEqual(int(((entered == entered) & (exited != exited)).sum()), 2, s)


class Refused(unittest.TestCase):
    def refused(self, ranks, sets, key):
        base = ["experiment.algorithm=chatter", "chatter.rounds=1"]
        if not any(s.startswith("network.delay=") for s in sets):
            base.append("network.delay=constant(1ms)")
        proc, written = lab.refusal(ranks, EXPLORE + base + sets)
        self.assertNotEqual(proc.returncode, 0, proc.stderr)
        self.assertIn(key, proc.stderr)
        self.assertFalse(written)

    def test_what_it_cannot_explore_is_refused(self):
        self.refused(2, [], "[experiment] time")
        self.refused(1, ["network.delay=exponential(1ms)"], "[explore] delays")
        self.refused(1, ["explore.delays=1ms, 0"], "[explore] delays")
        self.refused(1, ["network.delay=constant(0)"], "[network] delay")
        self.refused(1, ["explore.schedule=1,,2"], "[explore] schedule")
        self.refused(1, ["network.reliable=on"], "[network] reliable")


if __name__ == "__main__":
    unittest.main()
