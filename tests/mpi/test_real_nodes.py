"""Real time with many nodes per rank ([experiment] nodes with time = real):
the nodes are spread over the ranks in blocks, each rank runs its nodes in
one event loop paced by the wall clock, messages between nodes of one rank
stay in its queue and those between ranks go over MPI (docs/design.md,
"Real time"). The network model holds whatever the placement: no message is
delivered before its due time, and every channel is FIFO, within a rank and
across ranks (Coulouris et al., section 4.2: reliable, ordered channels).
Node counts that do not divide by the rank count work. The default scenario
at 64 nodes on 2 ranks elects the highest alive id after the coordinator's
crash (Garcia-Molina 1982) and Berkeley keeps the survivors within 2 ms
(readings with RTTs of about 2 ms err by about 1 ms each: Gusella & Zatti
1989). The file has the same datasets, shapes and types on any rank count.
"""
import os
import unittest

import h5py
import numpy as np

import clocklab_testlib as lab
import test_default
from clocklab import event_kinds
from test_delivery import channel_orders

# (ranks, nodes): 7 nodes on 2 ranks (blocks of 3 and 4), 10 on 3
PLACEMENTS = [(2, 7), (3, 10)]
DELAYS = ["constant(2ms)", "uniform(0, 4ms)", "exponential(1ms)", "values(0, 1ms, 3ms, 500us)"]


def blocks(ranks, nodes):
    """The rank of every node: blocks in rank order, as the runtime places them."""
    first = [r * nodes // ranks for r in range(ranks + 1)]
    return {n: r for r in range(ranks) for n in range(first[r], first[r + 1])}


class ManyNodesDelivery(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.files = {}
        for ranks, nodes in PLACEMENTS:
            for delay in DELAYS:
                _, path = lab.run_clocklab(ranks, "", sets=[
                    "experiment.nodes=%d" % nodes, "experiment.algorithm=vector",
                    "experiment.duration=500ms", "vector.interval=uniform(100us, 1ms)",
                    "network.delay=" + delay])
                cls.files[ranks, nodes, delay] = path

    def tables(self):
        for (ranks, nodes, delay), path in self.files.items():
            (_, run), = lab.runs(path)
            self.assertEqual(int(run.attrs["nodes"]), nodes)
            yield (ranks, nodes, delay), run["events/table"][()]

    def test_never_before_due(self):
        for key, t in self.tables():
            recv = t[t["kind"] == event_kinds(t).RECEIVE]
            self.assertGreater(len(recv), 300, key)
            self.assertTrue(np.all(np.isfinite(recv["due"])), key)
            early = recv["time"] < recv["due"]
            self.assertFalse(np.any(early), "%s: %d messages delivered before their due time"
                             % (key, int(early.sum())))

    def test_channels_fifo_within_and_across_ranks(self):
        for (ranks, nodes, delay), t in self.tables():
            rank = blocks(ranks, nodes)
            kinds = {"within": 0, "across": 0}
            for (src, dst), (sent, received) in channel_orders(t).items():
                self.assertEqual(received, sent[:len(received)],
                                 "%s: %d->%d" % ((ranks, nodes, delay), src, dst))
                kinds["within" if rank[src] == rank[dst] else "across"] += len(received)
            # both kinds of channel carried messages
            self.assertGreater(kinds["within"], 50, (ranks, nodes, delay))
            self.assertGreater(kinds["across"], 50, (ranks, nodes, delay))

    def test_every_node_ran(self):
        for (ranks, nodes, delay), t in self.tables():
            send = t[t["kind"] == event_kinds(t).SEND]
            self.assertEqual(sorted(set(send["node"].tolist())), list(range(nodes)))


class DefaultScenarioAt64On2(test_default.DefaultScenarioAt16):
    N = 64
    RANKS = 2
    SETS = ["experiment.nodes=64"]

    def test_lateness_recorded_for_each_of_64_nodes(self):
        fid = self.run_["fidelity"]
        self.assertEqual(fid["delivery_p99"].shape, (64,))
        self.assertTrue(np.all(fid["deliveries"][()] > 0))
        for kind in ["delivery", "timer"]:
            p50, p99, mx = (fid["%s_%s" % (kind, q)][()] for q in ("p50", "p99", "max"))
            self.assertTrue(np.all((0 <= p50) & (p50 <= p99) & (p99 <= mx)), kind)


def datasets(path):
    """{dataset name under the run: (shape, dtype)}."""
    out = {}
    with h5py.File(path, "r") as f:
        run = f["runs/run000"]
        run.visititems(lambda name, obj: out.__setitem__(name, (obj.shape, obj.dtype))
                       if isinstance(obj, h5py.Dataset) else None)
    return out


class SameShapeOnAnyRankCount(unittest.TestCase):
    def test_same_datasets_and_shapes_on_two_and_four_ranks(self):
        # long enough for the default scenario's crash at 1 s (a crash after the end is refused)
        sets = ["experiment.nodes=8", "experiment.trace=on", "experiment.duration=1200ms"]
        shapes = {}
        for ranks in (2, 4):
            _, path = lab.run_clocklab(ranks, lab.default_scenario(), sets=sets)
            shapes[ranks] = datasets(path)
        self.assertEqual(sorted(shapes[2]), sorted(shapes[4]))
        # the schema's per-node datasets (docs/schema.md) have one
        # row per node whatever the placement; the others (samples, events,
        # rounds) have as many rows as the run produced
        per_node = [name for name in shapes[2]
                    if name.split("/")[0] in ("nodes", "fidelity", "results", "messages")
                    and name != "messages/types"
                    or name in ("election/ids", "election/leader", "election/decided_at")]
        self.assertGreater(len(per_node), 15)
        for name, (shape, dtype) in shapes[2].items():
            self.assertEqual(dtype, shapes[4][name][1], name)
            if name in per_node:
                self.assertEqual(shape[0], 8, name)
                self.assertEqual(shape, shapes[4][name][0], name)
        self.assertEqual(shapes[2]["clock/offset"][0][1], 8)
        self.assertEqual(shapes[4]["clock/offset"][0][1], 8)


class MoreRanksThanCpus(unittest.TestCase):
    def test_rank_0_warns_once(self):
        # with more ranks than CPUs the OS decides when each rank runs: one
        # line says so, naming what to run instead
        ranks = (os.cpu_count() or 1) + 1
        proc, _ = lab.run_clocklab(ranks, "", sets=["experiment.algorithm=berkeley",
                                                    "experiment.duration=300ms",
                                                    "experiment.repeat=2"])
        lines = [l for l in proc.stderr.splitlines() if "ranks share this host's" in l]
        self.assertEqual(len(lines), 1, proc.stderr)
        self.assertIn("experiment.nodes=%d" % ranks, lines[0])
        self.assertIn("experiment.time=virtual", lines[0])

    def test_no_warning_within_the_cpus(self):
        proc, _ = lab.run_clocklab(1, "", sets=["experiment.nodes=4",
                                                "experiment.algorithm=berkeley",
                                                "experiment.duration=300ms"])
        self.assertNotIn("ranks share this host's", proc.stderr)


class RefusedPlacements(unittest.TestCase):
    def test_hardware_clocks_need_a_rank_per_node(self):
        proc, _ = lab.run_clocklab(2, "", sets=["experiment.nodes=4", "clock.source=hardware",
                                                "clock.offset=constant(0)"], check=False)
        self.assertEqual(proc.returncode, 2)
        self.assertIn("[experiment] nodes: 4 nodes on 2 ranks: hardware clocks", proc.stderr)


if __name__ == "__main__":
    unittest.main()
