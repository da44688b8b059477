/* prng.c -- the project's pseudo-random numbers (spec/model.md §7).
 *
 * splitmix64 (Steele, Lea, Flood 2014) expands a 64-bit seed into the 256-bit
 * state of xoshiro256** (Blackman, Vigna 2018).  Both are fully specified by
 * (RNG.1-3) so that any implementation can regenerate our weights and data.
 */
#include "cep.h"

/* (RNG.1) */
uint64_t cep_splitmix64(uint64_t *state)
{
    uint64_t z = (*state += 0x9e3779b97f4a7c15u);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
}

void cep_rng_seed(cep_rng *r, uint64_t seed)
{
    uint64_t sm = seed;
    for (int i = 0; i < 4; i++)
        r->s[i] = cep_splitmix64(&sm);
}

static inline uint64_t rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

/* (RNG.2) */
uint64_t cep_rng_next(cep_rng *r)
{
    uint64_t *s = r->s;
    uint64_t result = rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

/* (RNG.3) the top 53 bits as a double in [0, 1): exact, no rounding. */
double cep_rng_uniform(cep_rng *r)
{
    return (double)(cep_rng_next(r) >> 11) * 0x1.0p-53;
}
