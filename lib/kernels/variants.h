/* Internal to lib/kernels/: the variant getters that dispatch.c chooses
 * from, and the one scalar step every BPR variant shares. */
#ifndef REC_KERNELS_VARIANTS_H
#define REC_KERNELS_VARIANTS_H

#include <math.h>

#include "kernels/kernels.h"

const rec_kernels *rec_kernels_scalar(void);
/* Defined only when REC_HAVE_X86_SIMD is (x86_64 builds), and to be called
 * only after checking the CPU (dispatch.c). */
const rec_kernels *rec_kernels_avx2(void);
const rec_kernels *rec_kernels_avx512(void);

/* g = sigmoid(-x) = 1 / (1 + e^x) of the BPR step. Every variant computes it
 * here, once per step and in scalar code, so that the variants differ only
 * in the rounding of their vector arithmetic. expf overflows to +inf for
 * large x (g = 0) and underflows to 0 for very negative x (g = 1): both are
 * the right limits, so no clamping is needed. */
static inline float rec_bpr_gain(float x)
{
    return 1.0f / (1.0f + expf(x));
}

#endif
