/* The BPR loss of one (u, i, j) triple and its gradient, for optimizers
 * that accumulate gradients over a mini-batch (SGD steps use the fused
 * kernel bpr_sgd_step instead):
 *
 *   L = scale * [ softplus(-x) + reg/2 (|u|^2 + |i|^2 + |j|^2) ],  x = <u, i - j>
 *   dL/du = scale * (-g (i - j) + reg u)
 *   dL/di = scale * (-g u + reg i)
 *   dL/dj = scale * ( g u + reg j),       g = sigmoid(-x)
 */
#ifndef REC_MODEL_BPR_GRAD_H
#define REC_MODEL_BPR_GRAD_H

#include <stddef.h>

#include "kernels/kernels.h"

/* Adds the gradient to du, di, dj (rows of n floats) and returns
 * softplus(-x), the data term of the loss without scale. */
double rec_bpr_add_grad(const rec_kernels *k, const float *u, const float *i,
                        const float *j, size_t n, float scale, float reg, float *du,
                        float *di, float *dj);

#endif
