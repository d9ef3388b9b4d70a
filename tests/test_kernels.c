/* Kernels layer: the scalar reference against hand-computed values and a
 * finite-difference gradient, every SIMD variant against the scalar
 * reference, top-K selection against a brute-force sort, softplus at its
 * extremes. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "core/alloc.h"
#include "core/rng.h"
#include "kernels/kernels.h"

/* Lengths the SIMD variants are held to: row strides (multiples of 16),
 * with and without a whole 64-float block, and one odd block count. */
static const size_t lengths[] = {16, 32, 64, 80, 256};
#define N_LENGTHS (sizeof lengths / sizeof lengths[0])

static const char *const simd_names[] = {"avx2", "avx512"};
#define N_SIMD (sizeof simd_names / sizeof simd_names[0])

static float *alloc_floats(size_t n)
{
    float *p = rec_aligned_alloc(n, sizeof(float));
    ck_assert_ptr_nonnull(p);
    return p;
}

static float uniform(rec_rng *r, float lo, float hi)
{
    return lo + (hi - lo) * (float)rec_rng_uniform(r);
}

static void fill(rec_rng *r, float *x, size_t n, float lo, float hi)
{
    for (size_t k = 0; k < n; k++)
        x[k] = uniform(r, lo, hi);
}

/* |got - want| <= tol, with a message naming the case on failure. */
#define ck_assert_close(got, want, tol, what, variant, n)                   \
    ck_assert_msg(fabs((double)(got) - (double)(want)) <= (tol),           \
                  "%s (%s, n = %zu): got %.9g, want %.9g, tol %.3g", what, \
                  variant, (size_t)(n), (double)(got), (double)(want),     \
                  (double)(tol))

/* ---- Dispatch ---- */

START_TEST(test_dispatch)
{
    const rec_kernels *best = rec_kernels_get();
    ck_assert_ptr_nonnull(best);
    ck_assert_ptr_eq(rec_kernels_get(), best);

    const rec_kernels *scalar = rec_kernels_variant("scalar");
    ck_assert_ptr_nonnull(scalar);
    ck_assert_str_eq(scalar->name, "scalar");
    ck_assert_ptr_null(rec_kernels_variant("sse2"));
    ck_assert_ptr_null(rec_kernels_variant(""));
    ck_assert_ptr_null(rec_kernels_variant(NULL));

    /* The chosen variant is the widest one available. */
    const rec_kernels *avx2 = rec_kernels_variant("avx2");
    const rec_kernels *avx512 = rec_kernels_variant("avx512");
    const rec_kernels *want = avx512 ? avx512 : avx2 ? avx2 : scalar;
    ck_assert_ptr_eq(best, want);
    if (avx2)
        ck_assert_str_eq(avx2->name, "avx2");
    if (avx512) {
        ck_assert_str_eq(avx512->name, "avx512");
        ck_assert_ptr_nonnull(avx2); /* AVX-512 CPUs all have AVX2 */
    }
}
END_TEST

/* ---- The scalar reference, by hand ---- */

