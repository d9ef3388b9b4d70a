/* Argument checks shared by the public entry points. Each returns REC_OK or
 * REC_EINVAL with a message naming the function and the argument. */
#ifndef REC_API_UTIL_H
#define REC_API_UTIL_H

#include <stddef.h>
#include <stdint.h>

#include "core/error.h"

/* `what` is NULL. */
#define REC_CHECK_NULL(fn, ptr) \
    do { \
        if (!(ptr)) \
            return rec_error(REC_EINVAL, "%s: %s is NULL", fn, #ptr); \
    } while (0)

/* An options struct's version must be one this library knows: 1..current. */
int rec_check_version(const char *fn, const char *what, uint32_t version,
                      uint32_t current);

/* Copies a NUL-terminated string into buf, or REC_EINVAL if it does not fit. */
int rec_copy_out(const char *fn, const char *s, char *buf, size_t size);

#endif
