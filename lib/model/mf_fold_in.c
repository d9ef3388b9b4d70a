/* Fold-in for the families of the engine (model/mf_engine.h): a vector for
 * a user who was not in training, from the items they interacted with and
 * the trained item vectors V alone.
 *
 * Inner-product families (mf, relmf, nbpo): the ridge regression of the
 * user's items onto 1, the implicit-feedback fold-in of Hu, Koren and
 * Volinsky (ICDM 2008) with every weight 1:
 *
 *   u = argmin sum_{i in I} (1 - <u, V[i]>)^2 + lambda |u|^2
 *     = (V_I^T V_I + lambda I)^-1 V_I^T 1,
 *
 * solved by a Cholesky factorisation of the dim x dim system in double.
 * lambda = REC_FOLD_IN_RIDGE * trace(V_I^T V_I) / dim, that many times the
 * mean eigenvalue of V_I^T V_I: the ranking then does not depend on the
 * scale of the item vectors, which differs by a factor of six between the
 * families. The training setting `reg` is not used: it weighs a different
 * loss per SGD step, and as a ridge it lets the vector fit the user's items
 * exactly (docs/models.md has the measurements). No items, or only zero
 * vectors, give the zero vector.
 *
 * cml: the point that minimises the summed squared distance to the user's
 * items, sum_{i in I} |u - V[i]|^2, is their centroid. Training keeps every
 * row in the unit ball, and the centroid of points in a ball lies in it, so
 * the clip to the unit ball that follows only removes rounding (or a
 * model's rows that left the ball): the vector is a point of the space
 * training keeps users in. */
#include <math.h>

#include "core/alloc.h"
#include "core/error.h"
#include "model/item_set.h"
#include "model/mf_engine.h"
#include "model/model.h"

/* Solves A x = b for a symmetric positive definite A (n x n, row-major, its
 * lower triangle overwritten by the Cholesky factor L). 0 if A is not
 * positive definite to working precision. */
static int cholesky_solve(double *A, size_t n, double *b)
{
    for (size_t j = 0; j < n; j++) {
        double d = A[j * n + j];
        for (size_t k = 0; k < j; k++)
            d -= A[j * n + k] * A[j * n + k];
        if (!(d > 0.0))
            return 0;
        A[j * n + j] = sqrt(d);
        for (size_t i = j + 1; i < n; i++) {
            double x = A[i * n + j];
            for (size_t k = 0; k < j; k++)
                x -= A[i * n + k] * A[j * n + k];
            A[i * n + j] = x / A[j * n + j];
        }
    }
    for (size_t i = 0; i < n; i++) { /* L y = b */
        for (size_t k = 0; k < i; k++)
            b[i] -= A[i * n + k] * b[k];
        b[i] /= A[i * n + i];
    }
    for (size_t i = n; i-- > 0;) { /* L^T x = y */
        for (size_t k = i + 1; k < n; k++)
            b[i] -= A[k * n + i] * b[k];
        b[i] /= A[i * n + i];
    }
    return 1;
}

int rec_mf_fold_in(const struct rec_model *m, const uint32_t *items, size_t n, float *out)
{
    const rec_serving *s = &m->serving;
    size_t d = s->dim, count;
    uint32_t *set = rec_item_set(items, n, &count);
    double *A = rec_calloc(d * d, sizeof *A), *b = rec_calloc(d, sizeof *b);
    if (!set || !A || !b) {
        rec_free(set);
        rec_free(A);
        rec_free(b);
        return rec_error_nomem();
    }
    /* The lower triangle of V_I^T V_I + lambda I, and V_I^T 1. */
    for (size_t j = 0; j < count; j++) {
        const float *v = rec_serving_item(s, set[j]);
        for (size_t r = 0; r < d; r++) {
            b[r] += v[r];
            for (size_t c = 0; c <= r; c++)
                A[r * d + c] += (double)v[r] * v[c];
        }
    }
    double trace = 0.0;
    for (size_t r = 0; r < d; r++)
        trace += A[r * d + r];
    double lambda = REC_FOLD_IN_RIDGE * trace / (double)d;
    for (size_t r = 0; r < d; r++)
        A[r * d + r] += lambda;
    int ok = trace > 0.0 ? cholesky_solve(A, d, b) : 1; /* else b is 0 */
    for (size_t r = 0; ok && r < d; r++)
        out[r] = trace > 0.0 ? (float)b[r] : 0.0f;
    rec_free(set);
    rec_free(A);
    rec_free(b);
    if (!ok)
        return rec_error(REC_EINVAL, "rec_model_fold_in: the least-squares system is not "
                         "positive definite (the item vectors are not finite)");
    return REC_OK;
}

int rec_cml_fold_in(const struct rec_model *m, const uint32_t *items, size_t n, float *out)
{
    const rec_serving *s = &m->serving;
    size_t d = s->dim, count;
    uint32_t *set = rec_item_set(items, n, &count);
    double *sum = rec_calloc(d, sizeof *sum);
    if (!set || !sum) {
        rec_free(set);
        rec_free(sum);
        return rec_error_nomem();
    }
    for (size_t j = 0; j < count; j++) {
        const float *v = rec_serving_item(s, set[j]);
        for (size_t c = 0; c < d; c++)
            sum[c] += v[c];
    }
    for (size_t c = 0; c < d; c++)
        out[c] = count ? (float)(sum[c] / (double)count) : 0.0f;
    rec_cml_clip(out, d);
    rec_free(set);
    rec_free(sum);
    return REC_OK;
}