START_TEST(test_scalar_by_hand)
{
    const rec_kernels *K = rec_kernels_variant("scalar");
    const float a[3] = {1, 2, 3}, b[3] = {4, 5, 6}, c[3] = {4, 0, 3};
    ck_assert_float_eq(K->dot(a, b, 3), 32.0f);        /* 4 + 10 + 18 */
    ck_assert_float_eq(K->dot(a, b, 0), 0.0f);
    ck_assert_float_eq(K->sqdist(a, c, 3), 13.0f);     /* 9 + 4 + 0 */
    ck_assert_float_eq(K->sqdist(a, a, 3), 0.0f);

    float y[3] = {1, 1, 1};
    K->axpy(2.0f, a, y, 3);                            /* 1 + 2 a */
    ck_assert_float_eq(y[0], 3.0f);
    ck_assert_float_eq(y[1], 5.0f);
    ck_assert_float_eq(y[2], 7.0f);

    /* u = (1, 2); V rows (1, 0), (0, 1), (3, 4); bias (0.5, -1, 0). */
    const float u[2] = {1, 2}, V[6] = {1, 0, 0, 1, 3, 4};
    const float bias[3] = {0.5f, -1.0f, 0.0f};
    float out[4] = {0, 0, 0, -99};
    K->score_dot(u, V, 2, 3, NULL, out);
    ck_assert_float_eq(out[0], 1.0f);
    ck_assert_float_eq(out[1], 2.0f);
    ck_assert_float_eq(out[2], 11.0f);
    K->score_dot(u, V, 2, 3, bias, out);
    ck_assert_float_eq(out[0], 1.5f);
    ck_assert_float_eq(out[1], 1.0f);
    ck_assert_float_eq(out[2], 11.0f);
    ck_assert_float_eq(out[3], -99.0f);                /* n_items respected */

    /* BPR: i - j = (2, -1), x = 2 - 2 = 0, g = 1/2; lr = 0.1, reg = 0.5:
     * u += 0.1 (0.5 (2, -1) - 0.5 (1, 2)) = 0.1 (0.5, -1.5)
     * i += 0.1 (0.5 (1, 2) - 0.5 (3, 1)) = 0.1 (-1, 0.5)
     * j += 0.1 (-0.5 (1, 2) - 0.5 (1, 2)) = 0.1 (-1, -2) */
    float bu[2] = {1, 2}, bi[2] = {3, 1}, bj[2] = {1, 2};
    ck_assert_float_eq(K->bpr_sgd_step(bu, bi, bj, 2, 0.1f, 0.5f), 0.0f);
    ck_assert_float_eq_tol(bu[0], 1.05f, 1e-6f);
    ck_assert_float_eq_tol(bu[1], 1.85f, 1e-6f);
    ck_assert_float_eq_tol(bi[0], 2.9f, 1e-6f);
    ck_assert_float_eq_tol(bi[1], 1.05f, 1e-6f);
    ck_assert_float_eq_tol(bj[0], 0.9f, 1e-6f);
    ck_assert_float_eq_tol(bj[1], 1.8f, 1e-6f);

    /* A saturated pair (x = 100, g ~ e^-100 = 0): only the decay acts,
     * every row shrinks by 1 - lr reg = 0.95. */
    float su[1] = {10}, si[1] = {10}, sj[1] = {0};
    ck_assert_float_eq(K->bpr_sgd_step(su, si, sj, 1, 0.1f, 0.5f), 100.0f);
    ck_assert_float_eq_tol(su[0], 9.5f, 1e-5f);
    ck_assert_float_eq_tol(si[0], 9.5f, 1e-5f);
    ck_assert_float_eq(sj[0], 0.0f);

    /* Adam with b1 = 0.5, b2 = 0.75 (exact in float), step 0.1, eps 1e-8:
     * k = 0: g 2, m 0 -> 0.5 * 2 = 1, v 0 -> 0.25 * 4 = 1,
     *        w 1 - 0.1 * 1 / 1 = 0.9
     * k = 1: g -1, m 0.5 -> 0.25 - 0.5 = -0.25, v 0.25 -> 0.1875 + 0.25
     *        = 0.4375, w 0.5 + 0.1 * 0.25 / sqrt(0.4375) = 0.5377964 */
    float w[2] = {1, 0.5f}, m[2] = {0, 0.5f}, v[2] = {0, 0.25f};
    const float g[2] = {2, -1};
    K->adam_row(w, m, v, g, 2, 0.1f, 0.5f, 0.75f, 1e-8f);
    ck_assert_float_eq(m[0], 1.0f);
    ck_assert_float_eq(m[1], -0.25f);
    ck_assert_float_eq(v[0], 1.0f);
    ck_assert_float_eq(v[1], 0.4375f);
    ck_assert_float_eq_tol(w[0], 0.9f, 1e-7f);
    ck_assert_float_eq_tol(w[1], 0.5377964f, 1e-7f);
}
END_TEST

/* ---- Every variant against the scalar reference ---- */

/* A dot product's rounding error scales with sum |a_k b_k|, not with the
 * (possibly cancelled) result, so that is the scale of the tolerance. */
static double abs_dot(const float *a, const float *b, size_t n)
{
    double s = 0;
    for (size_t k = 0; k < n; k++)
        s += fabs((double)a[k] * b[k]);
    return s;
}

START_TEST(test_variants_reductions)
{
    const rec_kernels *ref = rec_kernels_variant("scalar");
    rec_rng r;
    rec_rng_seed(&r, 11, 0, 0);
    for (size_t v = 0; v < N_SIMD; v++) {
        const rec_kernels *K = rec_kernels_variant(simd_names[v]);
        if (!K)
            continue;
        for (size_t L = 0; L < N_LENGTHS; L++) {
            size_t n = lengths[L];
            float *a = alloc_floats(n), *b = alloc_floats(n);
            float *y0 = alloc_floats(n), *y1 = alloc_floats(n);
            for (int trial = 0; trial < 20; trial++) {
                fill(&r, a, n, -1, 1);
                fill(&r, b, n, -1, 1);
                double scale = abs_dot(a, b, n);
                ck_assert_close(K->dot(a, b, n), ref->dot(a, b, n),
                                1e-5 * scale, "dot", K->name, n);
                float d = ref->sqdist(a, b, n);
                ck_assert_close(K->sqdist(a, b, n), d, 1e-5 * d, "sqdist",
                                K->name, n);
                ck_assert_float_eq(K->sqdist(a, a, n), 0.0f);

                /* axpy: FMA against multiply-then-add, one rounding apart. */
                float alpha = uniform(&r, -2, 2);
                fill(&r, y0, n, -1, 1);
                memcpy(y1, y0, n * sizeof(float));
                ref->axpy(alpha, a, y0, n);
                K->axpy(alpha, a, y1, n);
                for (size_t k = 0; k < n; k++)
                    ck_assert_close(y1[k], y0[k],
                                    2e-7 * (fabsf(alpha * a[k]) + fabsf(y0[k])),
                                    "axpy", K->name, n);
            }
            rec_free(a);
            rec_free(b);
            rec_free(y0);
            rec_free(y1);
        }
    }
}
END_TEST

