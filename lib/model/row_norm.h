/* The row normalisation x / max(|x|, 1e-6) that NGCF and KGAT apply to each
 * layer's output (TensorFlow's l2_normalize with its floor of 1e-12 on the
 * squared norm), and its gradient. */
#ifndef REC_MODEL_ROW_NORM_H
#define REC_MODEL_ROW_NORM_H

#include <stddef.h>

/* out[0..d) = x / max(|x|, 1e-6); the factor 1 / max(...) into *inv_norm
 * when not NULL. */
void rec_row_normalise(const float *x, float *out, size_t d, float *inv_norm);
/* dx[0..d) += the gradient at x of g . (x / max(|x|, 1e-6)). */
void rec_row_normalise_backward(const float *x, const float *g, float *dx, size_t d);

#endif
