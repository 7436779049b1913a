/* The table of algorithms: one line per algorithm. */
#include "api/algorithm.h"

#include <string.h>

extern const struct algorithm algorithm_cristian, algorithm_berkeley, algorithm_bully;
extern const struct algorithm algorithm_tom;
extern const struct algorithm algorithm_ntp;
extern const struct algorithm algorithm_lamport;
extern const struct algorithm algorithm_vector;
extern const struct algorithm algorithm_ring;
extern const struct algorithm algorithm_hs;
extern const struct algorithm algorithm_chatter;
extern const struct algorithm algorithm_phold;
extern const struct algorithm algorithm_dispatch;
extern const struct algorithm algorithm_mutex_central, algorithm_ricart_agrawala;
extern const struct algorithm algorithm_lamport_mutex, algorithm_token_ring;
extern const struct algorithm algorithm_suzuki_kasami;
extern const struct algorithm algorithm_skampi, algorithm_jk, algorithm_hca;

// clang-format off
const struct algorithm *const algorithm_registry[] = {
    &algorithm_cristian,
    &algorithm_berkeley,
    &algorithm_bully,
    &algorithm_tom,
    &algorithm_ntp,
    &algorithm_lamport,
    &algorithm_vector,
    &algorithm_ring,
    &algorithm_hs,
    &algorithm_chatter,
    &algorithm_phold,
    &algorithm_dispatch,
    &algorithm_mutex_central,
    &algorithm_ricart_agrawala,
    &algorithm_lamport_mutex,
    &algorithm_token_ring,
    &algorithm_suzuki_kasami,
    &algorithm_skampi,
    &algorithm_jk,
    &algorithm_hca,
    NULL,
};
// clang-format on

const struct algorithm *algorithm_find(const char *name) {
    for (size_t i = 0; algorithm_registry[i]; i++)
        if (strcmp(algorithm_registry[i]->name, name) == 0) return algorithm_registry[i];
    return NULL;
}
