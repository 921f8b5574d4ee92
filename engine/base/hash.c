/* hash.c -- hashing for aggregation, joins and distinct: xxHash's XXH3.
 *
 * XXH3 (Debian's libxxhash, inlined) is several times faster than a hand-rolled FNV on the short
 * keys that dominate here (reviewer IDs, ASINs) and has good avalanche, which the open-addressing
 * tables rely on.
 */
#include "loupe_int.h"

#define XXH_INLINE_ALL
#include <xxhash.h>

uint64_t lp_hash_bytes(const void *p, size_t n, uint64_t seed) { return XXH3_64bits_withSeed(p, n, seed); }

/* A 64-bit finaliser (splitmix64's): cheap, and every input bit moves every output bit. */
uint64_t lp_hash_u64(uint64_t x) {
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9ULL;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebULL;
    x ^= x >> 31;
    return x;
}