START_TEST(test_variants_score_dot)
{
    static const size_t item_counts[] = {1, 3, 7, 100, 1001};
    /* The common lengths plus 128, which the variants specialise as well. */
    static const size_t strides[] = {16, 32, 64, 80, 128, 256};
    const rec_kernels *ref = rec_kernels_variant("scalar");
    rec_rng r;
    rec_rng_seed(&r, 12, 0, 0);
    for (size_t v = 0; v < N_SIMD; v++) {
        const rec_kernels *K = rec_kernels_variant(simd_names[v]);
        if (!K)
            continue;
        for (size_t L = 0; L < sizeof strides / sizeof *strides; L++) {
            size_t ld = strides[L];
            for (size_t c = 0; c < sizeof item_counts / sizeof *item_counts; c++) {
                size_t n_items = item_counts[c];
                float *u = alloc_floats(ld), *V = alloc_floats(n_items * ld);
                float *bias = alloc_floats(n_items);
                /* One extra slot after the outputs: it must stay untouched. */
                float *want = alloc_floats(n_items + 1);
                float *got = alloc_floats(n_items + 1);
                fill(&r, u, ld, -1, 1);
                fill(&r, V, n_items * ld, -1, 1);
                fill(&r, bias, n_items, -3, 3);
                for (int with_bias = 0; with_bias < 2; with_bias++) {
                    const float *b = with_bias ? bias : NULL;
                    got[n_items] = 12345.0f;
                    ref->score_dot(u, V, ld, n_items, b, want);
                    K->score_dot(u, V, ld, n_items, b, got);
                    for (size_t i = 0; i < n_items; i++) {
                        double scale = abs_dot(u, V + i * ld, ld) +
                                       (b ? fabsf(b[i]) : 0.0f);
                        ck_assert_close(got[i], want[i], 1e-5 * scale,
                                        "score_dot", K->name, ld);
                    }
                    ck_assert_float_eq(got[n_items], 12345.0f);
                }
                rec_free(u);
                rec_free(V);
                rec_free(bias);
                rec_free(want);
                rec_free(got);
            }
        }
    }
}
END_TEST

START_TEST(test_variants_bpr_step)
{
    const rec_kernels *ref = rec_kernels_variant("scalar");
    rec_rng r;
    rec_rng_seed(&r, 13, 0, 0);
    for (size_t v = 0; v < N_SIMD; v++) {
        const rec_kernels *K = rec_kernels_variant(simd_names[v]);
        if (!K)
            continue;
        for (size_t L = 0; L < N_LENGTHS; L++) {
            size_t n = lengths[L];
            float *rows[2][3];
            for (int s = 0; s < 2; s++)
                for (int t = 0; t < 3; t++)
                    rows[s][t] = alloc_floats(n);
            for (int trial = 0; trial < 20; trial++) {
                /* Spread of x from about 0 (g = 1/2) to saturation. */
                float spread = trial % 4 == 3 ? 2.0f : 0.3f;
                for (int t = 0; t < 3; t++) {
                    fill(&r, rows[0][t], n, -spread, spread);
                    memcpy(rows[1][t], rows[0][t], n * sizeof(float));
                }
                double scale = 0;
                for (size_t k = 0; k < n; k++)
                    scale += fabs((double)rows[0][0][k] *
                                  (rows[0][1][k] - rows[0][2][k]));
                float lr = uniform(&r, 0.001f, 0.1f);
                float reg = uniform(&r, 0.0f, 0.1f);
                float x0 = ref->bpr_sgd_step(rows[0][0], rows[0][1], rows[0][2],
                                             n, lr, reg);
                float x1 = K->bpr_sgd_step(rows[1][0], rows[1][1], rows[1][2],
                                           n, lr, reg);
                ck_assert_close(x1, x0, 1e-5 * scale, "bpr x", K->name, n);
                static const char *const row_name[3] = {"bpr u", "bpr i",
                                                        "bpr j"};
                for (int t = 0; t < 3; t++)
                    for (size_t k = 0; k < n; k++)
                        ck_assert_close(rows[1][t][k], rows[0][t][k],
                                        1e-6 * (1.0 + fabsf(rows[0][t][k])),
                                        row_name[t], K->name, n);
            }
            for (int s = 0; s < 2; s++)
                for (int t = 0; t < 3; t++)
                    rec_free(rows[s][t]);
        }
    }
}
END_TEST

