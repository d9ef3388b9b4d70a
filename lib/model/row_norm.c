/* Row normalisation of layer outputs (model/row_norm.h). */
#include <math.h>

#include "model/row_norm.h"

#define NORM_EPS 1e-12   /* l2_normalize's floor on the squared norm */

void rec_row_normalise(const float *x, float *out, size_t d, float *inv_norm)
{
    double sq = 0.0;
    for (size_t c = 0; c < d; c++)
        sq += (double)x[c] * x[c];
    float inv = (float)(1.0 / sqrt(sq > NORM_EPS ? sq : NORM_EPS));
    for (size_t c = 0; c < d; c++)
        out[c] = x[c] * inv;
    if (inv_norm)
        *inv_norm = inv;
}

/* (g - N (N.g)) / |x| with N = x / |x|, or g / 1e-6 below the floor, where
 * N is a plain scaling of x. */
void rec_row_normalise_backward(const float *x, const float *g, float *dx, size_t d)
{
    double sq = 0.0, ng = 0.0;
    for (size_t c = 0; c < d; c++)
        sq += (double)x[c] * x[c];
    if (sq <= NORM_EPS) {
        float inv = (float)(1.0 / sqrt(NORM_EPS));
        for (size_t c = 0; c < d; c++)
            dx[c] += g[c] * inv;
        return;
    }
    double inv = 1.0 / sqrt(sq);
    for (size_t c = 0; c < d; c++)
        ng += (double)x[c] * inv * g[c];
    for (size_t c = 0; c < d; c++)
        dx[c] += (float)((g[c] - x[c] * inv * ng) * inv);
}
