/* AVX-512 (F, DQ, BW, VL) + FMA variant. Compiled with those ISA flags and
 * only reached after a CPU check (dispatch.c), so it holds kernels only.
 *
 * n is a row stride: a multiple of 16 floats, so every loop runs on whole
 * 512-bit vectors and none has a tail. Loads are the unaligned form: on
 * aligned rows they cost the same as aligned loads, and a caller that breaks
 * the alignment rule gets slower code instead of a fault. */
#include <immintrin.h>

#include "kernels/variants.h"

/* Four accumulators hide the FMA latency (4 cycles, 2 per cycle) on the
 * reductions; at n = 64 that is one FMA per accumulator. */
static float dot_avx512(const float *a, const float *b, size_t n)
{
    __m512 s0 = _mm512_setzero_ps(), s1 = s0, s2 = s0, s3 = s0;
    size_t k = 0;
    for (; k + 64 <= n; k += 64) {
        s0 = _mm512_fmadd_ps(_mm512_loadu_ps(a + k), _mm512_loadu_ps(b + k), s0);
        s1 = _mm512_fmadd_ps(_mm512_loadu_ps(a + k + 16),
                             _mm512_loadu_ps(b + k + 16), s1);
        s2 = _mm512_fmadd_ps(_mm512_loadu_ps(a + k + 32),
                             _mm512_loadu_ps(b + k + 32), s2);
        s3 = _mm512_fmadd_ps(_mm512_loadu_ps(a + k + 48),
                             _mm512_loadu_ps(b + k + 48), s3);
    }
    for (; k < n; k += 16)
        s0 = _mm512_fmadd_ps(_mm512_loadu_ps(a + k), _mm512_loadu_ps(b + k), s0);
    return _mm512_reduce_add_ps(
        _mm512_add_ps(_mm512_add_ps(s0, s1), _mm512_add_ps(s2, s3)));
}

static float sqdist_avx512(const float *a, const float *b, size_t n)
{
    __m512 s0 = _mm512_setzero_ps(), s1 = s0, s2 = s0, s3 = s0;
    size_t k = 0;
    for (; k + 64 <= n; k += 64) {
        __m512 d0 = _mm512_sub_ps(_mm512_loadu_ps(a + k), _mm512_loadu_ps(b + k));
        __m512 d1 = _mm512_sub_ps(_mm512_loadu_ps(a + k + 16),
                                  _mm512_loadu_ps(b + k + 16));
        __m512 d2 = _mm512_sub_ps(_mm512_loadu_ps(a + k + 32),
                                  _mm512_loadu_ps(b + k + 32));
        __m512 d3 = _mm512_sub_ps(_mm512_loadu_ps(a + k + 48),
                                  _mm512_loadu_ps(b + k + 48));
        s0 = _mm512_fmadd_ps(d0, d0, s0);
        s1 = _mm512_fmadd_ps(d1, d1, s1);
        s2 = _mm512_fmadd_ps(d2, d2, s2);
        s3 = _mm512_fmadd_ps(d3, d3, s3);
    }
    for (; k < n; k += 16) {
        __m512 d = _mm512_sub_ps(_mm512_loadu_ps(a + k), _mm512_loadu_ps(b + k));
        s0 = _mm512_fmadd_ps(d, d, s0);
    }
    return _mm512_reduce_add_ps(
        _mm512_add_ps(_mm512_add_ps(s0, s1), _mm512_add_ps(s2, s3)));
}

static void axpy_avx512(float alpha, const float *x, float *y, size_t n)
{
    __m512 va = _mm512_set1_ps(alpha);
    for (size_t k = 0; k < n; k += 16)
        _mm512_storeu_ps(y + k, _mm512_fmadd_ps(va, _mm512_loadu_ps(x + k),
                                                _mm512_loadu_ps(y + k)));
}

/* Sums each of 16 accumulators (one per item row) into lane r of a single
 * vector, in 15 adds and 30 shuffles instead of 16 separate horizontal
 * reductions. Each level halves the vector count: after level 1 every
 * 128-bit lane holds partial sums of rows (a, b, a, b), after level 2 of
 * rows (a, b, c, d), and the two 128-bit-lane levels finish the sums. */