START_TEST(test_variants_adam_row)
{
    const rec_kernels *ref = rec_kernels_variant("scalar");
    rec_rng r;
    rec_rng_seed(&r, 14, 0, 0);
    for (size_t v = 0; v < N_SIMD; v++) {
        const rec_kernels *K = rec_kernels_variant(simd_names[v]);
        if (!K)
            continue;
        for (size_t L = 0; L < N_LENGTHS; L++) {
            size_t n = lengths[L];
            float *w0 = alloc_floats(n), *m0 = alloc_floats(n),
                  *v0 = alloc_floats(n), *w1 = alloc_floats(n),
                  *m1 = alloc_floats(n), *v1 = alloc_floats(n),
                  *g = alloc_floats(n), *w_old = alloc_floats(n);
            for (int trial = 0; trial < 20; trial++) {
                fill(&r, w0, n, -1, 1);
                fill(&r, m0, n, -0.1f, 0.1f);
                fill(&r, v0, n, 0, 0.01f);
                fill(&r, g, n, -1, 1);
                memcpy(w1, w0, n * sizeof(float));
                memcpy(m1, m0, n * sizeof(float));
                memcpy(v1, v0, n * sizeof(float));
                memcpy(w_old, w0, n * sizeof(float));
                float step = uniform(&r, 1e-4f, 1e-2f);
                ref->adam_row(w0, m0, v0, g, n, step, 0.9f, 0.999f, 1e-8f);
                K->adam_row(w1, m1, v1, g, n, step, 0.9f, 0.999f, 1e-8f);
                for (size_t k = 0; k < n; k++) {
                    ck_assert_close(m1[k], m0[k], 2e-7 * (fabsf(m0[k]) + 0.1f),
                                    "adam m", K->name, n);
                    ck_assert_close(v1[k], v0[k], 2e-7 * fabsf(v0[k]),
                                    "adam v", K->name, n);
                    /* The update m / sqrt(v) inherits the relative error of
                     * m and v, so its own size is the scale. */
                    float upd = fabsf(w_old[k] - w0[k]);
                    ck_assert_close(w1[k], w0[k],
                                    2e-7 * fabsf(w0[k]) + 1e-5 * upd,
                                    "adam w", K->name, n);
                }
            }
            rec_free(w0);
            rec_free(m0);
            rec_free(v0);
            rec_free(w1);
            rec_free(m1);
            rec_free(v1);
            rec_free(g);
            rec_free(w_old);
        }
    }
}
END_TEST

/* The sparse row products of every variant, and of the scalar reference
 * itself, against a sum in double: the bound is that of recursive
 * summation, 2 n u sum_k |w_k in[col[k]][j]| with u = 2^-24, which both
 * the scalar (multiply, then add) and the FMA variants meet. Strides cover
 * each variant's whole passes and every remainder; columns repeat. With a
 * keep rule the sum runs over the entries rec_keep() keeps, with weights
 * val[k] * scale rounded to float; thresholds 0 and 2^32 keep all and none.
 * out is filled with NaN first: the kernels overwrite, never accumulate. */
static void check_spmm_row(const rec_kernels *K, const rec_keep_rule *rule,
                           const uint32_t *col, const float *val, size_t n,
                           const float *in, size_t ld, float *out)
{
    for (size_t j = 0; j < ld; j++)
        out[j] = NAN;
    if (rule)
        K->spmm_row_keep(rule, col, val, n, in, ld, out);
    else
        K->spmm_row(col, val, n, in, ld, out);
    size_t kept = 0;
    for (size_t k = 0; k < n; k++)
        kept += !rule || rec_keep(rule, col[k]);
    for (size_t j = 0; j < ld; j++) {
        double want = 0, mag = 0;
        for (size_t k = 0; k < n; k++) {
            if (rule && !rec_keep(rule, col[k]))
                continue;
            float w = rule ? val[k] * rule->scale : val[k];
            double t = (double)w * in[col[k] * ld + j];
            want += t;
            mag += fabs(t);
        }
        if (kept <= 1) /* zero or one rounded product, in every variant */
            ck_assert_msg(out[j] == (float)want, "%s, ld %zu, n %zu: %g, want %g",
                          K->name, ld, n, (double)out[j], want);
        ck_assert_close(out[j], want, 2.0 * (double)kept * 0x1p-24 * mag,
                        rule ? "spmm_row_keep" : "spmm_row", K->name, ld);
    }
}

/* count_below and first_above: every variant gives exactly what the
 * definition says, on lengths covering whole vectors and remainders, with
 * ties, NaN and infinities in the data. */
START_TEST(test_variants_count_below)
{
    const char *names[] = {"scalar", "avx2", "avx512"};
    rec_rng r;
    rec_rng_seed(&r, 16, 0, 0);
    float x[101];
    for (size_t n = 0; n <= 101; n += (n < 40 ? 1 : 7)) {
        for (size_t i = 0; i < n; i++)
            x[i] = (float)rec_rng_below(&r, 9) - 4.0f; /* many ties */
        if (n > 5) {
            x[1] = NAN;
            x[3] = INFINITY;
            x[4] = -INFINITY;
        }
        for (int q = 0; q < 4; q++) {
            float s = q == 3 ? NAN : (float)q - 1.0f;
            size_t want_b = 0, want_e = 0;
            for (size_t i = 0; i < n; i++) {
                want_b += x[i] < s;
                want_e += x[i] == s;
            }
            for (size_t v = 0; v < 3; v++) {
                const rec_kernels *K = rec_kernels_variant(names[v]);
                if (!K)
                    continue;
                size_t b = 99, e = 99;
                K->count_below(x, n, s, &b, &e);
                ck_assert_msg(b == want_b && e == want_e, "%s n %zu s %g: %zu/%zu, want %zu/%zu",
                              names[v], n, (double)s, b, e, want_b, want_e);
                size_t first = 0;
                while (first < n && !(x[first] > s))
                    first++;
                for (size_t from = 0; from <= n; from += 5) {
                    size_t want = from;
                    while (want < n && !(x[want] > s))
                        want++;
                    ck_assert_uint_eq(from + K->first_above(x + from, n - from, s), want);
                }
                ck_assert_uint_eq(K->first_above(x, n, s), first);
            }
        }
    }
}
END_TEST

