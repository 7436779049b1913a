/* The random streams of a run: each node draws each kind of randomness from
 * its own stream, so that a node's draws do not depend on which rank hosts
 * it, on the engine, or on what the other nodes draw. A stream is GSL's
 * taus2 (P. L'Ecuyer, "Maximally equidistributed combined Tausworthe
 * generators", Math. Comp. 65, 1996) seeded with stream_seed(run seed,
 * node, stream). The numbers are part of every run's identity: changing
 * one changes every result drawn from it. No MPI. */
#ifndef CLOCKLAB_STREAMS_H
#define CLOCKLAB_STREAMS_H

enum stream {
    STREAM_OFFSET = 1,    /* the node's initial clock offset ([clock] offset) */
    STREAM_DRIFT = 2,     /* its drift ([clock] drift) */
    STREAM_ALGORITHM = 3, /* the algorithm's own draws (node_rng) */
    STREAM_NETWORK = 4,   /* the delay and loss of the node's sends ([network]) */
    STREAM_JITTER = 5,    /* the read jitter of a hardware clock ([clock] jitter) */
};

/* An independent seed for (run seed, node 0..N-1, stream): splitmix64's
 * finalizer (S. Vigna, "An experimental exploration of Marsaglia's xorshift
 * generators, scrambled", ACM TOMS 42(4), 2016) over the three mixed in
 * with its three odd constants. */
unsigned long stream_seed(unsigned long seed, int node, enum stream stream);

#endif
