/* The server of dispatch.c: a FIFO queue served by `workers` workers, the
 * fence against a crashed coordinator's DISPATCH, and SYNC answers. */
#include "algorithms/service/dispatch_state.h"

#include <gsl/gsl_randist.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

void dispatch_server_record_queue(struct node *n, struct dispatch *s) {
    node_record_queue(n, (int)s->qlen, s->nbusy);
}

static void start_service(struct node *n, struct dispatch *s) {
    for (int w = 0; w < s->workers && s->qlen > 0; w++) {
        if (s->busy[w].id) continue;
        s->busy[w] = s->queue[s->qhead];
        s->qhead = (s->qhead + 1) % s->qcap;
        s->qlen--;
        s->nbusy++;
        node_record_request(n, s->busy[w].id, REQUEST_STARTED, s->busy[w].client);
        node_set_timer(n, dist_sample(&s->service, node_rng(n), node_id(n)), T_WORKER + w);
    }
}

static void enqueue(struct dispatch *s, struct job j) {
    if (s->qlen == s->qcap) {
        size_t cap = s->qcap ? 2 * s->qcap : 64;
        struct job *q = node_alloc(cap, sizeof *q);
        for (size_t i = 0; i < s->qlen; i++)
            q[i] = s->queue[(s->qhead + i) % s->qcap];
        free(s->queue);
        s->queue = q;
        s->qhead = 0;
        s->qcap = cap;
    }
    s->queue[(s->qhead + s->qlen++) % s->qcap] = j;
}

void dispatch_server_dispatch(struct node *n, struct dispatch *s, int src,
                              const struct req_msg *r) {
    if (!s->is_server[node_id(n)] || src != s->fence) return; /* not from our coordinator */
    int st = 0;
    idmap_get(&s->accepted, r->id, &st);
    if (st == HELD) return; /* a repeat: already queued or in service */
    if (st == FINISHED) {   /* served: the reply may have been lost */
        struct req_msg rp = {r->id, r->client, r->attempt};
        dispatch_post(n, s, r->client, REPLY, &rp, sizeof rp);
        return;
    }
    if (idmap_put(&s->accepted, r->id, HELD)) node_out_of_memory();
    node_record_request(n, r->id, REQUEST_ARRIVED, r->client);
    enqueue(s, (struct job){r->id, r->client});
    start_service(n, s);
    dispatch_server_record_queue(n, s);
}

void dispatch_server_service_done(struct node *n, struct dispatch *s, int w) {
    struct job j = s->busy[w];
    if (!j.id) return;
    s->busy[w].id = 0;
    s->nbusy--;
    if (idmap_put(&s->accepted, j.id, FINISHED)) node_out_of_memory();
    node_record_request(n, j.id, REQUEST_FINISHED, j.client);
    struct req_msg rp = {j.id, j.client, 0};
    dispatch_post(n, s, j.client, REPLY, &rp, sizeof rp);
    dispatch_post(n, s, s->fence, DONE, &rp, sizeof rp);
    start_service(n, s);
    dispatch_server_record_queue(n, s);
}

/* The ids this server holds or served, for a new coordinator. */
void dispatch_server_sync(struct node *n, struct dispatch *s, int src) {
    if (!s->is_server[node_id(n)]) return;
    if (src != node_coordinator(n, s->coordinator)) return;
    s->fence = src;
    size_t count = 0;
    for (size_t i = 0; i < s->accepted.cap; i++)
        count += s->accepted.keys[i] && s->accepted.values[i] != LOST;
    size_t len = sizeof(struct sync_hdr) + count * sizeof(uint64_t);
    char *buf = node_alloc(len, 1);
    struct sync_hdr h = {(int32_t)s->qlen + s->nbusy, (int32_t)count};
    memcpy(buf, &h, sizeof h);
    uint64_t *ids = (uint64_t *)(void *)(buf + sizeof h);
    size_t k = 0;
    for (size_t i = 0; i < s->accepted.cap; i++)
        if (s->accepted.keys[i] && s->accepted.values[i] != LOST) {
            uint64_t id = s->accepted.keys[i];
            memcpy(&ids[k++], &id, sizeof id);
        }
    dispatch_post(n, s, src, SYNC_REPLY, buf, len);
    free(buf);
}
