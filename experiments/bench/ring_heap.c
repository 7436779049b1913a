/* A bare discrete-event reference for clocklab's virtual time: the ring
 * election of src/algorithms/election/ring.c (Chang-Roberts, E. Chang and R. Roberts,
 * CACM 22(5), 1979; LCR when every node initiates, N. Lynch, Distributed
 * Algorithms, section 3.3) on N nodes in one process, one binary heap of
 * message deliveries (J. W. J. Williams, "Algorithm 232: Heapsort", CACM
 * 7(6), 1964), no MPI, no recording.
 *
 * The same messages as clocklab's ring in a crash-free run with every node
 * initiating: ELECTION and ELECTED to the successor (i+1) mod N, each
 * acknowledged with an ACK to its sender; the announcement goes all the way
 * round and the coordinator swallows it. The ids are clocklab's
 * [election] ids = random for the same seed (src/model/roles.c: 0..N-1
 * shuffled by gsl_ran_shuffle with GSL's mt19937 seeded seed * 2654435761 +
 * 17), so the message counts equal clocklab's. Delays are uniform(0.5 ms,
 * 1.5 ms) (GSL mt19937 seeded with the seed), and every channel is FIFO as in
 * clocklab (a message is never due before the previous one on its channel).
 * What clocklab does besides (timers for the ACK timeout, which never fire
 * here, per-node message counts, the output) this program leaves out.
 *
 * Usage: ring_heap N [SEED]   (SEED default 42, clocklab's default seed)
 * Prints one line of key=value: nodes, seed, messages (and per type),
 * events (deliveries), loop_s (wall seconds of the event loop),
 * ns_per_message, leader (node index), peak_rss_kib (getrusage). Exits 1
 * when the election did not end with every node naming the node of the
 * largest id. */
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <time.h>

enum { ELECTION, ELECTED, ACK };

struct event {
    double t;
    uint64_t seq; /* send order: equal due times are delivered in it (FIFO) */
    int32_t dst, src, type, id, node;
};

struct heap {
    struct event *a;
    size_t n, cap;
};

static int before(const struct event *x, const struct event *y) {
    return x->t < y->t || (x->t == y->t && x->seq < y->seq);
}

static void push(struct heap *h, struct event e) {
    if (h->n == h->cap) {
        h->cap = h->cap ? 2 * h->cap : 1024;
        h->a = realloc(h->a, h->cap * sizeof *h->a);
        if (!h->a) {
            fprintf(stderr, "ring_heap: out of memory\n");
            exit(2);
        }
    }
    size_t i = h->n++;
    while (i > 0) {
        size_t p = (i - 1) / 2;
        if (!before(&e, &h->a[p])) break;
        h->a[i] = h->a[p];
        i = p;
    }
    h->a[i] = e;
}

static struct event pop(struct heap *h) {
    struct event top = h->a[0], last = h->a[--h->n];
    size_t i = 0;
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= h->n) break;
        if (c + 1 < h->n && before(&h->a[c + 1], &h->a[c])) c++;
        if (!before(&h->a[c], &last)) break;
        h->a[i] = h->a[c];
        i = c;
    }
    if (h->n > 0) h->a[i] = last;
    return top;
}

struct node {
    int id, leader, participant, announced, outstanding;
    double due_next, due_prev; /* last due time on the channels to i+1 and to i-1 */
};

static struct heap heap;
static struct node *nodes;
static gsl_rng *delay_rng;
static int n;
static double now;
static uint64_t seq, sent[3];

static void send(int src, int dst, int type, int id, int node) {
    double *last = dst == (src + 1) % n ? &nodes[src].due_next : &nodes[src].due_prev;
    double due = now + 0.5e-3 + 1e-3 * gsl_rng_uniform(delay_rng);
    if (due < *last) due = *last;
    *last = due;
    push(&heap, (struct event){due, ++seq, dst, src, type, id, node});
    sent[type]++;
    if (type != ACK) nodes[src].outstanding++;
}

static void deliver(const struct event *e) {
    struct node *v = &nodes[e->dst];
    int me = e->dst, next = (me + 1) % n;
    if (e->type == ACK) {
        v->outstanding--;
        return;
    }
    send(me, e->src, ACK, 0, 0);
    if (e->type == ELECTION) {
        if (e->id > v->id) {
            v->participant = 1;
            send(me, next, ELECTION, e->id, e->node);
        } else if (e->id < v->id) {
            if (!v->participant) {
                v->participant = 1;
                send(me, next, ELECTION, v->id, me);
            }
        } else if (!v->announced) {
            v->announced = 1;
            v->participant = 0;
            v->leader = me;
            send(me, next, ELECTED, v->id, me);
        }
    } else {
        v->participant = 0;
        if (e->node != me) {
            v->leader = e->node;
            send(me, next, ELECTED, e->id, e->node);
        }
    }
}

static double seconds(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

int main(int argc, char **argv) {
    if (argc < 2 || argc > 3 || (n = atoi(argv[1])) < 2) {
        fprintf(stderr, "usage: ring_heap N [SEED]   (N >= 2)\n");
        return 2;
    }
    unsigned long seed = argc > 2 ? strtoul(argv[2], NULL, 10) : 42;
    nodes = calloc((size_t)n, sizeof *nodes);
    int *ids = malloc((size_t)n * sizeof *ids);
    if (!nodes || !ids) {
        fprintf(stderr, "ring_heap: out of memory\n");
        return 2;
    }
    for (int i = 0; i < n; i++)
        ids[i] = i;
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, seed * 2654435761UL + 17);
    gsl_ran_shuffle(r, ids, (size_t)n, sizeof ids[0]);
    gsl_rng_free(r);
    int top = 0;
    for (int i = 0; i < n; i++) {
        nodes[i].id = ids[i];
        nodes[i].leader = -1;
        if (ids[i] > ids[top]) top = i;
    }
    free(ids);
    delay_rng = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(delay_rng, seed);

    double t0 = seconds();
    for (int i = 0; i < n; i++) { /* every node initiates at time 0 */
        nodes[i].participant = 1;
        send(i, (i + 1) % n, ELECTION, nodes[i].id, i);
    }
    uint64_t events = 0;
    while (heap.n > 0) {
        struct event e = pop(&heap);
        now = e.t;
        deliver(&e);
        events++;
    }
    double loop = seconds() - t0;

    int ok = 1;
    for (int i = 0; i < n; i++)
        ok &= nodes[i].leader == top && nodes[i].outstanding == 0;
    uint64_t messages = sent[ELECTION] + sent[ELECTED] + sent[ACK];
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    printf("nodes=%d seed=%lu messages=%llu election=%llu elected=%llu ack=%llu events=%llu "
           "virtual_s=%.6f loop_s=%.6f ns_per_message=%.1f leader=%d peak_rss_kib=%ld\n",
           n, seed, (unsigned long long)messages, (unsigned long long)sent[ELECTION],
           (unsigned long long)sent[ELECTED], (unsigned long long)sent[ACK],
           (unsigned long long)events, now, loop, 1e9 * loop / (double)messages, top, ru.ru_maxrss);
    gsl_rng_free(delay_rng);
    free(heap.a);
    free(nodes);
    if (!ok) {
        fprintf(stderr, "ring_heap: the election did not end with every node naming node %d\n",
                top);
        return 1;
    }
    return 0;
}
