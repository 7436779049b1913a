"""Shared pieces of the oracle tests (test_cristian, test_berkeley, test_bully,
test_default): reading clock rounds, message counters and election results
from a clocklab/1 file, and the error bounds from the literature.

Bounds used here (all times in seconds, drift in ppm):

* Cristian 1989: a client that reads the server's clock T at the server and
  sets its own clock to T + RTT/2 when the reply arrives is off by at most
  RTT/2 - d_min, where d_min is the minimum one-way delay, because the
  reading was taken between d_min after the request left and d_min before
  the reply arrived.
* Berkeley (Gusella & Zatti 1989): the master estimates node i's offset from
  its own with the same Cristian bound, |e_i| <= RTT_i/2 - d_min (e = 0 for
  the master itself). After the adjustments every node sits at the master's
  average minus its own estimation error, so two nodes differ by at most
  |e_i| + |e_j|, plus what their drifts add afterwards.
"""
import numpy as np

from clocklab_testlib import server_offset, type_names  # noqa: F401 (used by the tests)

PPM = 1e-6


def labels(run):
    """nodes/label as a list of str."""
    return [x.decode() if isinstance(x, bytes) else str(x) for x in run["nodes/label"][()]]


def counters(run):
    """Per message type: dict name -> (sent, received, dropped), summed over nodes."""
    names = type_names(run)
    sent = run["messages/sent"][()].sum(axis=0)
    received = run["messages/received"][()].sum(axis=0)
    dropped = run["messages/dropped"][()].sum(axis=0)
    return {n: (int(sent[i]), int(received[i]), int(dropped[i])) for i, n in enumerate(names)}


def assert_conserved(test, run, exact):
    """Every message sent is received, dropped, or (runs with a fixed
    duration only) still in flight when the run ends: received + dropped <=
    sent per type, with equality when `exact` (runs that end when every node
    is done and all messages have been delivered)."""
    for name, (sent, received, dropped) in counters(run).items():
        test.assertLessEqual(received + dropped, sent,
                             "%s: received %d + dropped %d > sent %d" %
                             (name, received, dropped, sent))
        if exact:
            test.assertEqual(received + dropped, sent,
                             "%s: received %d + dropped %d != sent %d" %
                             (name, received, dropped, sent))


def alive_at_end(run):
    """Node indices that did not crash (or recovered) by the end of the run."""
    crashed = run["nodes/crashed_at"][()]
    recovered = run["nodes/recovered_at"][()]
    return [i for i in range(len(crashed))
            if np.isnan(crashed[i]) or not np.isnan(recovered[i])]
