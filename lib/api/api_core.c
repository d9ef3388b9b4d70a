/* Public entry points of the core layer: version, build and errors. */
#include "librec/librec.h"

#include "api/api_util.h"
#include "core/error.h"
#include "core/threads.h"
#include "kernels/gemm.h"
#include "kernels/kernels.h"

#if defined(__clang__)
#define REC_COMPILER "clang " __clang_version__
#elif defined(__GNUC__)
#define REC_COMPILER "gcc " __VERSION__
#else
#define REC_COMPILER "unknown"
#endif

const char *rec_version_string(void)
{
    return REC_VERSION_STRING;
}

unsigned rec_version_number(void)
{
    return REC_VERSION_NUMBER;
}

int rec_build_info_get(rec_build_info *info)
{
    static const char fn[] = "rec_build_info_get";
    REC_CHECK_NULL(fn, info);
    int rc = rec_check_version(fn, "info", info->version, REC_BUILD_INFO_VERSION);
    if (rc != REC_OK)
        return rc;
    /* Version 1 is the whole struct; a later version fills its fields only
     * when info->version has them. */
    info->library_version = REC_VERSION_STRING;
    info->threading = rec_threads_model();
    info->default_threads = rec_threads_resolve(0);
    info->simd = rec_kernels_get()->name;
    info->simd_built = rec_kernels_built();
    rec_blis_info(&info->blis_version, &info->blis_threading, &info->blis_arch);
    info->compiler = REC_COMPILER;
    return REC_OK;
}

const char *rec_strerror(int code)
{
    return rec_status_name(code);
}

const char *rec_last_error(void)
{
    return rec_error_message();
}
