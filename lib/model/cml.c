/* Collaborative metric learning (Hsieh, Yang, Cui, Lin, Belongie and
 * Estrin, WWW 2017) on the engine of model/mf_engine.h.
 *
 * Users and items are points of one space; score(u, i) = -|U[u] - V[i]|^2,
 * so recommending is finding the nearest items. Training pushes each
 * positive closer than its sampled negatives by a margin: by default the
 * paper's weighted approximate-rank hinge (the hardest of the negatives,
 * weighted by log(1 + the rank its share of violators suggests)); with
 * rank_weight = 0 the plain hinge averaged over the negatives; any other
 * loss of docs/losses.md can be chosen too. Every row is kept in the unit
 * ball, and a covariance term decorrelates the dimensions. */
#include <math.h>
#include <string.h>

#include "kernels/gemm.h"
#include "model/common_params.h"
#include "model/mf_engine.h"

static const rec_param_def cml_params[] = {
    REC_MF_PARAMS_HEAD("100", "0.01", "0", "cosine"),
    REC_PARAM_OPTIMIZER("sgd"),
    REC_PARAMS_OBJECTIVE("hinge", "1", "1", "uniform", "20"),
    { "rank_weight", REC_PARAM_BOOL, "1", 0, 1, 0, 0, NULL, "0|1",
      "with loss = hinge: the paper's weighted approximate-rank hinge on the hardest "
      "negative (1) or the plain hinge averaged over the negatives (0)" },
    { "cov_reg", REC_PARAM_FLOAT, "1", 0, 1000, 0, 0, NULL, "[0, 1000]",
      "weight of the covariance term: the squared off-diagonal covariances of the "
      "unit's user and positive rows" },
    /* A cosine schedule must run its course: no early stopping. */
    REC_MF_PARAMS_TAIL("20", "0"),
};

void rec_cml_clip(float *row, size_t n)
{
    double sq = 0.0;
    for (size_t c = 0; c < n; c++)
        sq += (double)row[c] * row[c];
    if (sq <= 1.0)
        return;
    float f = (float)(1.0 / sqrt(sq));
    for (size_t c = 0; c < n; c++)
        row[c] *= f;
}

/* With X the n gathered rows centred and C = X^T X / n, the term is
 * cov_reg * sum_{a != b} C_ab^2, whose gradient is 4 cov_reg / n X C' with
 * C' the off-diagonal part of C. Centring needs no term of its own: the
 * rows of X C' sum to zero, as those of X do. */
double rec_cml_covariance_grad(const mf_run *r, rec_mf_worker *w, size_t n)
{
    size_t d = r->U.dim, ld = r->U.ld;
    float *X = w->cov_x, *C = w->cov_c;
    /* The column means, row by row (rows are contiguous), in the first
     * row of the gradient, which the last product overwrites. */
    float *mean = w->cov_g;
    for (size_t c = 0; c < d; c++)
        mean[c] = 0.0f;
    for (size_t s = 0; s < n; s++)
        for (size_t c = 0; c < d; c++)
            mean[c] += X[s * ld + c];
    for (size_t c = 0; c < d; c++)
        mean[c] /= (float)n;
    for (size_t s = 0; s < n; s++)
        for (size_t c = 0; c < d; c++)
            X[s * ld + c] -= mean[c];
    rec_gemm(1, 0, d, d, n, 1.0f / (float)n, X, ld, X, ld, 0.0f, C, d);
    double loss = 0.0;
    for (size_t a = 0; a < d; a++) {
        for (size_t b = 0; b < d; b++)
            loss += a == b ? 0.0 : (double)C[a * d + b] * C[a * d + b];
        C[a * d + a] = 0.0f;
    }
    rec_gemm(0, 0, n, d, d, 4.0f * r->cov_reg / (float)n, X, ld, C, d, 0.0f, w->cov_g, ld);
    return r->cov_reg * loss;
}

REC_MF_FAMILY(rec_family_cml, "cml",
              "collaborative metric learning: users and items in one space, scored by "
              "negative squared distance",
              cml_params, REC_MF_CML);
