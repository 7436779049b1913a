"""Injected delays are applied where they end: the sender stamps each message
with its due time (send time + a delay drawn from [network] delay, never
before the previous due time on that channel) and the receiver delivers it
no earlier than that (the network model, docs/design.md "Network and faults").
Channels stay FIFO, as TCP would keep them (Coulouris et al., section 4.2:
reliable, ordered channels). Checked from events/table alone: for every
message, its RECEIVE row's time is not before the due time its SEND row
recorded, and on every channel (sender, receiver) the receiver saw the
messages in the order they were sent, whatever the delay distribution.
"""
import unittest

import numpy as np

import clocklab_testlib as lab
from clocklab import event_kinds
from clocklab.causality import message_pairs

NODES = 4
DELAYS = ["constant(2ms)", "uniform(0, 4ms)", "exponential(1ms)", "lognormal(1ms, 0.8)",
          "values(0, 1ms, 3ms, 500us)"]


def channel_orders(table):
    """{(src, dst): (message ids in send order, message ids in receive order)}."""
    kinds = event_kinds(table)
    send = np.sort(table[table["kind"] == kinds.SEND], order=["node", "seq"])
    recv = np.sort(table[table["kind"] == kinds.RECEIVE], order=["node", "seq"])
    out = {}
    for r in send:
        out.setdefault((int(r["node"]), int(r["peer"])), ([], []))[0].append(int(r["msg"]))
    for r in recv:
        out.setdefault((int(r["peer"]), int(r["node"])), ([], []))[1].append(int(r["msg"]))
    return out


class Delivery(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.files = {}
        for delay in DELAYS:
            _, path = lab.run_clocklab(NODES, "", sets=[
                "experiment.algorithm=vector", "experiment.duration=600ms",
                "vector.interval=uniform(100us, 1ms)", "network.delay=" + delay])
            cls.files[delay] = path

    def table(self, delay):
        (_, run), = lab.runs(self.files[delay])
        return run["events/table"][()]

    def test_never_before_due(self):
        for delay in DELAYS:
            t = self.table(delay)
            recv = t[t["kind"] == event_kinds(t).RECEIVE]
            self.assertGreater(len(recv), 200, delay)
            self.assertTrue(np.all(np.isfinite(recv["due"])), delay)
            early = recv["time"] < recv["due"]
            self.assertFalse(np.any(early), "%s: %d messages delivered before their due time"
                             % (delay, int(early.sum())))

    def test_due_is_the_senders(self):
        for delay in DELAYS:
            t = self.table(delay)
            pairs = message_pairs(t)  # RECEIVE row -> its SEND row, by message id
            self.assertGreater(len(pairs), 200, delay)
            for recv, send in pairs.items():
                self.assertEqual(t["due"][send], t["due"][recv], delay)

    def test_channels_fifo(self):
        for delay in DELAYS:
            t = self.table(delay)
            send = t[t["kind"] == event_kinds(t).SEND]
            for (src, dst), (sent, received) in channel_orders(t).items():
                # what arrived is a prefix of what was sent (the rest was in
                # flight when the run ended), in the same order
                self.assertEqual(received, sent[:len(received)], "%s: %d->%d" % (delay, src, dst))
                dues = [float(send["due"][send["msg"] == m][0]) for m in sent]
                self.assertTrue(all(a <= b for a, b in zip(dues, dues[1:])),
                                "%s: due times fall on channel %d->%d" % (delay, src, dst))

    def test_delays_were_injected(self):
        # With a constant delay D, due = t_send + D where t_send lies between
        # the sender's previous row and its SEND row: due - (previous row's
        # time) >= D >= due - (SEND row's time).
        t = np.sort(self.table("constant(2ms)"), order=["node", "seq"])
        send, checked = event_kinds(t).SEND, 0
        for i in range(1, len(t)):
            r, prev = t[i], t[i - 1]
            if r["kind"] != send or prev["node"] != r["node"]:
                continue
            self.assertGreaterEqual(r["due"] - prev["time"], 2e-3 - 1e-12)
            self.assertLessEqual(r["due"] - r["time"], 2e-3 + 1e-12)
            checked += 1
        self.assertGreater(checked, 100)


if __name__ == "__main__":
    unittest.main()
