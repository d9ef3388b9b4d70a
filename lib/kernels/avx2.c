/* AVX2 + FMA variant. Compiled with -mavx2 -mfma and only reached after a
 * CPU check (dispatch.c), so it holds kernels only.
 *
 * n is a row stride: a multiple of 16 floats, i.e. of two 256-bit vectors,
 * so no loop has a tail. Loads are the unaligned form: on aligned rows they
 * cost the same as aligned loads, and a caller that breaks the alignment
 * rule gets slower code instead of a fault. */
#include <immintrin.h>

#include "kernels/variants.h"

static inline float hsum256(__m256 v)
{
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
}

/* Four accumulators hide the FMA latency (4-5 cycles, 2 per cycle). */
static float dot_avx2(const float *a, const float *b, size_t n)
{
    __m256 s0 = _mm256_setzero_ps(), s1 = s0, s2 = s0, s3 = s0;
    size_t k = 0;
    for (; k + 32 <= n; k += 32) {
        s0 = _mm256_fmadd_ps(_mm256_loadu_ps(a + k), _mm256_loadu_ps(b + k), s0);
        s1 = _mm256_fmadd_ps(_mm256_loadu_ps(a + k + 8),
                             _mm256_loadu_ps(b + k + 8), s1);
        s2 = _mm256_fmadd_ps(_mm256_loadu_ps(a + k + 16),
                             _mm256_loadu_ps(b + k + 16), s2);
        s3 = _mm256_fmadd_ps(_mm256_loadu_ps(a + k + 24),
                             _mm256_loadu_ps(b + k + 24), s3);
    }
    if (k < n) { /* the one remaining block of 16 */
        s0 = _mm256_fmadd_ps(_mm256_loadu_ps(a + k), _mm256_loadu_ps(b + k), s0);
        s1 = _mm256_fmadd_ps(_mm256_loadu_ps(a + k + 8),
                             _mm256_loadu_ps(b + k + 8), s1);
    }
    return hsum256(_mm256_add_ps(_mm256_add_ps(s0, s1), _mm256_add_ps(s2, s3)));
}

static float sqdist_avx2(const float *a, const float *b, size_t n)
{
    __m256 s0 = _mm256_setzero_ps(), s1 = s0, s2 = s0, s3 = s0;
    size_t k = 0;
    for (; k + 32 <= n; k += 32) {
        __m256 d0 = _mm256_sub_ps(_mm256_loadu_ps(a + k), _mm256_loadu_ps(b + k));
        __m256 d1 = _mm256_sub_ps(_mm256_loadu_ps(a + k + 8),
                                  _mm256_loadu_ps(b + k + 8));
        __m256 d2 = _mm256_sub_ps(_mm256_loadu_ps(a + k + 16),
                                  _mm256_loadu_ps(b + k + 16));
        __m256 d3 = _mm256_sub_ps(_mm256_loadu_ps(a + k + 24),
                                  _mm256_loadu_ps(b + k + 24));
        s0 = _mm256_fmadd_ps(d0, d0, s0);
        s1 = _mm256_fmadd_ps(d1, d1, s1);
        s2 = _mm256_fmadd_ps(d2, d2, s2);
        s3 = _mm256_fmadd_ps(d3, d3, s3);
    }
    if (k < n) {
        __m256 d0 = _mm256_sub_ps(_mm256_loadu_ps(a + k), _mm256_loadu_ps(b + k));
        __m256 d1 = _mm256_sub_ps(_mm256_loadu_ps(a + k + 8),
                                  _mm256_loadu_ps(b + k + 8));
        s0 = _mm256_fmadd_ps(d0, d0, s0);
        s1 = _mm256_fmadd_ps(d1, d1, s1);
    }
    return hsum256(_mm256_add_ps(_mm256_add_ps(s0, s1), _mm256_add_ps(s2, s3)));
}

