/* Dense matrix products through BLIS, always on the calling thread (callers
 * parallelise over blocks themselves, so BLIS never starts threads of its
 * own on top of librec's). Matrices are row-major with a leading dimension
 * (row stride) in floats. Shapes are the caller's to get right: BLIS aborts
 * on bad ones, so these wrappers are only called with sizes derived from
 * validated data. */
#ifndef REC_KERNELS_GEMM_H
#define REC_KERNELS_GEMM_H

#include <stddef.h>

/* C (m x n) = alpha op(A) op(B) + beta C, op(X) = X or X^T; op(A) is m x k,
 * op(B) is k x n. */
void rec_gemm(int trans_a, int trans_b, size_t m, size_t n, size_t k, float alpha,
              const float *A, size_t lda, const float *B, size_t ldb, float beta,
              float *C, size_t ldc);

/* The BLIS library loaded at run time (Debian installs its serial, pthreads
 * and OpenMP builds as alternatives of one SONAME): its version, its
 * threading model ("openmp", "pthreads", "none", or "other" for one this
 * code does not name) and the configuration it chose for this CPU, e.g.
 * "haswell". Static strings. */
void rec_blis_info(const char **version, const char **threading, const char **arch);

#endif
