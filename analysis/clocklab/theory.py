"""Closed forms from the literature, as functions of the node count n.

``clocklab sweep --theory NAME`` draws one of these against the measured
points. Each entry: the function, a short label for legends and tables,
what it counts and its source.

- ``bully``: Bully's worst case (ids by rank, the highest crashed, the
  lowest detects; every live node holds one election): n(n-1)/2 ELECTION
  + (n-1)(n-2)/2 OK + (n-2) COORDINATOR messages (H. Garcia-Molina,
  "Elections in a distributed computing system", IEEE Trans. Computers
  C-31(1), 1982).
- ``lcr``: LCR (Chang-Roberts with every node initiating) with ids
  decreasing along the ring: n(n+1)/2 ELECTION messages, the worst case
  (N. Lynch, Distributed Algorithms, 1996, 3.3).
- ``chang_roberts``: the mean number of ELECTION messages of Chang-Roberts
  with every node initiating, over all orders of the ids: n H_n, H_n the
  n-th harmonic number (E. Chang, R. Roberts, CACM 22(5), 1979).
- ``hs_bound``: Hirschberg-Sinclair sends at most 8n(1 + ceil(log2 n))
  messages (D. Hirschberg, J. Sinclair, CACM 23(11), 1980; Lynch 3.4).
- ``mutex_central``, ``ricart_agrawala``, ``lamport_mutex``,
  ``suzuki_kasami``, ``token_ring``: messages per entry into the critical
  section: 3, 2(n-1), 3(n-1), n (without the token in hand), 1 (under
  saturation) (G. Coulouris et al., Distributed Systems, 5th ed., 15.2;
  G. Ricart, A. Agrawala, CACM 24(1), 1981; L. Lamport, CACM 21(7), 1978;
  I. Suzuki, T. Kasami, ACM TOCS 3(4), 1985).
- ``tom``: totally ordered multicast with acknowledgements: n-1 MULTICAST
  copies and (n-1)^2 ACKs (every receiver acknowledges to every other
  node), n(n-1) messages per multicast (Lamport 1978; Coulouris et al.).
"""

import math


def harmonic(n):
    """H_n = 1 + 1/2 + ... + 1/n."""
    return sum(1.0 / k for k in range(1, int(n) + 1))


#: name -> (function of n, label, what it counts)
CLOSED_FORMS = {
    "bully": (lambda n: n * (n - 1) / 2 + (n - 1) * (n - 2) / 2 + (n - 2),
              "n(n-1)/2 + (n-1)(n-2)/2 + n-2", "Bully, worst case: ELECTION + OK + COORDINATOR"),
    "lcr": (lambda n: n * (n + 1) / 2, "n(n+1)/2", "LCR, ids decreasing: ELECTION"),
    "chang_roberts": (lambda n: n * harmonic(n), "n·H_n",
                      "Chang-Roberts, all initiate, mean over id orders: ELECTION"),
    "hs_bound": (lambda n: 8 * n * (1 + math.ceil(math.log2(n))), "8n(1+⌈log2 n⌉)",
                 "Hirschberg-Sinclair: bound on all messages"),
    "mutex_central": (lambda n: 3.0, "3", "central server: messages per entry"),
    "ricart_agrawala": (lambda n: 2.0 * (n - 1), "2(n-1)", "Ricart-Agrawala: messages per entry"),
    "lamport_mutex": (lambda n: 3.0 * (n - 1), "3(n-1)", "Lamport: messages per entry"),
    "suzuki_kasami": (lambda n: float(n), "n",
                      "Suzuki-Kasami: messages per entry without the token"),
    "token_ring": (lambda n: 1.0, "1", "token ring, saturated: messages per entry"),
    "tom": (lambda n: float(n * (n - 1)), "n(n-1)", "totally ordered multicast: per multicast"),
}


def closed_form(name):
    """(function, label, what) of a closed form; KeyError names the known ones."""
    if name not in CLOSED_FORMS:
        raise KeyError(f"unknown closed form {name!r} (known: {', '.join(CLOSED_FORMS)})")
    return CLOSED_FORMS[name]
