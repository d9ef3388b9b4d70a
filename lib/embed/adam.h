/* Adam with lazy sparse-row updates (the semantics of TensorFlow's LazyAdam
 * and PyTorch's SparseAdam): only rows that received a gradient in a step
 * have their moments and weights updated, and bias correction uses the
 * global step count. Embedding gradients touch a few thousand rows per
 * mini-batch, so dense Adam would spend almost all of its time decaying
 * moments of rows nobody touched. */
#ifndef REC_EMBED_ADAM_H
#define REC_EMBED_ADAM_H

#include <stdatomic.h>
#include <stdint.h>

#include "embed/table.h"

typedef struct rec_adam {
    rec_table m;         /* first moments, same shape as the weights */
    rec_table v;         /* second moments */
    float beta1, beta2, eps;
} rec_adam;

/* Zeroed moments for a table of rows x dim. REC_ENOMEM (no message). */
int rec_adam_init(rec_adam *a, size_t rows, size_t dim, float beta1,
                  float beta2, float eps);
void rec_adam_free(rec_adam *a);

/* The step size of global step t (1-based) with bias correction folded in:
 * lr * sqrt(1 - beta2^t) / (1 - beta1^t). */
float rec_adam_step_size(const rec_adam *a, float lr, uint64_t t);

#endif
