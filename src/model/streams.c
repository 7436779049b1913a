#include "model/streams.h"

#include <stdint.h>

unsigned long stream_seed(unsigned long seed, int node, enum stream stream) {
    uint64_t z = (uint64_t)seed * 0x9E3779B97F4A7C15ULL +
                 (uint64_t)(node + 1) * 0xBF58476D1CE4E5B9ULL +
                 (uint64_t)stream * 0x94D049BB133111EBULL;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return (unsigned long)(z ^ (z >> 31));
}
