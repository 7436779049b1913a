#!/usr/bin/env python3
"""clocklab.commands.soak's properties on small run dicts built by hand: each
verdict follows from the construction (who crashed, who believes whom,
which sections overlap, which orders differ), so every check is seen to
hold and to fail."""

import os
import tempfile
import unittest

import h5py
import numpy as np

import synthetic as syn
from clocklab import schema
from clocklab.commands import soak

NAN = float("nan")

#: The ``family`` attribute clocklab writes for the algorithms used here
#: (each algorithm's struct algorithm, src/algorithms/).
FAMILY = {"bully": "election", "ring": "election", "cristian": "clock_sync",
          "ricart_agrawala": "mutual_exclusion", "dispatch": "service", "lamport": "logical_clock",
          "vector": "logical_clock", "tom": "logical_clock", "phold": "logical_clock",
          "bully+berkeley": "election+clock_sync"}


def run_dict(algorithm, n, config="", crashed=None, recovered=None, duration=1.0, **groups):
    """A run dict as clocklab.reader.read_run returns it, with ``groups``."""
    run = {"name": "run000", "file": "synthetic", "n": n,
           "attrs": {"algorithm": algorithm, "family": FAMILY[algorithm], "duration": duration,
                     "config": config, "seed": 1},
           "nodes": {"crashed_at": np.array(crashed or [NAN] * n, float),
                     "recovered_at": np.array(recovered or [NAN] * n, float)}}
    for group in ("clock", "election", "events", "mutex", "requests", "messages", "results"):
        run[group] = groups.get(group)
    return run


def election(ids, leader, **kw):
    return run_dict("bully", len(ids), election={"ids": np.array(ids), "leader": np.array(leader)},
                    **kw)


class Elections(unittest.TestCase):
    # ids [0, 3, 1, 2]: node 1 holds the highest id, node 3 the next.
    IDS = [0, 3, 1, 2]

    def test_election_holds_on_the_highest_alive_id(self):
        self.assertTrue(soak.check(election(self.IDS, [1, 1, 1, 1])).holds)
        # node 1 crashed for good: node 3 is the highest alive
        crashed = [NAN, 0.5, NAN, NAN]
        self.assertTrue(soak.check(election(self.IDS, [3, 1, 3, 3], crashed=crashed)).holds)
        # node 1 crashed and recovered: it counts again
        out = soak.check(election(self.IDS, [3, 3, 3, 3], crashed=crashed,
                                  recovered=[NAN, 0.8, NAN, NAN]))
        self.assertEqual(out.failure, "all on a lower id")

    def test_election_failures_are_named(self):
        crashed = [NAN, 0.5, NAN, NAN]
        self.assertEqual(soak.check(election(self.IDS, [1, 1, 1, 1], crashed=crashed)).failure,
                         "all on a crashed node")
        self.assertEqual(soak.check(election(self.IDS, [3, 3, -1, 3])).failure,
                         "no leader somewhere")
        self.assertEqual(soak.check(election(self.IDS, [1, 1, 3, 1])).failure,
                         "split")


SECTION_DTYPE = np.dtype([(name, "<i4" if name == "node" else "<u8" if name in ("seq", "stamp")
                           else "<f8") for name in schema.FIELDS["mutex/sections"]])


def mutex(rows, entries=1, **kw):
    """rows: (node, requested, entered, exited)."""
    table = np.zeros(len(rows), SECTION_DTYPE)
    for k, (node, requested, entered, exited) in enumerate(rows):
        table[k]["node"], table[k]["requested"] = node, requested
        table[k]["entered"], table[k]["exited"] = entered, exited
    return run_dict("ricart_agrawala", 2, config=f"[ricart_agrawala]\nentries = {entries}\n",
                    mutex={"sections": table}, **kw)


class MutualExclusion(unittest.TestCase):
    def test_back_to_back_sections_hold(self):
        out = soak.check(mutex([(0, 0.0, 0.1, 0.2), (1, 0.0, 0.2, 0.3)]))
        self.assertTrue(out.holds, out)

    def test_overlap_is_a_safety_failure(self):
        out = soak.check(mutex([(0, 0.0, 0.1, 0.2), (1, 0.0, 0.15, 0.3)]))
        self.assertFalse(out.holds)
        self.assertIs(out.safe, False)
        self.assertEqual(soak.mutex_overlaps(mutex([(0, 0, 0.1, 0.5), (1, 0, 0.2, 0.3),
                                                    (0, 0, 0.35, 0.4)])), 2)

    def test_a_section_ends_at_the_crash(self):
        # node 0 crashes inside at 0.12 (no exit recorded) and recovers at 0.5
        rows = [(0, 0.0, 0.1, NAN), (1, 0.0, 0.13, 0.2)]
        out = soak.check(mutex(rows, crashed=[0.12, NAN], recovered=[0.5, NAN]))
        self.assertIs(out.safe, True)
        self.assertFalse(out.holds)  # node 0 never completed its entry
        # without the crash node 0 is inside to the end: node 1 overlaps
        self.assertIs(soak.check(mutex(rows)).safe, False)


def tom(deliveries, tickets=1):
    """deliveries: per node, the (timestamp, sender) it delivered, in order."""
    rows = []
    for node, seq in enumerate(deliveries):
        for k, (ts, sender) in enumerate(seq):
            rows.append((node, k, schema.EVENT_KINDS["DELIVER"], sender, 0, 0, ts, 0.0, 0.0))
    table = np.array(rows, dtype=syn.event_dtype())
    return run_dict("tom", len(deliveries), config=f"[tom]\ntickets = {tickets}\n",
                    events={"table": table})


