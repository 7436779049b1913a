/* Checkpoints of the running run: what a kill of any process can no longer
 * take away.
 *
 * Each rank serializes what its nodes recorded since its previous checkpoint
 * (ckpt_accum.h: rows appended since then, the current counters, summaries
 * and results, true offsets at the new clock samples before T, its nodes'
 * critical sections not settled before) and sends it to rank 0, whose
 * writer thread (ckpt_writer.h) keeps the run so far, complete up to the
 * smallest T over the ranks, in the result file.
 *
 * Real time: at every multiple T of [experiment] checkpoint in reference
 * time, each rank takes its increment in the event loop at the first pass
 * at or after T, with one MPI_Isend (tag TAG_CHECKPOINT, so it never
 * meets the run's messages) and a wake-up of rank 0; a rank whose previous
 * increment is still on its way skips a checkpoint (the next one carries
 * both). Rank 0 takes what arrives with MPI_Improbe and MPI_Imrecv in its
 * own passes. Nothing blocks: a checkpoint costs a rank the copy of what it
 * recorded in one interval.
 *
 * Virtual time: simulated seconds pass much faster or slower than wall
 * seconds, and a kill costs wall time, so a checkpoint is taken every
 * `checkpoint` of wall time: rank 0 looks at the wall clock once per window
 * and votes in the window exchange; the ranks then take it together at
 * that boundary, with T the earliest pending event of all ranks (every
 * event before T processed, none at T or later), and send it at once. One
 * rank without a lookahead (one window for the whole run) looks every
 * STOP_CHECK events and takes it before the next instant. Taking one stops
 * every rank (some 20 to 150 ms at 10^5 nodes on 2 ranks here), so the next
 * comes no sooner than CKPT_TAKE_RATIO times that after it.
 *
 * At the run's end (ckpt_finish) the ranks tell rank 0 how many increments
 * they sent, rank 0 takes the ones still under way, and its writer stops;
 * the finished run then replaces the checkpoint in the file. */
#include "runtime/checkpoint.h"

#include "runtime/node_state.h"

#include "output/ckpt_accum.h"
#include "output/ckpt_writer.h"

#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

/* Virtual time: a checkpoint stops every rank while it is taken, so the next
 * one comes no sooner than this many times as long after it (at most 1/51
 * of the run's wall time goes to taking them). */
#define CKPT_TAKE_RATIO 50.0

int ckpt_init(struct runtime *rt, const struct run_plan *plan) {
    struct ckpt_state *ck = &rt->ck;
    memset(ck, 0, sizeof *ck);
    ck->next = INFINITY;
    ck->interval = config_time(plan->cfg, "experiment", "checkpoint");
    if (!(ck->interval > 0) || rt->engine->explores) {
        ck->interval = 0;
        return 0;
    }
    int clock_sync = 0;
    for (int i = 0; i < plan->nlayers; i++)
        clock_sync |= plan->layers[i]->family == FAMILY_CLOCK_SYNC;
    ck->dt = clock_sync ? config_time(plan->cfg, "clock", "sample_interval") : 0;
    ck->end = rt->duration > 0 ? rt->duration : rt->timeout;
    ck->next = rt->engine->paced ? ck->interval : INFINITY;
    size_t c = (size_t)rt->count + 1;
    size_t **marks[] = {&ck->rounds,     &ck->history,      &ck->stages,       &ck->queue,
                        &ck->sections,   &ck->held_rounds,  &ck->held_history, &ck->held_stages,
                        &ck->held_queue, &ck->held_sections};
    int ok = 1;
    for (size_t i = 0; i < sizeof marks / sizeof marks[0]; i++)
        ok &= (*marks[i] = calloc(c, sizeof(size_t))) != NULL;
    if (rt->rank == 0) {
        ck->matched = calloc((size_t)rt->size, sizeof *ck->matched);
        ck->last = calloc((size_t)rt->size, sizeof *ck->last);
        ok &= ck->matched && ck->last;
    }
    ck->last_wall = MPI_Wtime();
    return ok ? 0 : -1;
}

void ckpt_free(struct runtime *rt) {
    struct ckpt_state *ck = &rt->ck;
    size_t *marks[] = {ck->rounds,     ck->history,      ck->stages,       ck->queue,
                       ck->sections,   ck->held_rounds,  ck->held_history, ck->held_stages,
                       ck->held_queue, ck->held_sections};
    for (size_t i = 0; i < sizeof marks / sizeof marks[0]; i++)
        free(marks[i]);
    free(ck->held);
    free(ck->send_buf);
    for (size_t i = 0; i < ck->nrx; i++)
        free(ck->rx[i].buf);
    free(ck->rx);
    free(ck->matched);
    free(ck->last);
    memset(ck, 0, sizeof *ck);
    ck->next = INFINITY;
}