START_TEST(test_variants_spmm_row)
{
    static const size_t lds[] = {16, 32, 48, 64, 80, 128, 144, 256};
    static const size_t counts[] = {0, 1, 7, 17, 100};
    enum { N_IN = 50 };
    const char *names[] = {"scalar", "avx2", "avx512"};
    const rec_keep_rule rules[] = {
        { 0x0123456789ABCDEFull, 0, UINT64_C(1) << 30, 0, 1.0f / 0.75f },
        { 42, 7, UINT64_C(3) << 30, 32, 4.0f },
        { 42, UINT64_C(9) << 32, 0, 0, 1.5f },
        { 42, 0, UINT64_C(1) << 32, 0, 1.5f },
    };
    rec_rng r;
    rec_rng_seed(&r, 15, 0, 0);
    for (size_t L = 0; L < sizeof lds / sizeof lds[0]; L++) {
        size_t ld = lds[L];
        float *in = alloc_floats(N_IN * ld), *out = alloc_floats(ld);
        fill(&r, in, N_IN * ld, -1, 1);
        for (size_t c = 0; c < sizeof counts / sizeof counts[0]; c++) {
            size_t n = counts[c];
            uint32_t col[100];
            float val[100];
            for (size_t k = 0; k < n; k++) {
                col[k] = rec_rng_below(&r, N_IN);
                val[k] = uniform(&r, -1, 1);
            }
            for (size_t v = 0; v < 3; v++) {
                const rec_kernels *K = rec_kernels_variant(names[v]);
                if (!K)
                    continue;
                check_spmm_row(K, NULL, NULL, NULL, 0, in, ld, out);
                check_spmm_row(K, NULL, col, val, n, in, ld, out);
                for (size_t q = 0; q < sizeof rules / sizeof rules[0]; q++)
                    check_spmm_row(K, &rules[q], col, val, n, in, ld, out);
            }
        }
        rec_free(in);
        rec_free(out);
    }
}
END_TEST

/* rec_keep() keeps a share 1 - threshold / 2^32 of the keys, and keys that
 * differ in one bit (neighbouring columns, rows) are decided independently:
 * the share of pairs of neighbours both kept is (1 - p)^2. */
START_TEST(test_keep_rule)
{
    const double p = 0.3;
    rec_keep_rule k = { rec_mix64(7), 0, (uint64_t)(p * 4294967296.0), 0, 1.0f };
    enum { N = 200000 };
    size_t kept = 0, both = 0;
    int prev = 0;
    for (uint32_t c = 0; c < N; c++) {
        int now = rec_keep(&k, c);
        kept += (size_t)now;
        both += (size_t)(now && prev);
        prev = now;
    }
    /* Binomial standard deviations are about 0.001 here. */
    ck_assert_double_eq_tol((double)kept / N, 1 - p, 0.006);
    ck_assert_double_eq_tol((double)both / (N - 1), (1 - p) * (1 - p), 0.006);
    k.shift = 32; /* the same columns as the high word of the key */
    size_t same = 0;
    for (uint32_t c = 0; c < N; c++) {
        k.shift = 0;
        int a = rec_keep(&k, c);
        k.shift = 32;
        same += (size_t)(a == rec_keep(&k, c));
    }
    ck_assert_double_eq_tol((double)same / N, p * p + (1 - p) * (1 - p), 0.006);
    k.threshold = 0;
    ck_assert(rec_keep(&k, 123));
    k.threshold = UINT64_C(1) << 32;
    ck_assert(!rec_keep(&k, 123));
}
END_TEST

/* Rows of dimension dim < ld padded with zeros stay zero-padded through
 * every update, and padding adds nothing to dot products. */
