#include "core/error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* One message per thread, so concurrent callers never see each other's
 * errors. 1 KiB holds any message we write; longer ones are truncated. */
static _Thread_local char error_message[1024];

static void set_message(const char *fmt, va_list ap)
{
    vsnprintf(error_message, sizeof error_message, fmt, ap);
}

int rec_error(int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    set_message(fmt, ap);
    va_end(ap);
    return code;
}

int rec_error_context(int code, const char *fmt, ...)
{
    char old[sizeof error_message];
    memcpy(old, error_message, sizeof old);

    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(error_message, sizeof error_message, fmt, ap);
    va_end(ap);
    if (n >= 0 && (size_t)n < sizeof error_message)
        snprintf(error_message + n, sizeof error_message - (size_t)n, "%s", old);
    return code;
}

int rec_error_nomem(void)
{
    return rec_error(REC_ENOMEM, "out of memory");
}

void rec_error_clear(void)
{
    error_message[0] = '\0';
}

const char *rec_error_message(void)
{
    return error_message;
}

const char *rec_status_name(int code)
{
    switch (code) {
    case REC_OK:           return "success";
    case REC_EINVAL:       return "invalid argument";
    case REC_ENOMEM:       return "out of memory";
    case REC_EIO:          return "input/output error";
    case REC_EFORMAT:      return "malformed input";
    case REC_ECORRUPT:     return "corrupted model file";
    case REC_EVERSION:     return "unsupported model file version";
    case REC_ENOTFOUND:    return "not found";
    case REC_EUNSUPPORTED: return "not supported";
    case REC_ECANCELED:    return "canceled";
    case REC_ELIMIT:       return "size limit exceeded";
    default:               return "unknown error";
    }
}