static void axpy_avx2(float alpha, const float *x, float *y, size_t n)
{
    __m256 va = _mm256_set1_ps(alpha);
    for (size_t k = 0; k < n; k += 8)
        _mm256_storeu_ps(y + k, _mm256_fmadd_ps(va, _mm256_loadu_ps(x + k),
                                                _mm256_loadu_ps(y + k)));
}

/* Sums each of 8 accumulators (one per item row) into lane r of a single
 * vector: after level 1 every 128-bit lane holds partial sums of rows
 * (a, b, a, b), after level 2 of rows (a, b, c, d), and level 3 adds the two
 * 128-bit halves. 7 adds and 14 shuffles instead of 8 full reductions. */
static inline __m256 reduce8(const __m256 acc[8])
{
    __m256 s2[4], s4[2];
    for (int p = 0; p < 4; p++)
        s2[p] = _mm256_add_ps(_mm256_unpacklo_ps(acc[2 * p], acc[2 * p + 1]),
                              _mm256_unpackhi_ps(acc[2 * p], acc[2 * p + 1]));
    for (int q = 0; q < 2; q++)
        s4[q] = _mm256_add_ps(
            _mm256_shuffle_ps(s2[2 * q], s2[2 * q + 1], _MM_SHUFFLE(1, 0, 1, 0)),
            _mm256_shuffle_ps(s2[2 * q], s2[2 * q + 1], _MM_SHUFFLE(3, 2, 3, 2)));
    return _mm256_add_ps(_mm256_permute2f128_ps(s4[0], s4[1], 0x20),
                         _mm256_permute2f128_ps(s4[0], s4[1], 0x31));
}

/* Eight item rows per pass (8 accumulators of the 16 ymm registers): each
 * slice of u is loaded once for 8 FMAs, the 8 chains are independent, and
 * the 8 scores leave in one store. The last n_items % 8 rows are scored one
 * at a time. */
static inline __attribute__((always_inline)) void
score_rows8(const float *u, const float *V, size_t ld, size_t n_items,
            const float *bias, float *out)
{
    size_t i = 0;
    for (; i + 8 <= n_items; i += 8) {
        const float *r = V + i * ld;
        __m256 acc[8];
        for (int t = 0; t < 8; t++)
            acc[t] = _mm256_setzero_ps();
        for (size_t k = 0; k < ld; k += 8) {
            __m256 uk = _mm256_loadu_ps(u + k);
            for (int t = 0; t < 8; t++)
                acc[t] = _mm256_fmadd_ps(uk, _mm256_loadu_ps(r + t * ld + k),
                                         acc[t]);
        }
        __m256 s = reduce8(acc);
        if (bias)
            s = _mm256_add_ps(s, _mm256_loadu_ps(bias + i));
        _mm256_storeu_ps(out + i, s);
    }
    for (; i < n_items; i++) {
        float s = dot_avx2(u, V + i * ld, ld);
        out[i] = bias ? s + bias[i] : s;
    }
}

static void score_dot_avx2(const float *u, const float *V, size_t ld,
                           size_t n_items, const float *bias, float *out)
{
    switch (ld) {
    case 32: score_rows8(u, V, 32, n_items, bias, out); break;
    case 64: score_rows8(u, V, 64, n_items, bias, out); break;
    case 128: score_rows8(u, V, 128, n_items, bias, out); break;
    default: score_rows8(u, V, ld, n_items, bias, out); break;
    }
}

/* Two passes over the rows: x, then the three updates together, factored
 * as in the scalar reference (u = c u + a (i - j), i = c i + a u_old,
 * j = c j - a u_old with a = lr g, c = 1 - lr reg). */
