/* Row layout of every float matrix in librec (embedding tables, the serving
 * form, model files): rows start on REC_ALIGN-byte boundaries and have a
 * stride `ld` that is the dimension rounded up to a multiple of 16 floats,
 * padded with zeros. SIMD kernels then run on whole vectors, and padding
 * adds nothing to a dot product or a squared distance. */
#ifndef REC_CORE_LAYOUT_H
#define REC_CORE_LAYOUT_H

#include <stddef.h>

#define REC_LD_MULTIPLE 16
/* Largest embedding dimension accepted anywhere (options, model files). */
#define REC_DIM_MAX 65536

static inline size_t rec_ld_for(size_t dim)
{
    return (dim + REC_LD_MULTIPLE - 1) / REC_LD_MULTIPLE * REC_LD_MULTIPLE;
}

#endif