static inline __m512 reduce16(const __m512 acc[16])
{
    __m512 s2[8], s4[4], s8[2];
    for (int p = 0; p < 8; p++)
        s2[p] = _mm512_add_ps(_mm512_unpacklo_ps(acc[2 * p], acc[2 * p + 1]),
                              _mm512_unpackhi_ps(acc[2 * p], acc[2 * p + 1]));
    for (int q = 0; q < 4; q++)
        s4[q] = _mm512_add_ps(
            _mm512_shuffle_ps(s2[2 * q], s2[2 * q + 1], _MM_SHUFFLE(1, 0, 1, 0)),
            _mm512_shuffle_ps(s2[2 * q], s2[2 * q + 1], _MM_SHUFFLE(3, 2, 3, 2)));
    for (int h = 0; h < 2; h++)
        s8[h] = _mm512_add_ps(
            _mm512_shuffle_f32x4(s4[2 * h], s4[2 * h + 1], _MM_SHUFFLE(2, 0, 2, 0)),
            _mm512_shuffle_f32x4(s4[2 * h], s4[2 * h + 1], _MM_SHUFFLE(3, 1, 3, 1)));
    return _mm512_add_ps(
        _mm512_shuffle_f32x4(s8[0], s8[1], _MM_SHUFFLE(2, 0, 2, 0)),
        _mm512_shuffle_f32x4(s8[0], s8[1], _MM_SHUFFLE(3, 1, 3, 1)));
}

/* Sixteen item rows per pass: each slice of u is loaded once for 16 FMAs,
 * the 16 dependency chains are independent, and the 16 scores leave in one
 * store. The last n_items % 16 rows are scored one at a time. */
static inline __attribute__((always_inline)) void
score_rows16(const float *u, const float *V, size_t ld, size_t n_items,
             const float *bias, float *out)
{
    size_t i = 0;
    for (; i + 16 <= n_items; i += 16) {
        const float *r = V + i * ld;
        __m512 acc[16];
        for (int t = 0; t < 16; t++)
            acc[t] = _mm512_setzero_ps();
        for (size_t k = 0; k < ld; k += 16) {
            __m512 uk = _mm512_loadu_ps(u + k);
            for (int t = 0; t < 16; t++)
                acc[t] = _mm512_fmadd_ps(uk, _mm512_loadu_ps(r + t * ld + k),
                                         acc[t]);
        }
        __m512 s = reduce16(acc);
        if (bias)
            s = _mm512_add_ps(s, _mm512_loadu_ps(bias + i));
        _mm512_storeu_ps(out + i, s);
    }
    for (; i < n_items; i++) {
        float s = dot_avx512(u, V + i * ld, ld);
        out[i] = bias ? s + bias[i] : s;
    }
}

static void score_dot_avx512(const float *u, const float *V, size_t ld,
                             size_t n_items, const float *bias, float *out)
{
    switch (ld) {
    case 32: score_rows16(u, V, 32, n_items, bias, out); break;
    case 64: score_rows16(u, V, 64, n_items, bias, out); break;
    case 128: score_rows16(u, V, 128, n_items, bias, out); break;
    default: score_rows16(u, V, ld, n_items, bias, out); break;
    }
}

/* Two passes over the rows: x, then the three updates together, factored
 * as in the scalar reference (u = c u + a (i - j), i = c i + a u_old,
 * j = c j - a u_old with a = lr g, c = 1 - lr reg). */