/* The table events/ rows go to: one per rank, in the order they happened. */
static struct recorder *event_table(struct runtime *rt) {
    return &rt->events;
}

/* Clock samples k * dt before reference time `until`. */
static uint64_t samples_before(double until, double dt) {
    if (!(dt > 0) || !(until > 0)) return 0;
    return (uint64_t)ceil(until / dt - 1e-9);
}

/* Rows of v from `from` on that were recorded before `until`: each node
 * records in time order (the field at offset `at` of each row), so they
 * end at the first one at or after it. */
static size_t rows_before(const struct vec *v, size_t from, size_t at, double until) {
    size_t end = v->n;
    while (end > from) {
        double t;
        memcpy(&t, (const char *)v->data + (end - 1) * v->elem + at, sizeof t);
        if (t < until) break;
        end--;
    }
    return end;
}

/* Copy `bytes` from byte `from` of src (NULL when there is nothing) to p. */
/* A node's critical sections (mutex/sections) as they were before until:
 * the first one from `from` that may still change at a later checkpoint
 * (not left before until, and no later request before until) in *settle,
 * and the end of those requested before until (returned). */
static size_t sections_before(const struct vec *v, size_t from, double until, size_t *settle) {
    const struct section_row *rows = v->data;
    size_t end = from;
    while (end < v->n && rows[end].requested < until)
        end++;
    *settle = from;
    while (*settle < end && (rows[*settle].exited < until ||
                             (*settle + 1 < v->n && rows[*settle + 1].requested < until)))
        (*settle)++;
    return end;
}

/* A section row as it was before until: what happened at or after it not yet. */
static struct section_row section_at(struct section_row row, double until) {
    if (!(row.entered < until)) row.entered = row.entered_local = NAN;
    if (!(row.exited < until)) row.exited = row.exited_local = NAN;
    return row;
}

static char *put(char *p, const void *src, size_t from, size_t bytes) {
    if (bytes) memcpy(p, (const char *)src + from, bytes);
    return p + bytes;
}

/* Append the rows [from[k], to[k]) of the recorder table at `member` of
 * every local node k. */
static char *put_rows(char *p, const struct runtime *rt, size_t member, const size_t *from,
                      const size_t *to) {
    for (int k = 0; k < rt->count; k++) {
        const struct vec *v = (const struct vec *)((const char *)&rt->local[k].rec + member);
        p = put(p, v->data, from[k] * v->elem, (to[k] - from[k]) * v->elem);
    }
    return p;
}

/* Serialize this rank's increment up to `until` into ck->held, with the
 * ends it covers in held_*; an earlier held increment is replaced (the
 * marks only move when one is sent). Returns 0 or -1 (no memory). */