static float bpr_sgd_step_avx2(float *u, float *i, float *j, size_t n,
                               float lr, float reg)
{
    __m256 s0 = _mm256_setzero_ps(), s1 = s0;
    for (size_t k = 0; k < n; k += 16) {
        __m256 d0 = _mm256_sub_ps(_mm256_loadu_ps(i + k), _mm256_loadu_ps(j + k));
        __m256 d1 = _mm256_sub_ps(_mm256_loadu_ps(i + k + 8),
                                  _mm256_loadu_ps(j + k + 8));
        s0 = _mm256_fmadd_ps(_mm256_loadu_ps(u + k), d0, s0);
        s1 = _mm256_fmadd_ps(_mm256_loadu_ps(u + k + 8), d1, s1);
    }
    float x = hsum256(_mm256_add_ps(s0, s1));

    __m256 a = _mm256_set1_ps(lr * rec_bpr_gain(x));
    __m256 c = _mm256_set1_ps(1.0f - lr * reg);
    for (size_t k = 0; k < n; k += 8) {
        __m256 uk = _mm256_loadu_ps(u + k);
        __m256 ik = _mm256_loadu_ps(i + k);
        __m256 jk = _mm256_loadu_ps(j + k);
        __m256 au = _mm256_mul_ps(a, uk);
        _mm256_storeu_ps(u + k, _mm256_fmadd_ps(a, _mm256_sub_ps(ik, jk),
                                                _mm256_mul_ps(c, uk)));
        _mm256_storeu_ps(i + k, _mm256_fmadd_ps(c, ik, au));
        _mm256_storeu_ps(j + k, _mm256_fmsub_ps(c, jk, au));
    }
    return x;
}

static void adam_row_avx2(float *w, float *m, float *v, const float *g,
                          size_t n, float step, float b1, float b2, float eps)
{
    __m256 vb1 = _mm256_set1_ps(b1), vc1 = _mm256_set1_ps(1.0f - b1);
    __m256 vb2 = _mm256_set1_ps(b2), vc2 = _mm256_set1_ps(1.0f - b2);
    __m256 vstep = _mm256_set1_ps(step), veps = _mm256_set1_ps(eps);
    for (size_t k = 0; k < n; k += 8) {
        __m256 gk = _mm256_loadu_ps(g + k);
        __m256 mk = _mm256_fmadd_ps(vb1, _mm256_loadu_ps(m + k),
                                    _mm256_mul_ps(vc1, gk));
        __m256 vk = _mm256_fmadd_ps(vb2, _mm256_loadu_ps(v + k),
                                    _mm256_mul_ps(vc2, _mm256_mul_ps(gk, gk)));
        _mm256_storeu_ps(m + k, mk);
        _mm256_storeu_ps(v + k, vk);
        /* A true square root and division, not the rsqrt/rcp estimates:
         * their 12-bit error would follow every step into the weights. */
        __m256 den = _mm256_add_ps(_mm256_sqrt_ps(vk), veps);
        __m256 upd = _mm256_div_ps(_mm256_mul_ps(vstep, mk), den);
        _mm256_storeu_ps(w + k, _mm256_sub_ps(_mm256_loadu_ps(w + k), upd));
    }
}

/* Entries ahead at which spmm_row prefetches the gathered rows (see the
 * AVX-512 variant). */
#define SPMM_PREFETCH 16

/* Columns [0, 8 nv) of one output row, relative to in and out, with the nv
 * accumulators in registers over all n entries. Every lane sums in k
 * order, as the scalar reference does. With a keep rule (dropout), each
 * entry is tested in scalar code (AVX2 has no 64-bit multiply), in the
 * same loop so that the hashing overlaps the loads; the rows of dropped
 * entries are still prefetched, which costs little at small p. */
static inline __attribute__((always_inline)) void
spmm_chunk(const rec_keep_rule *rule, const uint32_t *col, const float *val,
           size_t n, const float *in, size_t ld, float *out, int nv)
{
    __m256 acc[8];
    for (int t = 0; t < nv; t++)
        acc[t] = _mm256_setzero_ps();
    for (size_t k = 0; k < n; k++) {
        if (k + SPMM_PREFETCH < n) {
            const char *p = (const char *)(in + (size_t)col[k + SPMM_PREFETCH] * ld);
            for (int t = 0; t < nv; t += 2) /* one line per 2 vectors */
                __builtin_prefetch(p + 32 * t);
        }
        float w = val[k];
        if (rule) {
            if (!rec_keep(rule, col[k]))
                continue;
            w *= rule->scale;
        }
        const float *x = in + (size_t)col[k] * ld;
        __m256 v = _mm256_set1_ps(w);
        for (int t = 0; t < nv; t++)
            acc[t] = _mm256_fmadd_ps(v, _mm256_loadu_ps(x + 8 * t), acc[t]);
    }
    for (int t = 0; t < nv; t++)
        _mm256_storeu_ps(out + 8 * t, acc[t]);
}