static float bpr_sgd_step_avx512(float *u, float *i, float *j, size_t n,
                                 float lr, float reg)
{
    __m512 s0 = _mm512_setzero_ps(), s1 = s0;
    size_t k = 0;
    for (; k + 32 <= n; k += 32) {
        __m512 d0 = _mm512_sub_ps(_mm512_loadu_ps(i + k), _mm512_loadu_ps(j + k));
        __m512 d1 = _mm512_sub_ps(_mm512_loadu_ps(i + k + 16),
                                  _mm512_loadu_ps(j + k + 16));
        s0 = _mm512_fmadd_ps(_mm512_loadu_ps(u + k), d0, s0);
        s1 = _mm512_fmadd_ps(_mm512_loadu_ps(u + k + 16), d1, s1);
    }
    for (; k < n; k += 16) {
        __m512 d = _mm512_sub_ps(_mm512_loadu_ps(i + k), _mm512_loadu_ps(j + k));
        s0 = _mm512_fmadd_ps(_mm512_loadu_ps(u + k), d, s0);
    }
    float x = _mm512_reduce_add_ps(_mm512_add_ps(s0, s1));

    __m512 a = _mm512_set1_ps(lr * rec_bpr_gain(x));
    __m512 c = _mm512_set1_ps(1.0f - lr * reg);
    for (k = 0; k < n; k += 16) {
        __m512 uk = _mm512_loadu_ps(u + k);
        __m512 ik = _mm512_loadu_ps(i + k);
        __m512 jk = _mm512_loadu_ps(j + k);
        __m512 au = _mm512_mul_ps(a, uk);
        _mm512_storeu_ps(u + k, _mm512_fmadd_ps(a, _mm512_sub_ps(ik, jk),
                                                _mm512_mul_ps(c, uk)));
        _mm512_storeu_ps(i + k, _mm512_fmadd_ps(c, ik, au));
        _mm512_storeu_ps(j + k, _mm512_fmsub_ps(c, jk, au));
    }
    return x;
}

static void adam_row_avx512(float *w, float *m, float *v, const float *g,
                            size_t n, float step, float b1, float b2,
                            float eps)
{
    __m512 vb1 = _mm512_set1_ps(b1), vc1 = _mm512_set1_ps(1.0f - b1);
    __m512 vb2 = _mm512_set1_ps(b2), vc2 = _mm512_set1_ps(1.0f - b2);
    __m512 vstep = _mm512_set1_ps(step), veps = _mm512_set1_ps(eps);
    for (size_t k = 0; k < n; k += 16) {
        __m512 gk = _mm512_loadu_ps(g + k);
        __m512 mk = _mm512_fmadd_ps(vb1, _mm512_loadu_ps(m + k),
                                    _mm512_mul_ps(vc1, gk));
        __m512 vk = _mm512_fmadd_ps(vb2, _mm512_loadu_ps(v + k),
                                    _mm512_mul_ps(vc2, _mm512_mul_ps(gk, gk)));
        _mm512_storeu_ps(m + k, mk);
        _mm512_storeu_ps(v + k, vk);
        /* A true square root and division, not the rsqrt/rcp estimates:
         * their 12-14 bit error would follow every step into the weights. */
        __m512 den = _mm512_add_ps(_mm512_sqrt_ps(vk), veps);
        __m512 upd = _mm512_div_ps(_mm512_mul_ps(vstep, mk), den);
        _mm512_storeu_ps(w + k, _mm512_sub_ps(_mm512_loadu_ps(w + k), upd));
    }
}

/* Entries ahead at which spmm_row prefetches the gathered rows. A gathered
 * row is a random access into a matrix far larger than L2, and the FMAs of
 * one entry take a few cycles, so the loads must be issued well before
 * their use. */
#define SPMM_PREFETCH 16

/* The nv accumulators of one entry: acc += v * x[0 .. 16 nv), after
 * prefetching the row of the entry SPMM_PREFETCH ahead. */
static inline __attribute__((always_inline)) void
spmm_entry(__m512 *acc, const uint32_t *col, size_t k, size_t n, const float *in,
           size_t ld, float v, int nv)
{
    if (k + SPMM_PREFETCH < n) {
        const char *p = (const char *)(in + (size_t)col[k + SPMM_PREFETCH] * ld);
        for (int t = 0; t < nv; t++)
            __builtin_prefetch(p + 64 * t);
    }
    const float *x = in + (size_t)col[k] * ld;
    __m512 vv = _mm512_set1_ps(v);
    for (int t = 0; t < nv; t++)
        acc[t] = _mm512_fmadd_ps(vv, _mm512_loadu_ps(x + 16 * t), acc[t]);
}