START_TEST(test_padding_stays_zero)
{
    static const char *const all[] = {"scalar", "avx2", "avx512"};
    const size_t dim = 50, ld = 64;
    rec_rng r;
    rec_rng_seed(&r, 15, 0, 0);
    for (size_t v = 0; v < 3; v++) {
        const rec_kernels *K = rec_kernels_variant(all[v]);
        if (!K)
            continue;
        float *x[7];
        for (int t = 0; t < 7; t++) {
            x[t] = alloc_floats(ld);
            memset(x[t], 0, ld * sizeof(float));
        }
        fill(&r, x[0], dim, -1, 1);  /* u, i, j */
        fill(&r, x[1], dim, -1, 1);
        fill(&r, x[2], dim, -1, 1);
        fill(&r, x[3], dim, -1, 1);  /* w, m, v, g */
        fill(&r, x[6], dim, -1, 1);
        ck_assert_close(K->dot(x[0], x[1], ld),
                        rec_kernels_variant("scalar")->dot(x[0], x[1], dim),
                        1e-5 * abs_dot(x[0], x[1], dim), "padded dot", K->name,
                        ld);
        ck_assert_close(K->sqdist(x[0], x[1], ld),
                        rec_kernels_variant("scalar")->sqdist(x[0], x[1], dim),
                        1e-5 * K->sqdist(x[0], x[1], ld), "padded sqdist",
                        K->name, ld);
        K->bpr_sgd_step(x[0], x[1], x[2], ld, 0.05f, 0.01f);
        K->adam_row(x[3], x[4], x[5], x[6], ld, 0.01f, 0.9f, 0.999f, 1e-8f);
        K->axpy(0.5f, x[0], x[1], ld);
        for (int t = 0; t < 7; t++)
            for (size_t k = dim; k < ld; k++)
                ck_assert_msg(x[t][k] == 0.0f, "%s: row %d, k = %zu: %g",
                              K->name, t, k, (double)x[t][k]);
        for (int t = 0; t < 7; t++)
            rec_free(x[t]);
    }
}
END_TEST

/* ---- BPR step against the gradient of its loss ---- */

/* The BPR loss of one triple, in double:
 *   softplus(-<u, i - j>) + reg/2 (|u|^2 + |i|^2 + |j|^2). */
static double bpr_loss(const double *u, const double *i, const double *j,
                       size_t n, double reg)
{
    double x = 0, sq = 0;
    for (size_t k = 0; k < n; k++) {
        x += u[k] * (i[k] - j[k]);
        sq += u[k] * u[k] + i[k] * i[k] + j[k] * j[k];
    }
    return rec_softplus(-x) + 0.5 * reg * sq;
}

START_TEST(test_bpr_step_is_gradient_descent)
{
    static const char *const all[] = {"scalar", "avx2", "avx512"};
    static const size_t dims[] = {5, 16, 64};
    const double h = 1e-5;
    rec_rng r;
    rec_rng_seed(&r, 16, 0, 0);
    for (size_t v = 0; v < 3; v++) {
        const rec_kernels *K = rec_kernels_variant(all[v]);
        if (!K)
            continue;
        for (size_t d = 0; d < 3; d++) {
            size_t n = dims[d];
            if (v > 0 && n % 16)
                continue; /* SIMD variants take row strides only */
            for (int trial = 0; trial < 5; trial++) {
                float *row[3];
                double *p = malloc(3 * n * sizeof(double));
                double *grad = malloc(3 * n * sizeof(double));
                ck_assert_ptr_nonnull(p);
                ck_assert_ptr_nonnull(grad);
                for (int t = 0; t < 3; t++) {
                    row[t] = alloc_floats(n);
                    fill(&r, row[t], n, -0.7f, 0.7f);
                    for (size_t k = 0; k < n; k++)
                        p[t * n + k] = row[t][k];
                }
                const double reg = 0.05;
                /* Central differences of the loss in each coordinate. */
                for (size_t q = 0; q < 3 * n; q++) {
                    double keep = p[q];
                    p[q] = keep + h;
                    double up = bpr_loss(p, p + n, p + 2 * n, n, reg);
                    p[q] = keep - h;
                    double down = bpr_loss(p, p + n, p + 2 * n, n, reg);
                    p[q] = keep;
                    grad[q] = (up - down) / (2 * h);
                }
                double x = 0;
                for (size_t k = 0; k < n; k++)
                    x += p[k] * (p[n + k] - p[2 * n + k]);

                /* The step is linear in lr given the old rows, so any small
                 * lr measures its direction; 1e-2 keeps the float rounding
                 * of (new - old) well below the tolerance. */
                const float lr = 1e-2f;
                float got_x = K->bpr_sgd_step(row[0], row[1], row[2], n, lr,
                                              (float)reg);
                ck_assert_close(got_x, x, 1e-5 * (1 + fabs(x)), "bpr x",
                                K->name, n);
                for (int t = 0; t < 3; t++)
                    for (size_t k = 0; k < n; k++) {
                        double dir = (row[t][k] - p[t * n + k]) / lr;
                        ck_assert_close(dir, -grad[t * n + k], 2e-5,
                                        "bpr step / lr vs -gradient", K->name,
                                        n);
                    }
                for (int t = 0; t < 3; t++)
                    rec_free(row[t]);
                free(p);
                free(grad);
            }
        }
    }
}
END_TEST

/* ---- softplus ---- */

