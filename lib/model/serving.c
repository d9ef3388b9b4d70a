#include "model/serving.h"

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

int rec_serving_finish(rec_serving *s)
{
    rec_free(s->item_sqnorm);
    s->item_sqnorm = NULL;
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