static int take(struct runtime *rt, double until, int index) {
    struct ckpt_state *ck = &rt->ck;
    struct recorder *table = event_table(rt);
    size_t count = (size_t)rt->count, t = (size_t)rt->ntypes;
    struct ckpt_header h;
    memset(&h, 0, sizeof h);
    h.magic = CKPT_MAGIC;
    h.rank = rt->rank;
    h.first = rt->first;
    h.count = rt->count;
    h.nodes = rt->nodes;
    h.ntypes = rt->ntypes;
    h.width = table->vector_width;
    h.index = index;
    h.until = until;
    h.sample_from = ck->samples;
    uint64_t s_end = samples_before(until, ck->dt);
    h.nsamples = s_end > ck->samples ? s_end - ck->samples : 0;
    /* Rows recorded at or after `until` (real time takes the checkpoint a
     * little later) wait for the next one. One pass over the nodes, and the
     * tables without new rows are not walked again: at 10^5 nodes each walk
     * costs milliseconds of cache misses. */
    size_t events_end =
        rows_before(&table->events, ck->events, offsetof(struct event_row, time), until);
    h.nevents = events_end - ck->events;
    for (size_t k = 0; k < count; k++) {
        const struct recorder *r = &rt->local[k].rec;
        ck->held_rounds[k] =
            rows_before(&r->rounds, ck->rounds[k], offsetof(struct round_row, time), until);
        ck->held_history[k] =
            rows_before(&r->history, ck->history[k], offsetof(struct history_row, time), until);
        h.nrounds += ck->held_rounds[k] - ck->rounds[k];
        h.nhistory += ck->held_history[k] - ck->history[k];
        h.nresults += r->results.n;
        ck->held_stages[k] =
            rows_before(&r->stages, ck->stages[k], offsetof(struct request_stage_row, time), until);
        ck->held_queue[k] =
            rows_before(&r->queue, ck->queue[k], offsetof(struct queue_row, time), until);
        size_t settle;
        size_t end = sections_before(&r->sections, ck->sections[k], until, &settle);
        h.nstages += ck->held_stages[k] - ck->stages[k];
        h.nqueue += ck->held_queue[k] - ck->queue[k];
        h.nsections += end - ck->sections[k];
        ck->held_sections[k] = settle;
        h.tables |= r->tables;
    }
    size_t len = ckpt_size(&h);
    char *buf = malloc(len);
    if (!buf) return -1;
    char *p = put(buf, &h, 0, sizeof h);
    char *sent = p + count * sizeof(struct node_summary); /* both in one pass */
    for (size_t k = 0; k < count; k++) {
        p = put(p, &rt->local[k].summary, 0, sizeof(struct node_summary));
        sent = put(sent, rt->local[k].rec.sent, 0, 4 * t * sizeof(uint64_t));
    }
    p = sent;
    for (size_t k = 0; h.nsamples && k < count; k++)
        for (uint64_t s = 0; s < h.nsamples; s++) {
            double off = clock_offset(&rt->local[k].clock, (double)(h.sample_from + s) * ck->dt);
            p = put(p, &off, 0, sizeof off);
        }
    if (h.nrounds)
        p = put_rows(p, rt, offsetof(struct recorder, rounds), ck->rounds, ck->held_rounds);
    if (h.nhistory)
        p = put_rows(p, rt, offsetof(struct recorder, history), ck->history, ck->held_history);
    p = put(p, table->events.data, ck->events * table->events.elem, h.nevents * table->events.elem);
    if (h.width)
        p = put(p, table->vectors.data, ck->events * table->vectors.elem,
                h.nevents * table->vectors.elem);
    for (size_t k = 0; h.nresults && k < count; k++) {
        const struct vec *v = &rt->local[k].rec.results;
        p = put(p, v->data, 0, v->n * v->elem);
    }
    if (h.nstages)
        p = put_rows(p, rt, offsetof(struct recorder, stages), ck->stages, ck->held_stages);
    if (h.nqueue) p = put_rows(p, rt, offsetof(struct recorder, queue), ck->queue, ck->held_queue);
    for (size_t k = 0; h.nsections && k < count; k++) {
        const struct vec *v = &rt->local[k].rec.sections;
        size_t settle;
        size_t end = sections_before(v, ck->sections[k], until, &settle);
        for (size_t i = ck->sections[k]; i < end; i++) {
            struct section_row row = section_at(((const struct section_row *)v->data)[i], until);
            p = put(p, &row, 0, sizeof row);
        }
    }
    free(ck->held);
    ck->held = buf;
    ck->held_len = len;
    ck->held_events = events_end;
    ck->held_samples = ck->samples + h.nsamples;
    return 0;
}

/* The held increment is on its way: move the marks to its ends; the buffer
 * now belongs to the caller. */
static void *release(struct runtime *rt, size_t *len) {
    struct ckpt_state *ck = &rt->ck;
    size_t count = (size_t)rt->count;
    memcpy(ck->rounds, ck->held_rounds, count * sizeof *ck->rounds);
    memcpy(ck->history, ck->held_history, count * sizeof *ck->history);
    memcpy(ck->stages, ck->held_stages, count * sizeof *ck->stages);
    memcpy(ck->queue, ck->held_queue, count * sizeof *ck->queue);
    memcpy(ck->sections, ck->held_sections, count * sizeof *ck->sections);
    ck->events = ck->held_events;
    ck->samples = ck->held_samples;
    void *buf = ck->held;
    *len = ck->held_len;
    ck->held = NULL;
    ck->held_len = 0;
    return buf;
}

/* Hand an increment to rank 0's writer. Returns 1 while some increment is
 * still held back from it (ckpt_writer_push: ckpt_poll hands it over). */
static int push(struct runtime *rt, void *buf, size_t len) {
    if (rt->writer) return ckpt_writer_push(rt->writer, buf, len);
    free(buf);
    return 0;
}

/* Rank 0: some rank's increment for checkpoint `index` has not come. */
static int owed(const struct runtime *rt) {
    for (int r = 1; r < rt->size; r++)
        if (rt->ck.last[r] < rt->ck.index) return 1;
    return 0;
}

