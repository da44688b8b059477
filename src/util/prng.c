/* prng.c -- the project's pseudo-random numbers (spec/model.md §7).
 *
 * splitmix64 (Steele, Lea, Flood 2014) expands a 64-bit seed into the 256-bit
 * state of xoshiro256** (Blackman, Vigna 2018).  Both are fully specified by
 * (RNG.1-3) so that any implementation can regenerate our weights and data.
 *
 * ACSL: the contracts state each transition exactly, with the logic of
 * proofs/prng.acsl (words are uint64_t, arithmetic modulo 2^64).
 */
#include "cep.h"

/* (RNG.1) */
/*@ requires valid_state: \valid(state);
    assigns *state;
    ensures state: *state == sm64_next(\old(*state));
    ensures result: \result == sm64_mix(*state);
*/
uint64_t cep_splitmix64(uint64_t *state)
{
    uint64_t z = (*state += 0x9e3779b97f4a7c15u);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
}

/*@ requires valid_r: \valid(r);
    assigns r->s[0 .. 3];
    ensures state: \forall integer i; 0 <= i < 4 ==> r->s[i] == sm64_mix(sm64_state(seed, i + 1));
*/
void cep_rng_seed(cep_rng *r, uint64_t seed)
{
    uint64_t sm = seed;
    /*@ loop invariant bound: 0 <= i <= 4;
        loop invariant state: sm == sm64_state(seed, i);
        loop invariant done: \forall integer k; 0 <= k < i ==> r->s[k] == sm64_mix(sm64_state(seed, k + 1));
        loop assigns i, sm, r->s[0 .. 3];
        loop variant 4 - i;
    */
    for (int i = 0; i < 4; i++)
        r->s[i] = cep_splitmix64(&sm);
}

/*@ requires shift: 0 < k < 64;
    assigns \nothing;
    ensures result: \result == rotl64(x, k);
*/
static inline uint64_t rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

/* (RNG.2) */
/*@ requires valid_r: \valid(r);
    assigns r->s[0 .. 3];
    ensures result: \result == xo_out(\old(r->s[1]));
    ensures s0: r->s[0] == XO_NEXT0(\old(r->s[0]), \old(r->s[1]), \old(r->s[2]), \old(r->s[3]));
    ensures s1: r->s[1] == XO_NEXT1(\old(r->s[0]), \old(r->s[1]), \old(r->s[2]), \old(r->s[3]));
    ensures s2: r->s[2] == XO_NEXT2(\old(r->s[0]), \old(r->s[1]), \old(r->s[2]), \old(r->s[3]));
    ensures s3: r->s[3] == XO_NEXT3(\old(r->s[0]), \old(r->s[1]), \old(r->s[2]), \old(r->s[3]));
*/
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
/*@ requires valid_r: \valid(r);
    assigns r->s[0 .. 3];
    ensures state: r->s[0] == XO_NEXT0(\old(r->s[0]), \old(r->s[1]), \old(r->s[2]), \old(r->s[3]))
                && r->s[1] == XO_NEXT1(\old(r->s[0]), \old(r->s[1]), \old(r->s[2]), \old(r->s[3]))
                && r->s[2] == XO_NEXT2(\old(r->s[0]), \old(r->s[1]), \old(r->s[2]), \old(r->s[3]))
                && r->s[3] == XO_NEXT3(\old(r->s[0]), \old(r->s[1]), \old(r->s[2]), \old(r->s[3]));
    ensures value: \result == (xo_out(\old(r->s[1])) >> 11) * 0x1.0p-53;
    ensures range: 0.0 <= \result < 1.0;
*/
double cep_rng_uniform(cep_rng *r)
{
    uint64_t v = cep_rng_next(r);
    /*@ ghost lemma_shr11(v); */ /* v >> 11 < 2^53: the range */
    return (double)(v >> 11) * 0x1.0p-53;
}
