/* The reliable channel under every algorithm of a run ([network] reliable =
 * on): each ordered pair of nodes is a channel with sequence numbers,
 * acknowledgements, retransmission on a timeout with back-off (RFC 6298,
 * model/rto.h) and duplicates suppressed, delivering each message once and
 * in the order sent: the reliable FIFO channel the textbooks assume
 * (Coulouris et al., Distributed Systems, 5th ed., section 2.4.2: validity
 * and integrity; Tanenbaum & van Steen, 3rd ed., section 8.3). The channel
 * sits below the algorithms and needs none of them: an algorithm's
 * messages go through it unchanged.
 *
 * On the wire a data message carries a 16-byte prefix (its channel sequence
 * number and type) before the payload; an acknowledgement names the next
 * sequence number the receiver expects (cumulative) and the one it just
 * received (selective). Both the data and the acknowledgements cross the
 * same lossy network. Retransmissions and acknowledgements are counted as
 * two message types of their own, CHANNEL_RETRANSMIT and CHANNEL_ACK, after
 * the algorithms' types; an algorithm's own type counts its first
 * transmissions. A crashed node keeps its channels, as its algorithms keep
 * their state: what was sent to it while it was down is retransmitted until
 * it is back and acknowledges. A node with unacknowledged messages is not
 * done, so a run without a duration ends when every message arrived. */
#ifndef CLOCKLAB_RELIABLE_H
#define CLOCKLAB_RELIABLE_H

#include "api/layers.h"
#include "config/config.h"

#include <stddef.h>

struct node_state;
struct wire_header;

#define RELIABLE_LAYER RUNTIME_MAX_LAYERS /* the timer "layer" of the channel */
#define RELIABLE_PREFIX 16                /* bytes before a data message's payload */
#define RELIABLE_TYPES 2                  /* message types it adds after the algorithms' */

/* The names of those types, in order (messages/types). */
extern const char *const reliable_type_names[RELIABLE_TYPES];

/* Before anything runs: [network] rto_min <= rto <= rto_max. Returns 0, or
 * -1 with one message naming the key (config_fail). */
int reliable_check(const struct config *cfg, char *err, size_t n);

/* Send the stamped message h (type, src, dst, id, lamport, seq set; h->len
 * the algorithm's payload bytes) from node ns over its channel to h->dst.
 * Sets h->due to the due time of the first transmission (NaN if lost). */
void reliable_send(struct node_state *ns, struct wire_header *h, const void *payload, size_t len);
/* A data message or acknowledgement arrived at live node ns: acknowledge,
 * drop a duplicate, hold one that came before its predecessors, hand the
 * others to their algorithm in order (rt_hand_over). */
void reliable_receive(struct node_state *ns, const struct wire_header *h, const void *payload,
                      size_t len);
/* The node's retransmission timer fired: send again what is due. */
void reliable_on_timer(struct node_state *ns);
/* The node crashed (its timer is cancelled) or recovered (retransmit what
 * is still unacknowledged). */
void reliable_on_crash(struct node_state *ns);
void reliable_on_recover(struct node_state *ns);
/* Messages of ns not yet acknowledged. */
size_t reliable_unacked(const struct node_state *ns);
void reliable_free(struct node_state *ns);

#endif
