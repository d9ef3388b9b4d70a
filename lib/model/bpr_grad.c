#include "model/bpr_grad.h"

#include <math.h>

double rec_bpr_add_grad(const rec_kernels *k, const float *u, const float *i,
                        const float *j, size_t n, float scale, float reg, float *du,
                        float *di, float *dj)
{
    float x = k->dot(u, i, n) - k->dot(u, j, n);
    float g = (float)(1.0 / (1.0 + exp((double)x))) * scale;
    float r = reg * scale;
    k->axpy(-g, i, du, n);
    k->axpy(g, j, du, n);
    k->axpy(r, u, du, n);
    k->axpy(-g, u, di, n);
    k->axpy(r, i, di, n);
    k->axpy(g, u, dj, n);
    k->axpy(r, j, dj, n);
    return rec_softplus(-(double)x);
}
