#include "model/serving.h"

#include <float.h>
#include <math.h>
#include <string.h>
#include <sys/mman.h>

#include "core/alloc.h"
#include "core/error.h"
#include "kernels/gemm.h"
#include "kernels/kernels.h"

int rec_serving_alloc(rec_serving *s, size_t n_users, size_t n_items,
                      size_t dim, rec_scoring scoring, int with_bias)
{
    memset(s, 0, sizeof *s);
    if (dim == 0 || dim > REC_DIM_MAX)
        return rec_error(REC_ELIMIT, "dimension %zu is outside [1, %d]", dim, REC_DIM_MAX);
    size_t ld = rec_ld_for(dim);
    size_t rows = n_users > n_items ? n_users : n_items;
    if (rows && ld > SIZE_MAX / sizeof(float) / rows)
        return rec_error(REC_ELIMIT, "a %zu x %zu matrix is too large", rows, dim);
    s->n_users = n_users;
    s->n_items = n_items;
    s->dim = dim;
    s->ld = ld;
    s->scoring = scoring;
    s->U = rec_aligned_alloc(n_users * ld, sizeof(float));
    s->V = rec_aligned_alloc(n_items * ld, sizeof(float));
    if (with_bias)
        s->item_bias = rec_calloc(n_items, sizeof(float));
    if (!s->U || !s->V || (with_bias && !s->item_bias)) {
        rec_serving_free(s);
        return rec_error_nomem();
    }
    memset(s->U, 0, n_users * ld * sizeof(float));
    memset(s->V, 0, n_items * ld * sizeof(float));
    return REC_OK;
}

/* The bounds rec_serving_score_margin() needs, in double. */
static void norm_bounds(rec_serving *s)
{
    double vmax = 0.0, bmax = 0.0;
    for (size_t i = 0; i < s->n_items; i++) {
        const float *v = rec_serving_item(s, (uint32_t)i);
        double sq = 0.0;
        for (size_t c = 0; c < s->dim; c++)
            sq += (double)v[c] * v[c];
        vmax = sq > vmax ? sq : vmax;
        if (s->item_bias)
            bmax = fabs(s->item_bias[i]) > bmax ? fabs(s->item_bias[i]) : bmax;
    }
    s->item_norm_max = sqrt(vmax);
    s->bias_abs_max = bmax;
}

int rec_serving_finish(rec_serving *s)
{
    rec_free(s->item_sqnorm);
    s->item_sqnorm = NULL;
    norm_bounds(s);
    if (s->scoring != REC_SCORING_NEG_SQDIST)
        return REC_OK;
    s->item_sqnorm = rec_malloc_array(s->n_items ? s->n_items : 1, sizeof(float));
    if (!s->item_sqnorm)
        return rec_error_nomem();
    const rec_kernels *k = rec_kernels_get();
    for (size_t i = 0; i < s->n_items; i++) {
        const float *v = rec_serving_item(s, (uint32_t)i);
        s->item_sqnorm[i] = k->dot(v, v, s->ld);
    }
    return REC_OK;
}

void rec_serving_free(rec_serving *s)
{
    if (s->mapping) {
        munmap(s->mapping, s->mapping_size);
    } else {
        rec_free(s->U);
        rec_free(s->V);
    }
    rec_free(s->item_bias);
    rec_free(s->item_sqnorm);
    memset(s, 0, sizeof *s);
}

float rec_serving_score(const rec_serving *s, const float *uv, uint32_t i)
{
    const rec_kernels *k = rec_kernels_get();
    const float *iv = rec_serving_item(s, i);
    float x = s->scoring == REC_SCORING_DOT ? k->dot(uv, iv, s->ld)
                                            : -k->sqdist(uv, iv, s->ld);
    return s->item_bias ? x + s->item_bias[i] : x;
}

/* -|u - v|^2 = 2 u.v - |u|^2 - |v|^2, applied to a row of 2 u.v (+ bias). */
static void distance_from_dots(const rec_serving *s, float usq, float *row)
{
    for (size_t i = 0; i < s->n_items; i++)
        row[i] -= usq + s->item_sqnorm[i];
}