void ckpt_take(struct runtime *rt) {
    struct ckpt_state *ck = &rt->ck;
    double until = floor(rt->now / ck->interval) * ck->interval;
    ck->next = until + ck->interval;
    int index = (int)llround(until / ck->interval);
    if (rt->interrupted || until >= ck->end) return;
    if (ck->send_buf) { /* the previous one is still on its way: skip this one */
        int done = 0;
        MPI_Test(&ck->send, &done, MPI_STATUS_IGNORE);
        if (!done) return;
        free(ck->send_buf);
        ck->send_buf = NULL;
    }
    if (take(rt, until, index)) rt_out_of_memory();
    ck->index = index;
    size_t len;
    void *buf = release(rt, &len);
    int held = 0;
    if (rt->rank == 0) {
        held = push(rt, buf, len);
        ck->owed = owed(rt);
    } else {
        MPI_Isend(buf, (int)len, MPI_BYTE, 0, TAG_CHECKPOINT, rt->comm, &ck->send);
        ck->sent++;
        int done = 0;
        MPI_Test(&ck->send, &done, MPI_STATUS_IGNORE);
        if (done)
            free(buf);
        else
            ck->send_buf = buf;
        wake_notify(&rt->wake, 0);
    }
    ck->busy = ck->owed || ck->send_buf || ck->nrx || held;
}

void ckpt_warm_up(struct runtime *rt) {
    if (!(rt->ck.interval > 0) || rt->size < 2) return;
    enum { LARGEST = 49152 };
    static const int sizes[] = {2048, LARGEST}; /* Open MPI's medium and large protocols */
    char *buf = calloc(1, LARGEST);
    if (!buf) rt_out_of_memory();
    for (size_t k = 0; k < sizeof sizes / sizeof *sizes; k++) {
        if (rt->rank != 0)
            MPI_Send(buf, sizes[k], MPI_BYTE, 0, TAG_WARM_UP, rt->comm);
        else
            for (int r = 1; r < rt->size;) { /* as match() takes increments */
                int flag = 0;
                MPI_Message m;
                MPI_Improbe(MPI_ANY_SOURCE, TAG_WARM_UP, rt->comm, &flag, &m, MPI_STATUS_IGNORE);
                if (!flag) continue;
                MPI_Request req;
                MPI_Imrecv(buf, LARGEST, MPI_BYTE, &m, &req); /* either size, any order */
                MPI_Wait(&req, MPI_STATUS_IGNORE);
                r++;
            }
    }
    free(buf);
}

/* Rank 0: start receiving every increment that has arrived. */
static void match(struct runtime *rt) {
    struct ckpt_state *ck = &rt->ck;
    for (;;) {
        int flag = 0, count = 0;
        MPI_Message m;
        MPI_Status st;
        MPI_Improbe(MPI_ANY_SOURCE, TAG_CHECKPOINT, rt->comm, &flag, &m, &st);
        if (!flag) return;
        MPI_Get_count(&st, MPI_BYTE, &count);
        if (ck->nrx == ck->cap_rx) {
            size_t cap = ck->cap_rx ? 2 * ck->cap_rx : 8;
            struct ckpt_recv *p = realloc(ck->rx, cap * sizeof *p);
            if (!p) rt_out_of_memory();
            ck->rx = p;
            ck->cap_rx = cap;
        }
        struct ckpt_recv *r = &ck->rx[ck->nrx++];
        r->buf = malloc(count > 0 ? (size_t)count : 1);
        if (!r->buf) rt_out_of_memory();
        r->len = count;
        r->src = st.MPI_SOURCE;
        MPI_Imrecv(r->buf, count, MPI_BYTE, &m, &r->req);
        ck->matched[st.MPI_SOURCE]++;
    }
}

void ckpt_poll(struct runtime *rt) {
    struct ckpt_state *ck = &rt->ck;
    if (ck->send_buf) {
        int done = 0;
        MPI_Test(&ck->send, &done, MPI_STATUS_IGNORE);
        if (done) {
            free(ck->send_buf);
            ck->send_buf = NULL;
        }
    }
    if (rt->rank == 0) {
        match(rt);
        size_t k = 0;
        for (size_t i = 0; i < ck->nrx; i++) {
            int done = 0;
            MPI_Test(&ck->rx[i].req, &done, MPI_STATUS_IGNORE);
            if (!done) {
                ck->rx[k++] = ck->rx[i];
                continue;
            }
            struct ckpt_header h;
            if ((size_t)ck->rx[i].len >= sizeof h) {
                memcpy(&h, ck->rx[i].buf, sizeof h);
                if (h.index > ck->last[ck->rx[i].src]) ck->last[ck->rx[i].src] = h.index;
            }
            push(rt, ck->rx[i].buf, (size_t)ck->rx[i].len);
        }
        ck->nrx = k;
        ck->owed = owed(rt);
    }
    int held = rt->writer && ckpt_writer_flush(rt->writer);
    ck->busy = ck->owed || ck->send_buf || ck->nrx || held;
}

