"""clocklab.commands.channel: the reliable channel's cost, from a run's
messages/ and events/ (synthetic runs; the ARQ bounds of Bertsekas &
Gallager, Data Networks, section 2.4)."""
import unittest

import numpy as np

from clocklab import metrics
from clocklab.commands import channel


def run(types, sent, n=2):
    return {"name": "run000", "n": n,
            "messages": {"types": types, "sent": np.asarray(sent, dtype=np.uint64)}}


class Counts(unittest.TestCase):
    def test_the_channels_types_are_kept_apart(self):
        r = run(["MSG", "CHANNEL_RETRANSMIT", "CHANNEL_ACK"], [[10, 3, 12], [5, 1, 6]])
        self.assertEqual(channel.message_counts(r), (15, 4, 18))
        # the summary's and the studies' message count is the algorithm's
        self.assertEqual(metrics.total_messages(r), 15)

    def test_without_the_channel_only_the_algorithm_counts(self):
        r = run(["ELECTION", "OK"], [[1, 2], [3, 4]])
        self.assertEqual(channel.message_counts(r), (10, 0, 0))

    def test_arq_bounds(self):
        self.assertEqual(channel.transmissions_bounds(0), (1.0, 1.0))
        lo, hi = channel.transmissions_bounds(0.2)
        self.assertAlmostEqual(lo, 1.25)
        self.assertAlmostEqual(hi, 1.5625)


if __name__ == "__main__":
    unittest.main()
