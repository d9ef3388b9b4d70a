/* Internal SIMD kernels. Each kernel has a scalar reference and AVX2+FMA and
 * AVX-512 variants; the best one the CPU supports is chosen once, at first
 * use. Tests hold every variant to the scalar reference.
 *
 * Vector lengths passed to kernels are row strides (`ld`, a multiple of 16
 * floats) and pointers to rows are 64-byte aligned (model/serving.h), so the
 * SIMD variants need no tail handling; the scalar reference accepts any n. */
#ifndef REC_KERNELS_KERNELS_H
#define REC_KERNELS_KERNELS_H

#include <stddef.h>
#include <stdint.h>

/* ---- Dropout of the entries of a sparse row ---- */

/* Which entries of a sparse row dropout keeps, decided from the entry alone
 * (no stored mask): the entry with column c is kept iff
 *   rec_mix64(salt ^ (c << shift | base)) >> 32 >= threshold,
 * exact integer arithmetic, so every variant decides alike. lib/graph/
 * builds the key of an entry from its row and column this way. */
typedef struct rec_keep_rule {
    uint64_t salt;       /* a mixed seed */
    uint64_t base;       /* ORed into every key */
    uint64_t threshold;  /* in [0, 2^32]: 0 keeps every entry, 2^32 none */
    unsigned shift;      /* of the column within the key, < 64 */
    float scale;         /* kept values are multiplied by it */
} rec_keep_rule;

/* splitmix64's finaliser: a bijection of 64-bit words that avalanches
 * (every input bit flips about half of the output bits), so neighbouring
 * keys get unrelated decisions. */
static inline uint64_t rec_mix64(uint64_t x)
{
    x ^= x >> 30;
    x *= 0xBF58476D1CE4E5B9ull;
    x ^= x >> 27;
    x *= 0x94D049BB133111EBull;
    x ^= x >> 31;
    return x;
}

static inline int rec_keep(const rec_keep_rule *k, uint32_t c)
{
    return rec_mix64(k->salt ^ ((uint64_t)c << k->shift | k->base)) >> 32 >= k->threshold;
}

typedef struct rec_kernels {
    const char *name;   /* "scalar", "avx2", "avx512" */

    /* sum_k a[k] * b[k] */
    float (*dot)(const float *a, const float *b, size_t n);
    /* sum_k (a[k] - b[k])^2 */
    float (*sqdist)(const float *a, const float *b, size_t n);
    /* y[k] += alpha * x[k] */
    void (*axpy)(float alpha, const float *x, float *y, size_t n);

    /* out[i] = <u, V[i]> (+ bias[i] if bias) for i < n_items; rows of V have
     * stride ld; n = ld (the dot-product length). */
    void (*score_dot)(const float *u, const float *V, size_t ld, size_t n_items,
                      const float *bias, float *out);

    /* One stochastic gradient step of BPR on rows u, i, j (in place):
     *   x = <u, i - j>,  g = sigmoid(-x) = 1 / (1 + e^x)
     *   u += lr * (g * (i - j) - reg * u)
     *   i += lr * (g * u_old - reg * i)
     *   j += lr * (-g * u_old - reg * j)
     * Returns x (before the step), from which the caller takes the loss
     * softplus(-x). The three rows must not overlap. */
    float (*bpr_sgd_step)(float *u, float *i, float *j, size_t n, float lr,
                          float reg);

    /* Lazy (sparse-row) Adam step on one row:
     *   m = b1 m + (1 - b1) g;  v = b2 v + (1 - b2) g^2
     *   w -= step * m / (sqrt(v) + eps)
     * where the caller folds bias correction into step
     * (lr * sqrt(1 - b2^t) / (1 - b1^t)). eps must be > 0: it is what keeps
     * zero padding at zero (0 / 0 otherwise). */
    void (*adam_row)(float *w, float *m, float *v, const float *g, size_t n,
                     float step, float b1, float b2, float eps);

    /* One row of a sparse-dense product (graph propagation):
     *   out[0..ld) = sum_k val[k] * in[col[k] * ld + 0..ld)
     * overwriting out (n = 0 gives a zero row). Rows of `in` have stride ld
     * and out must not be one of them. Each element sums in k order. */
    void (*spmm_row)(const uint32_t *col, const float *val, size_t n,
                     const float *in, size_t ld, float *out);

    /* spmm_row under dropout: the sum runs over the entries that `rule`
     * keeps (rec_keep), entry k with the value val[k] * rule->scale
     * (rounded to float, then used as spmm_row uses val[k]). The rows of
     * dropped entries are not read. Deciding inside the loop over entries,
     * rather than filtering the row first, lets the hashing overlap the
     * wait for gathered rows. */
    void (*spmm_row_keep)(const rec_keep_rule *rule, const uint32_t *col,
                          const float *val, size_t n, const float *in, size_t ld,
                          float *out);

    /* The index of the first of x[0..n) above t, or n (top-K selection: most
     * scores fall below the k-th best so far). NaN is never above. */
    size_t (*first_above)(const float *x, size_t n, float t);

    /* How many of x[0..n) are below s and how many equal it (AUC). NaN
     * counts as neither. */
    void (*count_below)(const float *x, size_t n, float s, size_t *below, size_t *equal);
} rec_kernels;

/* The best variant for this CPU (never NULL). */
const rec_kernels *rec_kernels_get(void);
/* A named variant ("scalar", "avx2", "avx512") if compiled in and supported
 * by this CPU, else NULL. For tests and benchmarks. */
const rec_kernels *rec_kernels_variant(const char *name);
/* The variants compiled in, space-separated: "scalar avx2 avx512" on x86_64,
 * "scalar" elsewhere. */
const char *rec_kernels_built(void);

/* Numerically safe log(1 + e^x). */
double rec_softplus(double x);

/* ---- Top-K selection ---- */

typedef struct rec_scored {
    float score;
    uint32_t item;
} rec_scored;

/* Selects the k best of scores[0..n) in order (score descending, item id
 * ascending among equal scores), skipping the ids in `excluded` (sorted
 * ascending, duplicates allowed, ids >= n ignored) and NaN scores. Writes at
 * most k entries to out and returns how many. out must hold k entries. */
size_t rec_topk(const float *scores, size_t n, size_t k,
                const uint32_t *excluded, size_t n_excluded, rec_scored *out);

/* The ids i < n, ascending, whose scores[i] is above t (NaN never is),
 * skipping the excluded ids as rec_topk() does. ids must hold n entries;
 * returns how many were written. */
size_t rec_topk_above(const float *scores, size_t n, float t, const uint32_t *excluded,
                      size_t n_excluded, uint32_t *ids);

#endif