/* rec_mix64 on 8 lanes (vpmullq is AVX512DQ). */
static inline __m512i mix64_avx512(__m512i x)
{
    x = _mm512_xor_si512(x, _mm512_srli_epi64(x, 30));
    x = _mm512_mullo_epi64(x, _mm512_set1_epi64((long long)0xBF58476D1CE4E5B9ull));
    x = _mm512_xor_si512(x, _mm512_srli_epi64(x, 27));
    x = _mm512_mullo_epi64(x, _mm512_set1_epi64((long long)0x94D049BB133111EBull));
    return _mm512_xor_si512(x, _mm512_srli_epi64(x, 31));
}

/* rec_keep of 8 columns zero-extended to 64-bit lanes. */
static inline __mmask8 keep8(const rec_keep_rule *rule, __m512i c)
{
    __m512i key = _mm512_or_si512(_mm512_sll_epi64(c, _mm_cvtsi32_si128((int)rule->shift)),
                                  _mm512_set1_epi64((long long)rule->base));
    __m512i h = mix64_avx512(_mm512_xor_si512(_mm512_set1_epi64((long long)rule->salt), key));
    return _mm512_cmpge_epu64_mask(_mm512_srli_epi64(h, 32),
                                   _mm512_set1_epi64((long long)rule->threshold));
}

/* Columns [0, 16 nv) of one output row, relative to in and out: the nv
 * accumulators stay in registers over all n entries and are stored once.
 * Every lane sums in k order, as the scalar reference does. With a keep
 * rule (dropout), the decisions of 16 entries at a time are hashed in two
 * vectors, and the loop visits the kept entries by the bits of the mask;
 * the rows of dropped entries are still prefetched, which costs little at
 * small p. */
static inline __attribute__((always_inline)) void
spmm_chunk(const rec_keep_rule *rule, const uint32_t *col, const float *val,
           size_t n, const float *in, size_t ld, float *out, int nv)
{
    __m512 acc[8];
    for (int t = 0; t < nv; t++)
        acc[t] = _mm512_setzero_ps();
    if (!rule) {
        for (size_t k = 0; k < n; k++)
            spmm_entry(acc, col, k, n, in, ld, val[k], nv);
    } else {
        for (size_t e = 0; e < n; e += 16) {
            __mmask16 live = n - e >= 16 ? (__mmask16)0xFFFF
                                         : (__mmask16)((1u << (n - e)) - 1);
            __m512i c = _mm512_maskz_loadu_epi32(live, col + e);
            __mmask8 lo = keep8(rule, _mm512_cvtepu32_epi64(_mm512_castsi512_si256(c)));
            __mmask8 hi = keep8(rule, _mm512_cvtepu32_epi64(_mm512_extracti64x4_epi64(c, 1)));
            unsigned keep = ((unsigned)hi << 8 | lo) & live;
            while (keep) {
                size_t k = e + (size_t)__builtin_ctz(keep);
                keep &= keep - 1;
                spmm_entry(acc, col, k, n, in, ld, val[k] * rule->scale, nv);
            }
        }
    }
    for (int t = 0; t < nv; t++)
        _mm512_storeu_ps(out + 16 * t, acc[t]);
}

/* Up to 128 floats (8 of the 32 zmm registers) per pass over the entries;
 * the common strides get their own copy with ld a constant. */
