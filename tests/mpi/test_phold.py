"""PHOLD (Fujimoto 1990) in virtual time: N nodes, `population` P events each,
every event hopping to a random other node after [network] min_delay L plus
a draw of [network] delay.

Oracles (messages/sent and messages/received, per node and type):
* constant delay d: every hop takes exactly D = L + d, so by a duration T
  that is not a multiple of D each event has been delivered floor(T/D) times
  and sent once more: received = N*P*floor(T/D), sent = N*P*(floor(T/D) + 1);
* a node sends P messages at the start and one per message it receives:
  sent[i] = P + received[i] for every node i (any delay);
* the population stays N*P: sent - received = N*P at the end;
* exponential increments of mean m: each event is a renewal process of
  intervals L + Exp(m), mean mu = L + m, variance m^2, so the count by T has
  mean T/mu + (m^2 - mu^2)/(2 mu^2) + o(1) per event (Cox, Renewal Theory,
  1962, 4.5) and variance about T m^2/mu^3 <= T/mu, that of a Poisson count;
  the total is within 5 Poisson standard deviations of N*P times that mean.
  clocklab's channels are FIFO (a message is never due before the previous
  one on its channel), which lengthens a hop when two events share a
  channel; with N = 1000 and P = 1 that happens for about P/N of the hops
  and moves the count by much less than its standard deviation (at N = 100,
  P = 2 it lowered the count by 0.2-0.3%, about 5 standard deviations);
* hops = k with duration 0: N*P*k messages, all received, the run complete;
* the same datasets on 1 and 3 ranks (clocklab compare).
"""
import math
import unittest

import clocklab_testlib as lab
from clocklab.commands import compare

PHOLD = """
[experiment]
algorithm = phold
time = virtual
nodes = {nodes}
duration = {duration}
timeout = 1000s
seed = {seed}

[network]
min_delay = {lookahead}
delay = {delay}

[phold]
population = {population}
hops = {hops}
"""


def phold(nodes, population, lookahead, delay, duration, hops=0, seed=42, ranks=1):
    text = PHOLD.format(nodes=nodes, population=population, lookahead=lookahead, delay=delay,
                        duration=duration, hops=hops, seed=seed)
    _, path = lab.run_clocklab(ranks, text)
    (_, run), = lab.runs(path)
    return run, path


def totals(run):
    sent = run["messages/sent"][()].sum(axis=1)
    received = run["messages/received"][()].sum(axis=1)
    return sent, received


class PholdTest(unittest.TestCase):
    def check_population(self, run, nodes, population):
        self.assertEqual(run.attrs["status"], "complete")
        self.assertEqual(lab.type_names(run), ["EVENT"])
        sent, received = totals(run)
        self.assertEqual(len(sent), nodes)
        self.assertEqual(int(sent.sum() - received.sum()), nodes * population)
        self.assertEqual(list(sent), list(received + population))
        self.assertEqual(int(run["messages/dropped"][()].sum()), 0)
        return int(sent.sum()), int(received.sum())

    def test_constant_delay_counts_match_the_closed_form(self):
        # D = L + d; T = (k + 1/2) D keeps every delivery off the run's end.
        for nodes, population, lookahead, d, k, ranks in [(10, 1, 0.06, 0.04, 10, 1),
                                                          (37, 3, 0.001, 0.0005, 200, 1),
                                                          (64, 5, 0.002, 0.0, 50, 2)]:
            step = lookahead + d
            duration = (k + 0.5) * step
            with self.subTest(nodes=nodes, population=population, step=step, ranks=ranks):
                run, _ = phold(nodes, population, "%.17gs" % lookahead, "constant(%.17gs)" % d,
                               "%.17gs" % duration, ranks=ranks)
                sent, received = self.check_population(run, nodes, population)
                self.assertEqual(math.floor(duration / step), k)
                self.assertEqual(received, nodes * population * k)
                self.assertEqual(sent, nodes * population * (k + 1))
                self.assertEqual(int(run.attrs["events_processed"]), received)

    def test_exponential_delay_hop_rate_matches_theory(self):
        nodes, population, lookahead, mean, duration = 1000, 1, 1e-3, 1e-3, 2.0
        run, _ = phold(nodes, population, "1ms", "exponential(1ms)", "2s", seed=5)
        _, received = self.check_population(run, nodes, population)
        mu = lookahead + mean
        per_event = duration / mu + (mean ** 2 - mu ** 2) / (2 * mu ** 2)
        expected = nodes * population * per_event
        sd = math.sqrt(nodes * population * duration / mu)
        self.assertLess(abs(received - expected), 5 * sd,
                        "received %d, expected %.0f +- %.0f" % (received, expected, sd))
        # the rate is the hop rate, not the rate of a zero-lookahead PHOLD
        self.assertGreater(abs(received - nodes * population * duration / mean), 50 * sd)

    def test_hops_end_the_run(self):
        for nodes, population, hops, ranks in [(12, 2, 7, 1), (30, 1, 40, 3)]:
            with self.subTest(nodes=nodes, population=population, hops=hops, ranks=ranks):
                run, _ = phold(nodes, population, "100us", "exponential(2ms)", "0", hops=hops,
                               ranks=ranks)
                self.assertEqual(run.attrs["status"], "complete")
                sent, received = totals(run)
                self.assertEqual(int(sent.sum()), nodes * population * hops)
                self.assertEqual(int(received.sum()), nodes * population * hops)

    def test_same_datasets_on_one_and_three_ranks(self):
        args = (50, 3, "200us", "exponential(1ms)", "0.5s")
        run, one = phold(*args, seed=11)
        self.check_population(run, 50, 3)
        _, three = phold(*args, seed=11, ranks=3)
        self.assertEqual(compare.compare(one, three), [])
        _, other = phold(*args, seed=12)
        self.assertNotEqual(compare.compare(one, other), [])

    def test_endless_or_zero_delay_runs_are_refused(self):
        for sets, key in [(["experiment.duration=0"], "[experiment] duration"),
                          (["experiment.duration=1s"], "[network] delay")]:
            with self.subTest(sets=sets):
                proc, path = lab.run_clocklab(
                    1, None, sets=["experiment.algorithm=phold", "experiment.time=virtual",
                                   "experiment.nodes=4"] + sets, check=False)
                self.assertEqual(proc.returncode, 2, proc.stderr)
                self.assertIn(key, proc.stderr)


if __name__ == "__main__":
    unittest.main()