int ckpt_arrived(struct runtime *rt) {
    if (rt->rank != 0 || !rt->ck.owed) return 0;
    int flag = 0;
    MPI_Iprobe(MPI_ANY_SOURCE, TAG_CHECKPOINT, rt->comm, &flag, MPI_STATUS_IGNORE);
    return flag;
}

/* Rank 0: the next checkpoint increment of rank r, waited for (a malloc'd
 * buffer of *len bytes), counted in matched[r]. */
static void *recv_increment(struct runtime *rt, int r, size_t *len) {
    MPI_Status st;
    int count = 0;
    MPI_Probe(r, TAG_CHECKPOINT, rt->comm, &st);
    MPI_Get_count(&st, MPI_BYTE, &count);
    void *in = malloc(count > 0 ? (size_t)count : 1);
    if (!in) rt_out_of_memory();
    MPI_Recv(in, count, MPI_BYTE, r, TAG_CHECKPOINT, rt->comm, MPI_STATUS_IGNORE);
    rt->ck.matched[r]++;
    *len = (size_t)count;
    return in;
}

void ckpt_window(struct runtime *rt, double until) {
    struct ckpt_state *ck = &rt->ck;
    double wall = MPI_Wtime();
    ck->allowed = 0;
    ck->next = INFINITY;
    /* the same decision on every rank: until is the ranks' common boundary */
    if (until > ck->until && until < ck->end) {
        ck->until = until;
        if (take(rt, until, ++ck->index)) rt_out_of_memory();
        size_t len;
        void *buf = release(rt, &len);
        if (rt->rank != 0) {
            MPI_Send(buf, (int)len, MPI_BYTE, 0, TAG_CHECKPOINT, rt->comm);
            ck->sent++;
            free(buf);
        } else {
            ck->busy = push(rt, buf, len);
            for (int r = 1; r < rt->size; r++) {
                size_t count;
                void *in = recv_increment(rt, r, &count);
                ck->busy = push(rt, in, count);
            }
        }
    }
    ck->last_wall = MPI_Wtime();
    ck->cost = ck->last_wall - wall;
}

int ckpt_vote(struct runtime *rt) {
    struct ckpt_state *ck = &rt->ck;
    if (rt->rank != 0 || !(ck->interval > 0)) return 0;
    if (ck->busy) ck->busy = rt->writer && ckpt_writer_flush(rt->writer);
    return MPI_Wtime() - ck->last_wall >= fmax(ck->interval, CKPT_TAKE_RATIO * ck->cost);
}

void ckpt_within(struct runtime *rt, double last_event) {
    if (rt->size == 1 && ckpt_vote(rt)) rt->ck.next = nextafter(last_event, INFINITY);
}

void ckpt_finish(struct runtime *rt) {
    struct ckpt_state *ck = &rt->ck;
    if (!(ck->interval > 0)) return;
    uint64_t *counts = rt->rank == 0 ? calloc((size_t)rt->size, sizeof *counts) : NULL;
    if (rt->rank == 0 && !counts) rt_out_of_memory();
    MPI_Gather(&ck->sent, 1, MPI_UINT64_T, counts, 1, MPI_UINT64_T, 0, rt->comm);
    if (rt->rank == 0) {
        /* The run is over: what is still under way is taken and dropped. */
        for (size_t i = 0; i < ck->nrx; i++) {
            MPI_Wait(&ck->rx[i].req, MPI_STATUS_IGNORE);
            free(ck->rx[i].buf);
        }
        ck->nrx = 0;
        for (int r = 1; r < rt->size; r++)
            while (ck->matched[r] < counts[r]) {
                size_t count;
                free(recv_increment(rt, r, &count));
            }
        if (rt->writer) ckpt_writer_end(rt->writer);
    } else if (ck->send_buf) {
        MPI_Wait(&ck->send, MPI_STATUS_IGNORE);
        free(ck->send_buf);
        ck->send_buf = NULL;
    }
    free(counts);
    free(ck->held);
    ck->held = NULL;
    ck->busy = ck->owed = 0;
    ck->next = INFINITY;
}
