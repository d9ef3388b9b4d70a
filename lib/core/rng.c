#include "core/rng.h"

#include <math.h>

static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

void rec_rng_seed(rec_rng *r, uint64_t seed, uint64_t stream, uint64_t substream)
{
    /* Mix the three words through splitmix64 so that nearby (seed, stream,
     * substream) triples give unrelated states. */
    uint64_t x = seed;
    uint64_t a = splitmix64(&x);
    x = a ^ stream;
    uint64_t b = splitmix64(&x);
    x = b ^ substream;
    splitmix64(&x);
    for (int i = 0; i < 4; i++)
        r->s[i] = splitmix64(&x);
    if (!(r->s[0] | r->s[1] | r->s[2] | r->s[3]))
        r->s[0] = 1; /* the all-zero state is a fixed point */
}

uint64_t rec_rng_below64(rec_rng *r, uint64_t n)
{
    if (n <= UINT32_MAX)
        return rec_rng_below(r, (uint32_t)n);
    /* Rejection on the smallest power-of-two mask covering n. */
    uint64_t mask = n - 1;
    mask |= mask >> 1;
    mask |= mask >> 2;
    mask |= mask >> 4;
    mask |= mask >> 8;
    mask |= mask >> 16;
    mask |= mask >> 32;
    for (;;) {
        uint64_t v = rec_rng_next(r) & mask;
        if (v < n)
            return v;
    }
}

double rec_rng_normal(rec_rng *r)
{
    for (;;) {
        double u = 2.0 * rec_rng_uniform(r) - 1.0;
        double v = 2.0 * rec_rng_uniform(r) - 1.0;
        double s = u * u + v * v;
        if (s > 0.0 && s < 1.0)
            return u * sqrt(-2.0 * log(s) / s);
    }
}
