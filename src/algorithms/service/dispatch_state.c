/* Sending of dispatch.c's parts (dispatch_state.h). */
#include "algorithms/service/dispatch_state.h"

void dispatch_post(struct node *n, struct dispatch *s, int dst, int type, const void *p,
                   size_t len) {
    if (dst < 0) return;
    if (dst != node_id(n)) {
        node_send(n, dst, type, p, len);
        return;
    }
    struct message m = {dst, dst, type, 0, 0, p, len};
    s->deliver(n, s, &m);
}