class TotalOrder(unittest.TestCase):
    def test_same_delivery_order_everywhere_holds(self):
        out = soak.check(tom([[(1, 0), (2, 1)], [(1, 0), (2, 1)]]))
        self.assertTrue(out.holds, out)

    def test_differing_or_unsorted_orders_are_unsafe(self):
        out = soak.check(tom([[(1, 0), (2, 1)], [(2, 1), (1, 0)]]))
        self.assertIs(out.safe, False)
        # one sequence, but not in (timestamp, sender) order
        self.assertIs(soak.check(tom([[(2, 1), (1, 0)], [(2, 1), (1, 0)]])).safe, False)

    def test_blocked_prefix_is_safe(self):
        out = soak.check(tom([[(1, 0), (2, 1)], [(1, 0)]]))
        self.assertFalse(out.holds)
        self.assertIs(out.safe, True)


class Dispatch(unittest.TestCase):
    def requests(self, served, status):
        kind = h5py.enum_dtype(schema.REQUEST_STATUS, basetype="i4")
        table = np.zeros(len(served), np.dtype([("id", "<u8"), ("status", kind),
                                                ("served", "<i4")]))
        table["served"] = served
        table["status"] = [schema.REQUEST_STATUS[s] for s in status]
        return run_dict("dispatch", 3, requests={"table": table})

    def test_served_once_holds_unserved_fails_twice_unsafe(self):
        self.assertTrue(soak.check(self.requests([1, 1], ["SERVED", "SERVED"])).holds)
        out = soak.check(self.requests([1, 0], ["SERVED", "TIMEOUT"]))
        self.assertEqual((out.holds, out.safe), (False, True))
        out = soak.check(self.requests([2, 1], ["SERVED", "SERVED"]))
        self.assertEqual((out.holds, out.safe), (False, False))


class ClockBound(unittest.TestCase):
    def test_bound_from_the_configuration(self):
        config = ("[network]\ndelay = uniform(0.5ms, 1.5ms)\n[clock]\ndrift = uniform(-50, 50)\n"
                  "[cristian]\nperiod = 100ms\n")
        run = run_dict("cristian", 2, config=config)
        # 2 * ((1.5 - 0.5) ms + 100 ppm * 0.1 s) = 2 * (1 ms + 10 us)
        self.assertAlmostEqual(soak.skew_bound(run), 2.02e-3, places=12)


class ByFamily(unittest.TestCase):
    """The property comes from the run's family attribute, not a list of
    algorithm names; a stack or a logical clock without a property is refused."""

    def test_an_election_of_any_name_gets_the_election_property(self):
        run = election([1, 2], [1, 1])
        run["attrs"]["algorithm"] = "some_new_election"
        self.assertTrue(soak.check(run).holds)

    def test_stacks_and_unknown_logical_clocks_are_refused(self):
        for algorithm in ("bully+berkeley", "phold"):
            with self.assertRaises(soak.ClocklabError):
                soak.check(run_dict(algorithm, 2))


class Table(unittest.TestCase):
    def test_cells_count_the_failures(self):
        rows = [{"algorithm": "ring", "family": "election", "loss": 0.2, "crash": False,
                 "reliable": False, "holds": h, "failure": f}
                for h, f in ((True, ""), (False, "split"), (False, "split"),
                             (False, "no leader somewhere"))]
        self.assertEqual(soak.cell(rows), "1/4: 2 split, 1 no leader somewhere")
        text = soak.table(rows, {("tom", (0.2, False, False)): "clocklab: error: x"})
        self.assertIn("| 1/4: 2 split, 1 no leader somewhere |", text)
        self.assertIn("| tom | reliable FIFO channels, no crashes | refused |", text)

    def test_rows_in_family_order(self):
        rows = [{"algorithm": a, "family": f, "loss": 0.0, "crash": False, "reliable": False,
                 "holds": True, "failure": ""} for a, f in (("dispatch", "service"), ("ring", "election"),
                                             ("cristian", "clock_sync"), ("bully", "election"))]
        text = soak.table(rows, {("jk", (0.0, False, False)): "refused: needs loss = 0"})
        order = [line.split("|")[1].strip() for line in text.splitlines()[2:]]
        self.assertTrue(all(line.split("|")[2].strip() not in ("", "?")
                            for line in text.splitlines()[2:]))
        self.assertEqual(order, ["bully", "ring", "cristian", "dispatch", "jk"])

    def test_reliable_channels_are_columns_of_their_own(self):
        rows = [{"algorithm": "bully", "family": "election", "loss": 0.05, "crash": False,
                 "reliable": r, "holds": r, "failure": "" if r else "split"}
                for r in (False, True)]
        header = soak.table(rows).splitlines()[0]
        self.assertEqual(header, "| algorithm | fault model | loss 0.05 | reliable, loss 0.05 |")
        self.assertIn("| 0/1: 1 split | 1/1 |", soak.table(rows))

    def test_refusals_read_with_and_without_the_reliable_field(self):
        with tempfile.NamedTemporaryFile("w", suffix=".tsv", delete=False) as f:
            f.write("tom\t0.2\tnone\tclocklab: error: a\n"
                    "jk\t0.2\t5@1s\ton\tclocklab: error: b\n")
        try:
            refused = soak.read_refused(f.name)
        finally:
            os.unlink(f.name)
        self.assertEqual(refused, {("tom", (0.2, False, False)): "clocklab: error: a",
                                   ("jk", (0.2, True, True)): "clocklab: error: b"})


if __name__ == "__main__":
    unittest.main()
