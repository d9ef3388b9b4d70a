#include "model/tuple_grad.h"

void rec_tuple_scores(const rec_kernels *kern, rec_scoring scoring, const rec_tuple *t,
                      size_t n, float *s)
{
    for (size_t q = 0; q <= t->k; q++)
        s[q] = scoring == REC_SCORING_DOT ? kern->dot(t->u, t->v[q], n)
                                          : -kern->sqdist(t->u, t->v[q], n);
}

double rec_tuple_grad(const rec_kernels *kern, const rec_loss *l, rec_scoring scoring,
                      const rec_tuple *t, size_t n, float scale, float *du, float *const *dv,
                      const rec_tuple_scratch *sc)
{
    rec_tuple_scores(kern, scoring, t, n, sc->s);
    double loss = rec_loss_eval(l, t->k, sc->s, t->weight, t->flip, sc->ds, sc->dflip);
    for (size_t q = 0; q <= t->k; q++) {
        float g = sc->ds[q] * scale;
        if (g == 0.0f)
            continue;
        if (scoring == REC_SCORING_DOT) {
            kern->axpy(g, t->v[q], du, n);
            kern->axpy(g, t->u, dv[q], n);
        } else {
            kern->axpy(2.0f * g, t->v[q], du, n);
            kern->axpy(-2.0f * g, t->u, du, n);
            kern->axpy(2.0f * g, t->u, dv[q], n);
            kern->axpy(-2.0f * g, t->v[q], dv[q], n);
        }
    }
    return loss;
}