START_TEST(test_softplus)
{
    ck_assert_double_eq_tol(rec_softplus(0.0), log(2.0), 1e-15);
    /* Large positive x: x itself, no overflow of e^x. */
    ck_assert_double_eq(rec_softplus(1000.0), 1000.0);
    ck_assert_double_eq(rec_softplus(1e300), 1e300);
    ck_assert_double_eq_tol(rec_softplus(30.0), 30.0 + 9.357622968839737e-14,
                            1e-13);
    /* Large negative x: log(1 + e^x) = e^x - e^2x / 2 + ... with full
     * relative precision, then 0. */
    ck_assert_double_eq_tol(rec_softplus(-30.0) / 9.357622968839737e-14, 1.0,
                            1e-14);
    ck_assert_double_eq_tol(rec_softplus(-700.0) / 9.85967654375977e-305, 1.0,
                            1e-12);
    ck_assert_double_eq(rec_softplus(-1000.0), 0.0);
    ck_assert_double_eq(rec_softplus(-1e300), 0.0);
    /* softplus(x) - softplus(-x) = x */
    ck_assert_double_eq_tol(rec_softplus(3.7) - rec_softplus(-3.7), 3.7, 1e-14);
    ck_assert_double_eq_tol(rec_softplus(-0.25) - rec_softplus(0.25), -0.25,
                            1e-15);
    ck_assert(isinf(rec_softplus(INFINITY)));
    ck_assert_double_eq(rec_softplus(-INFINITY), 0.0);
}
END_TEST

/* ---- Top-K against a brute-force sort ---- */

/* Sorts every eligible item and keeps the first k. */
static size_t topk_brute(const float *scores, size_t n, size_t k,
                         const uint32_t *excluded, size_t n_excluded,
                         rec_scored *out)
{
    unsigned char *skip = calloc(n + 1, 1);
    rec_scored *all = malloc((n + 1) * sizeof *all);
    ck_assert_ptr_nonnull(skip);
    ck_assert_ptr_nonnull(all);
    for (size_t e = 0; e < n_excluded; e++)
        if (excluded[e] < n)
            skip[excluded[e]] = 1;
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (!skip[i] && !isnan(scores[i]))
            all[m++] = (rec_scored){scores[i], (uint32_t)i};
    qsort(all, m, sizeof *all, rec_test_best_first);
    size_t got = m < k ? m : k;
    memcpy(out, all, got * sizeof *out);
    free(skip);
    free(all);
    return got;
}

static void check_topk(const float *scores, size_t n, size_t k,
                       const uint32_t *excluded, size_t n_excluded)
{
    rec_scored *want = malloc((k + 1) * sizeof *want);
    rec_scored *got = malloc((k + 1) * sizeof *got);
    ck_assert_ptr_nonnull(want);
    ck_assert_ptr_nonnull(got);
    size_t nw = topk_brute(scores, n, k, excluded, n_excluded, want);
    got[k] = (rec_scored){-7.0f, 77}; /* must stay untouched */
    size_t ng = rec_topk(scores, n, k, excluded, n_excluded, got);
    ck_assert_msg(ng == nw, "n = %zu, k = %zu, excluded %zu: %zu entries, "
                  "want %zu", n, k, n_excluded, ng, nw);
    for (size_t t = 0; t < nw; t++)
        ck_assert_msg(got[t].item == want[t].item &&
                      got[t].score == want[t].score,
                      "n = %zu, k = %zu, excluded %zu: rank %zu is (%u, %g), "
                      "want (%u, %g)", n, k, n_excluded, t, got[t].item,
                      (double)got[t].score, want[t].item,
                      (double)want[t].score);
    ck_assert(got[k].item == 77 && got[k].score == -7.0f);

    /* The ids above a threshold (the k-th best score, or 0), in order. */
    float t = nw ? want[nw - 1].score : 0.0f;
    uint32_t *ids = malloc((n + 1) * sizeof *ids);
    ck_assert_ptr_nonnull(ids);
    size_t na = rec_topk_above(scores, n, t, excluded, n_excluded, ids), e = 0, j = 0;
    for (size_t i = 0; i < n; i++) {
        while (e < n_excluded && excluded[e] < i)
            e++;
        if ((e < n_excluded && excluded[e] == i) || !(scores[i] > t))
            continue;
        ck_assert_msg(j < na && ids[j] == i, "n = %zu, t = %g: id %zu missing", n,
                      (double)t, i);
        j++;
    }
    ck_assert_uint_eq(j, na);
    free(ids);
    free(want);
    free(got);
}