/* Up to 64 floats (8 of the 16 ymm registers) per pass over the entries;
 * the common strides get their own copy with ld a constant. */
static inline __attribute__((always_inline)) void
spmm_any(const rec_keep_rule *rule, const uint32_t *col, const float *val, size_t n,
         const float *in, size_t ld, float *out)
{
    switch (ld) {
    case 16: spmm_chunk(rule, col, val, n, in, 16, out, 2); return;
    case 32: spmm_chunk(rule, col, val, n, in, 32, out, 4); return;
    case 64: spmm_chunk(rule, col, val, n, in, 64, out, 8); return;
    default: break;
    }
    size_t j = 0;
    for (; j + 64 <= ld; j += 64)
        spmm_chunk(rule, col, val, n, in + j, ld, out + j, 8);
    switch ((ld - j) / 16) {
    case 1: spmm_chunk(rule, col, val, n, in + j, ld, out + j, 2); break;
    case 2: spmm_chunk(rule, col, val, n, in + j, ld, out + j, 4); break;
    case 3: spmm_chunk(rule, col, val, n, in + j, ld, out + j, 6); break;
    default: break;
    }
}

static void spmm_row_avx2(const uint32_t *col, const float *val, size_t n,
                          const float *in, size_t ld, float *out)
{
    spmm_any(NULL, col, val, n, in, ld, out);
}

static void spmm_row_keep_avx2(const rec_keep_rule *rule, const uint32_t *col,
                               const float *val, size_t n, const float *in,
                               size_t ld, float *out)
{
    spmm_any(rule, col, val, n, in, ld, out);
}

static size_t first_above_avx2(const float *x, size_t n, float t)
{
    __m256 vt = _mm256_set1_ps(t);
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        unsigned m = (unsigned)_mm256_movemask_ps(
            _mm256_cmp_ps(_mm256_loadu_ps(x + i), vt, _CMP_GT_OQ));
        if (m)
            return i + (size_t)__builtin_ctz(m);
    }
    while (i < n && !(x[i] > t))
        i++;
    return i;
}

static void count_below_avx2(const float *x, size_t n, float s, size_t *below,
                             size_t *equal)
{
    __m256 vs = _mm256_set1_ps(s);
    size_t b = 0, e = 0, i = 0;
    for (; i + 8 <= n; i += 8) {
        __m256 v = _mm256_loadu_ps(x + i);
        b += (size_t)__builtin_popcount((unsigned)_mm256_movemask_ps(
            _mm256_cmp_ps(v, vs, _CMP_LT_OQ)));
        e += (size_t)__builtin_popcount((unsigned)_mm256_movemask_ps(
            _mm256_cmp_ps(v, vs, _CMP_EQ_OQ)));
    }
    for (; i < n; i++) {
        b += x[i] < s;
        e += x[i] == s;
    }
    *below = b;
    *equal = e;
}

static const rec_kernels avx2_kernels = {
    .name = "avx2",
    .dot = dot_avx2,
    .sqdist = sqdist_avx2,
    .axpy = axpy_avx2,
    .score_dot = score_dot_avx2,
    .bpr_sgd_step = bpr_sgd_step_avx2,
    .adam_row = adam_row_avx2,
    .spmm_row = spmm_row_avx2,
    .spmm_row_keep = spmm_row_keep_avx2,
    .first_above = first_above_avx2,
    .count_below = count_below_avx2,
};

const rec_kernels *rec_kernels_avx2(void)
{
    return &avx2_kernels;
}
