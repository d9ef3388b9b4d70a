/* Scalar reference of every kernel: plain C, any n, any alignment. The SIMD
 * variants are tested against these, so they stay as literal as the formulas
 * in kernels.h allow; the one liberty taken is the factoring of the update
 * steps, which the SIMD variants share so that only rounding separates
 * them. This variant is also what runs on CPUs without AVX2. */
#include "kernels/variants.h"

static float dot_scalar(const float *a, const float *b, size_t n)
{
    float s = 0.0f;
    for (size_t k = 0; k < n; k++)
        s += a[k] * b[k];
    return s;
}

static float sqdist_scalar(const float *a, const float *b, size_t n)
{
    float s = 0.0f;
    for (size_t k = 0; k < n; k++) {
        float d = a[k] - b[k];
        s += d * d;
    }
    return s;
}

static void axpy_scalar(float alpha, const float *x, float *y, size_t n)
{
    for (size_t k = 0; k < n; k++)
        y[k] += alpha * x[k];
}

static void score_dot_scalar(const float *u, const float *V, size_t ld,
                             size_t n_items, const float *bias, float *out)
{
    for (size_t i = 0; i < n_items; i++) {
        float s = dot_scalar(u, V + i * ld, ld);
        out[i] = bias ? s + bias[i] : s;
    }
}

/* With a = lr * g and c = 1 - lr * reg the three updates of kernels.h read
 *   u = c u + a (i - j),  i = c i + a u_old,  j = c j - a u_old. */
static float bpr_sgd_step_scalar(float *u, float *i, float *j, size_t n,
                                 float lr, float reg)
{
    float x = 0.0f;
    for (size_t k = 0; k < n; k++)
        x += u[k] * (i[k] - j[k]);
    float a = lr * rec_bpr_gain(x);
    float c = 1.0f - lr * reg;
    for (size_t k = 0; k < n; k++) {
        float uk = u[k], ik = i[k], jk = j[k];
        u[k] = c * uk + a * (ik - jk);
        i[k] = c * ik + a * uk;
        j[k] = c * jk - a * uk;
    }
    return x;
}

static void adam_row_scalar(float *w, float *m, float *v, const float *g,
                            size_t n, float step, float b1, float b2,
                            float eps)
{
    for (size_t k = 0; k < n; k++) {
        float gk = g[k];
        float mk = b1 * m[k] + (1.0f - b1) * gk;
        float vk = b2 * v[k] + (1.0f - b2) * (gk * gk);
        m[k] = mk;
        v[k] = vk;
        w[k] -= step * mk / (sqrtf(vk) + eps);
    }
}

static void spmm_row_scalar(const uint32_t *col, const float *val, size_t n,
                            const float *in, size_t ld, float *out)
{
    for (size_t j = 0; j < ld; j++)
        out[j] = 0.0f;
    for (size_t k = 0; k < n; k++) {
        const float *x = in + (size_t)col[k] * ld;
        float v = val[k];
        for (size_t j = 0; j < ld; j++)
            out[j] += v * x[j];
    }
}

static void spmm_row_keep_scalar(const rec_keep_rule *rule, const uint32_t *col,
                                 const float *val, size_t n, const float *in,
                                 size_t ld, float *out)
{
    for (size_t j = 0; j < ld; j++)
        out[j] = 0.0f;
    for (size_t k = 0; k < n; k++) {
        if (!rec_keep(rule, col[k]))
            continue;
        const float *x = in + (size_t)col[k] * ld;
        float v = val[k] * rule->scale;
        for (size_t j = 0; j < ld; j++)
            out[j] += v * x[j];
    }
}

static void count_below_scalar(const float *x, size_t n, float s, size_t *below,
                               size_t *equal)
{
    size_t b = 0, e = 0;
    for (size_t i = 0; i < n; i++) {
        b += x[i] < s;
        e += x[i] == s;
    }
    *below = b;
    *equal = e;
}

static size_t first_above_scalar(const float *x, size_t n, float t)
{
    size_t i = 0;
    while (i < n && !(x[i] > t))
        i++;
    return i;
}

static const rec_kernels scalar_kernels = {
    .name = "scalar",
    .dot = dot_scalar,
    .sqdist = sqdist_scalar,
    .axpy = axpy_scalar,
    .score_dot = score_dot_scalar,
    .bpr_sgd_step = bpr_sgd_step_scalar,
    .adam_row = adam_row_scalar,
    .spmm_row = spmm_row_scalar,
    .spmm_row_keep = spmm_row_keep_scalar,
    .first_above = first_above_scalar,
    .count_below = count_below_scalar,
};

const rec_kernels *rec_kernels_scalar(void)
{
    return &scalar_kernels;
}
