#include "kernels/gemm.h"

#include <blis.h>

void rec_blis_info(const char **version, const char **threading, const char **arch)
{
    *version = bli_info_get_version_str();
    if (bli_info_get_enable_openmp())
        *threading = "openmp";
    else if (bli_info_get_enable_pthreads())
        *threading = "pthreads";
    else if (bli_info_get_enable_threading())
        *threading = "other";
    else
        *threading = "none";
    *arch = bli_arch_string(bli_arch_query_id());
}

void rec_gemm(int trans_a, int trans_b, size_t m, size_t n, size_t k, float alpha,
              const float *A, size_t lda, const float *B, size_t ldb, float beta,
              float *C, size_t ldc)
{
    if (m == 0 || n == 0)
        return;
    rntm_t rntm = BLIS_RNTM_INITIALIZER;
    bli_rntm_set_num_threads(1, &rntm);
    bli_sgemm_ex(trans_a ? BLIS_TRANSPOSE : BLIS_NO_TRANSPOSE,
                 trans_b ? BLIS_TRANSPOSE : BLIS_NO_TRANSPOSE,
                 (dim_t)m, (dim_t)n, (dim_t)k, &alpha,
                 (float *)A, (inc_t)lda, 1, (float *)B, (inc_t)ldb, 1,
                 &beta, C, (inc_t)ldc, 1, NULL, &rntm);
}