START_TEST(test_topk_by_hand)
{
    const float s[6] = {0.5f, 2.0f, NAN, 2.0f, -1.0f, 0.5f};
    rec_scored out[8];
    ck_assert_uint_eq(rec_topk(s, 6, 0, NULL, 0, out), 0);
    ck_assert_uint_eq(rec_topk(s, 0, 3, NULL, 0, out), 0);
    /* Equal scores: lower id first; the NaN is never chosen. */
    ck_assert_uint_eq(rec_topk(s, 6, 3, NULL, 0, out), 3);
    ck_assert_uint_eq(out[0].item, 1);
    ck_assert_uint_eq(out[1].item, 3);
    ck_assert_uint_eq(out[2].item, 0);
    ck_assert_float_eq(out[2].score, 0.5f);
    /* k beyond the eligible items: all 5 non-NaN ones, in order. */
    ck_assert_uint_eq(rec_topk(s, 6, 8, NULL, 0, out), 5);
    ck_assert_uint_eq(out[3].item, 5);
    ck_assert_uint_eq(out[4].item, 4);
    /* Excluded ids (sorted, with a duplicate and ids >= n). */
    const uint32_t ex[5] = {1, 1, 5, 6, 900};
    ck_assert_uint_eq(rec_topk(s, 6, 8, ex, 5, out), 3);
    ck_assert_uint_eq(out[0].item, 3);
    ck_assert_uint_eq(out[1].item, 0);
    ck_assert_uint_eq(out[2].item, 4);
    /* Everything excluded. */
    const uint32_t every[6] = {0, 1, 2, 3, 4, 5};
    ck_assert_uint_eq(rec_topk(s, 6, 2, every, 6, out), 0);
}
END_TEST

START_TEST(test_topk_random)
{
    static const float few[5] = {-1.0f, 0.0f, 0.25f, 0.5f, 3.0f};
    rec_rng r;
    rec_rng_seed(&r, 17, 0, 0);
    float *scores = malloc(2001 * sizeof(float));
    uint32_t *excluded = malloc(4200 * sizeof(uint32_t));
    ck_assert_ptr_nonnull(scores);
    ck_assert_ptr_nonnull(excluded);
    for (int c = 0; c < 4000; c++) {
        size_t n = rec_rng_below(&r, c < 200 ? 20 : 2001);
        size_t k = rec_rng_below(&r, (uint32_t)n + 6);
        if (c % 7 == 0)
            k = rec_rng_below(&r, 25); /* the usual small k */
        /* Score patterns: continuous, a small set (many ties), all equal,
         * ascending and descending runs (best and worst case for the
         * threshold), with or without NaNs and infinities. */
        int pattern = c % 5;
        double nan_rate = (c / 5) % 3 == 0 ? 0.0 : (c / 5) % 3 == 1 ? 0.05 : 0.6;
        for (size_t i = 0; i < n; i++) {
            float x;
            switch (pattern) {
            case 0: x = uniform(&r, -1, 1); break;
            case 1: x = few[rec_rng_below(&r, 5)]; break;
            case 2: x = 0.5f; break;
            case 3: x = (float)i * 0.01f; break;
            default: x = -(float)i * 0.01f; break;
            }
            double u = rec_rng_uniform(&r);
            if (u < nan_rate)
                x = NAN;
            else if (u < nan_rate + 0.01)
                x = u < nan_rate + 0.005 ? INFINITY : -INFINITY;
            scores[i] = x;
        }
        /* Sorted exclusions with duplicates, runs and ids >= n. */
        size_t n_ex = rec_rng_below(&r, (uint32_t)(n / 2 + 4));
        if (c % 11 == 0)
            n_ex = 0;
        uint32_t id_range = (uint32_t)n + 10;
        for (size_t e = 0; e < n_ex; e++)
            excluded[e] = rec_rng_below(&r, id_range);
        for (size_t e = 1; e < n_ex; e++) /* insertion sort */
            for (size_t f = e; f > 0 && excluded[f - 1] > excluded[f]; f--) {
                uint32_t t = excluded[f];
                excluded[f] = excluded[f - 1];
                excluded[f - 1] = t;
            }
        if (c % 13 == 0 && n > 0) { /* a long run of duplicates */
            size_t extra = rec_rng_below(&r, 50);
            uint32_t id = rec_rng_below(&r, (uint32_t)n);
            size_t at = 0;
            while (at < n_ex && excluded[at] < id)
                at++;
            memmove(excluded + at + extra, excluded + at,
                    (n_ex - at) * sizeof *excluded);
            for (size_t e = 0; e < extra; e++)
                excluded[at + e] = id;
            n_ex += extra;
        }
        check_topk(scores, n, k, n_ex ? excluded : NULL, n_ex);
    }
    free(scores);
    free(excluded);
}
END_TEST

Suite *rec_test_suite(void)
{
    Suite *s = suite_create("kernels");
    TCase *tc = tcase_create("kernels");
    tcase_add_test(tc, test_dispatch);
    tcase_add_test(tc, test_scalar_by_hand);
    tcase_add_test(tc, test_variants_reductions);
    tcase_add_test(tc, test_variants_score_dot);
    tcase_add_test(tc, test_variants_bpr_step);
    tcase_add_test(tc, test_variants_adam_row);
    tcase_add_test(tc, test_variants_spmm_row);
    tcase_add_test(tc, test_variants_count_below);
    tcase_add_test(tc, test_keep_rule);
    tcase_add_test(tc, test_padding_stays_zero);
    tcase_add_test(tc, test_bpr_step_is_gradient_descent);
    tcase_add_test(tc, test_softplus);
    tcase_add_test(tc, test_topk_by_hand);
    tcase_add_test(tc, test_topk_random);
    suite_add_tcase(s, tc);
    return s;
}
