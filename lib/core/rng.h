/* Random streams. Every random draw in librec comes from a stream derived
 * from (seed, stream, substream), e.g. (seed, REC_STREAM_SAMPLE + epoch,
 * work unit). A run is therefore repeatable bit for bit whatever the thread
 * count, as far as the algorithm itself is deterministic.
 * The generator is xoshiro256** seeded through splitmix64. */
#ifndef REC_CORE_RNG_H
#define REC_CORE_RNG_H

#include <stdint.h>

typedef struct rec_rng {
    uint64_t s[4];
} rec_rng;

/* Stream families, so that different uses of one seed never share draws. */
enum {
    REC_STREAM_INIT = 1,          /* substream: table id */
    REC_STREAM_SPLIT = 2,         /* substream: user */
    REC_STREAM_EVAL = 3,          /* sampled evaluation; substream: user */
    REC_STREAM_SAMPLER = 4,       /* rec_sampler; substream: batch */
    REC_STREAM_SAMPLE = 1u << 20, /* + epoch; substream: work unit */
};

void rec_rng_seed(rec_rng *r, uint64_t seed, uint64_t stream, uint64_t substream);

static inline uint64_t rec_rng_rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

static inline uint64_t rec_rng_next(rec_rng *r)
{
    uint64_t *s = r->s;
    uint64_t out = rec_rng_rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rec_rng_rotl(s[3], 45);
    return out;
}

/* Uniform integer in [0, n), n > 0, without modulo bias (Lemire 2019). */
static inline uint32_t rec_rng_below(rec_rng *r, uint32_t n)
{
    uint64_t m = (uint64_t)(uint32_t)(rec_rng_next(r) >> 32) * n;
    uint32_t low = (uint32_t)m;
    if (low < n) {
        uint32_t threshold = (uint32_t)(-n) % n;
        while (low < threshold) {
            m = (uint64_t)(uint32_t)(rec_rng_next(r) >> 32) * n;
            low = (uint32_t)m;
        }
    }
    return (uint32_t)(m >> 32);
}

/* Uniform 64-bit integer in [0, n), n > 0. */
uint64_t rec_rng_below64(rec_rng *r, uint64_t n);

/* Uniform double in [0, 1) with 53 random bits. */
static inline double rec_rng_uniform(rec_rng *r)
{
    return (double)(rec_rng_next(r) >> 11) * 0x1.0p-53;
}

/* Standard normal draw (Marsaglia polar method). */
double rec_rng_normal(rec_rng *r);

#endif