void rec_serving_score_all(const rec_serving *s, const float *uv, float *out)
{
    const rec_kernels *k = rec_kernels_get();
    k->score_dot(uv, s->V, s->ld, s->n_items, NULL, out);
    if (s->scoring == REC_SCORING_NEG_SQDIST) {
        for (size_t i = 0; i < s->n_items; i++)
            out[i] *= 2.0f;
        distance_from_dots(s, k->dot(uv, uv, s->ld), out);
    }
    if (s->item_bias)
        for (size_t i = 0; i < s->n_items; i++)
            out[i] += s->item_bias[i];
}

int rec_serving_score_block(const rec_serving *s, const uint32_t *users,
                            size_t nu, float *out)
{
    if (nu == 0 || s->n_items == 0)
        return REC_OK;
    /* Gather the users' rows into one contiguous block for the GEMM. */
    float *a = rec_aligned_alloc(nu * s->ld, sizeof(float));
    if (!a)
        return rec_error_nomem();
    for (size_t r = 0; r < nu; r++)
        memcpy(a + r * s->ld, rec_serving_user(s, users[r]), s->ld * sizeof(float));

    /* out (nu x n_items) = alpha * A (nu x dim) * V^T (dim x n_items). */
    float alpha = s->scoring == REC_SCORING_DOT ? 1.0f : 2.0f;
    rec_gemm(0, 1, nu, s->n_items, s->dim, alpha, a, s->ld, s->V, s->ld, 0.0f, out,
             s->n_items);

    const rec_kernels *k = rec_kernels_get();
    for (size_t r = 0; r < nu; r++) {
        float *row = out + r * s->n_items;
        if (s->scoring == REC_SCORING_NEG_SQDIST) {
            const float *uv = a + r * s->ld;
            distance_from_dots(s, k->dot(uv, uv, s->ld), row);
        }
        if (s->item_bias)
            for (size_t i = 0; i < s->n_items; i++)
                row[i] += s->item_bias[i];
    }
    rec_free(a);
    return REC_OK;
}

/* With n = ld terms (zero padding adds exact zeros), any order of
 * evaluation of a dot product or a sum of squares is within
 * gamma_n * (sum of the terms' magnitudes) of the exact value, gamma_n =
 * n u / (1 - n u), u = 2^-24 (Higham, Accuracy and Stability of Numerical
 * Algorithms, 3.1). With P = |u| max|V[i]| bounding |<u, V[i]>| and S =
 * (|u| + max|V[i]|)^2 bounding the magnitudes of 2<u, v>, |u|^2 and |v|^2
 * together, each score is within gamma_{n+2} X + 4 u (X + max|b|) of its
 * exact value, X = P (DOT) or S (NEG_SQDIST): the product terms, then at
 * most four roundings of the steps after (doubling, the sum of the squared
 * norms, the difference, the bias). Two evaluations are within twice that
 * of each other; the margin doubles it again. */
double rec_serving_score_margin(const rec_serving *s, const float *u)
{
    double usq = 0.0;
    for (size_t c = 0; c < s->dim; c++)
        usq += (double)u[c] * u[c];
    double un = sqrt(usq), vn = s->item_norm_max;
    double x = s->scoring == REC_SCORING_DOT ? un * vn : (un + vn) * (un + vn);
    double unit = FLT_EPSILON / 2.0, nu = (double)(s->ld + 2) * unit;
    double gamma = nu / (1.0 - nu);
    return 4.0 * (gamma * x + 4.0 * unit * (x + s->bias_abs_max));
}

/* Scores held per block: 4M floats (16 MiB) keeps blocks of 64 users up to
 * 65k items and shrinks the block for larger catalogues. */
#define SCORE_BUDGET ((size_t)4 << 20)
#define BLOCK_MAX 64

size_t rec_serving_block_rows(const rec_serving *s)
{
    size_t block = SCORE_BUDGET / (s->n_items ? s->n_items : 1);
    return block < 1 ? 1 : block > BLOCK_MAX ? BLOCK_MAX : block;
}