static inline __attribute__((always_inline)) void
spmm_any(const rec_keep_rule *rule, const uint32_t *col, const float *val, size_t n,
         const float *in, size_t ld, float *out)
{
    switch (ld) {
    case 16: spmm_chunk(rule, col, val, n, in, 16, out, 1); return;
    case 32: spmm_chunk(rule, col, val, n, in, 32, out, 2); return;
    case 64: spmm_chunk(rule, col, val, n, in, 64, out, 4); return;
    case 128: spmm_chunk(rule, col, val, n, in, 128, out, 8); return;
    default: break;
    }
    size_t j = 0;
    for (; j + 128 <= ld; j += 128)
        spmm_chunk(rule, col, val, n, in + j, ld, out + j, 8);
    switch ((ld - j) / 16) {
    case 1: spmm_chunk(rule, col, val, n, in + j, ld, out + j, 1); break;
    case 2: spmm_chunk(rule, col, val, n, in + j, ld, out + j, 2); break;
    case 3: spmm_chunk(rule, col, val, n, in + j, ld, out + j, 3); break;
    case 4: spmm_chunk(rule, col, val, n, in + j, ld, out + j, 4); break;
    case 5: spmm_chunk(rule, col, val, n, in + j, ld, out + j, 5); break;
    case 6: spmm_chunk(rule, col, val, n, in + j, ld, out + j, 6); break;
    case 7: spmm_chunk(rule, col, val, n, in + j, ld, out + j, 7); break;
    default: break;
    }
}

static void spmm_row_avx512(const uint32_t *col, const float *val, size_t n,
                            const float *in, size_t ld, float *out)
{
    spmm_any(NULL, col, val, n, in, ld, out);
}

static void spmm_row_keep_avx512(const rec_keep_rule *rule, const uint32_t *col,
                                 const float *val, size_t n, const float *in,
                                 size_t ld, float *out)
{
    spmm_any(rule, col, val, n, in, ld, out);
}

static size_t first_above_avx512(const float *x, size_t n, float t)
{
    __m512 vt = _mm512_set1_ps(t);
    size_t i = 0;
    for (; i + 16 <= n; i += 16) {
        unsigned m = _mm512_cmp_ps_mask(_mm512_loadu_ps(x + i), vt, _CMP_GT_OQ);
        if (m)
            return i + (size_t)__builtin_ctz(m);
    }
    if (i < n) {
        __mmask16 live = (__mmask16)((1u << (n - i)) - 1);
        unsigned m = _mm512_mask_cmp_ps_mask(live, _mm512_maskz_loadu_ps(live, x + i), vt,
                                             _CMP_GT_OQ);
        if (m)
            return i + (size_t)__builtin_ctz(m);
    }
    return n;
}

static void count_below_avx512(const float *x, size_t n, float s, size_t *below,
                               size_t *equal)
{
    __m512 vs = _mm512_set1_ps(s);
    size_t b = 0, e = 0, i = 0;
    for (; i + 16 <= n; i += 16) {
        __m512 v = _mm512_loadu_ps(x + i);
        b += (size_t)__builtin_popcount(_mm512_cmp_ps_mask(v, vs, _CMP_LT_OQ));
        e += (size_t)__builtin_popcount(_mm512_cmp_ps_mask(v, vs, _CMP_EQ_OQ));
    }
    if (i < n) {
        __mmask16 live = (__mmask16)((1u << (n - i)) - 1);
        __m512 v = _mm512_maskz_loadu_ps(live, x + i);
        b += (size_t)__builtin_popcount(_mm512_mask_cmp_ps_mask(live, v, vs, _CMP_LT_OQ));
        e += (size_t)__builtin_popcount(_mm512_mask_cmp_ps_mask(live, v, vs, _CMP_EQ_OQ));
    }
    *below = b;
    *equal = e;
}

static const rec_kernels avx512_kernels = {
    .name = "avx512",
    .dot = dot_avx512,
    .sqdist = sqdist_avx512,
    .axpy = axpy_avx512,
    .score_dot = score_dot_avx512,
    .bpr_sgd_step = bpr_sgd_step_avx512,
    .adam_row = adam_row_avx512,
    .spmm_row = spmm_row_avx512,
    .spmm_row_keep = spmm_row_keep_avx512,
    .first_above = first_above_avx512,
    .count_below = count_below_avx512,
};

const rec_kernels *rec_kernels_avx512(void)
{
    return &avx512_kernels;
}
