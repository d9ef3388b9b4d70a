/* Chooses the kernel variant once, at first use, from what the CPU (and the
 * OS, which must save the wider registers) supports: avx512 > avx2 > scalar.
 * The CPU check and the choice are the only mutable global state of the
 * kernels layer, written exactly once under pthread_once. There is
 * deliberately no environment override: tests and benchmarks name a variant
 * through rec_kernels_variant(). */
#include <pthread.h>
#include <string.h>

#include "kernels/variants.h"

static pthread_once_t detect_once = PTHREAD_ONCE_INIT;
static const rec_kernels *avx2_ok;     /* NULL when unsupported */
static const rec_kernels *avx512_ok;
static const rec_kernels *best;

static void detect(void)
{
#ifdef REC_HAVE_X86_SIMD
    /* libgcc's feature bits include the OS check (XGETBV) for the YMM and
     * ZMM state, not only CPUID. The avx512 file is compiled with -mfma as
     * well, so it needs everything the avx2 one does. */
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) {
        avx2_ok = rec_kernels_avx2();
        if (__builtin_cpu_supports("avx512f") &&
            __builtin_cpu_supports("avx512dq") &&
            __builtin_cpu_supports("avx512bw") &&
            __builtin_cpu_supports("avx512vl"))
            avx512_ok = rec_kernels_avx512();
    }
#endif
    best = avx512_ok ? avx512_ok : avx2_ok ? avx2_ok : rec_kernels_scalar();
}

const rec_kernels *rec_kernels_get(void)
{
    pthread_once(&detect_once, detect);
    return best;
}

const char *rec_kernels_built(void)
{
#ifdef REC_HAVE_X86_SIMD
    return "scalar avx2 avx512";
#else
    return "scalar";
#endif
}

const rec_kernels *rec_kernels_variant(const char *name)
{
    pthread_once(&detect_once, detect);
    if (!name)
        return NULL;
    if (strcmp(name, "scalar") == 0)
        return rec_kernels_scalar();
    if (strcmp(name, "avx2") == 0)
        return avx2_ok;
    if (strcmp(name, "avx512") == 0)
        return avx512_ok;
    return NULL;
}
