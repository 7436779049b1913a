/* The basic questions about a rank's nodes that every other file of the
 * runtime asks: the reference time now, which layer a message type belongs
 * to, which rank hosts a node, a node's random streams, whether it is done.
 * Calls nothing of the runtime but its engine's clock (engine.h). */
#include "runtime/node_state.h"

#include "runtime/reliable.h"

#include <math.h>

double rt_now(struct runtime *rt) {
    return rt->engine->now(rt);
}

int rt_layer_of_type(const struct runtime *rt, int gt) {
    for (int i = 0; i < rt->nlayers; i++)
        if (gt >= rt->layers[i].type_offset &&
            gt < rt->layers[i].type_offset + rt->layers[i].ntypes)
            return i;
    return -1;
}

int rt_rank_of(const struct runtime *rt, int node) {
    int lo = 0, hi = rt->size - 1; /* the rank r with first_of[r] <= node < first_of[r+1] */
    while (lo < hi) {
        int mid = (lo + hi + 1) / 2;
        if (rt->first_of[mid] <= node)
            lo = mid;
        else
            hi = mid - 1;
    }
    return lo;
}

struct node_state *rt_local(struct runtime *rt, int node) {
    int i = node - rt->first;
    return i >= 0 && i < rt->count ? &rt->local[i] : NULL;
}

gsl_rng *rt_stream(struct node_state *ns, enum stream stream) {
    gsl_rng **r = stream == STREAM_ALGORITHM ? &ns->alg_rng
                  : stream == STREAM_NETWORK ? &ns->net_rng
                                             : &ns->jitter_rng;
    if (!*r) {
        /* taus2: 24 bytes of state and a cheap seeding, where MT19937 took
         * 5 KB per stream and node and a 624-word refill at its first draw */
        *r = gsl_rng_alloc(gsl_rng_taus2);
        if (!*r) rt_out_of_memory();
        gsl_rng_set(*r, stream_seed(ns->rt->seed, ns->id, stream));
    }
    return *r;
}

int rt_node_done(const struct node_state *ns) {
    if (ns->crashed && isinf(ns->recover_at)) return 1;
    if (reliable_unacked(ns)) return 0;
    for (int i = 0; i < ns->rt->nlayers; i++)
        if (!ns->done[i]) return 0;
    return 1;
}

void rt_update_done(struct node_state *ns) {
    int d = rt_node_done(ns);
    if (d == ns->counted_done) return;
    ns->counted_done = (unsigned char)d;
    ns->rt->not_done += d ? -1 : 1;
}
