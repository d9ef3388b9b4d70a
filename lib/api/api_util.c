#include "api/api_util.h"

#include <string.h>

int rec_check_version(const char *fn, const char *what, uint32_t version,
                      uint32_t current)
{
    if (version == 0 || version > current)
        return rec_error(REC_EINVAL,
                         "%s: %s->version is %u; this library reads versions 1 to %u "
                         "(initialise the struct with its _INIT macro or _init function)",
                         fn, what, (unsigned)version, (unsigned)current);
    return REC_OK;
}

int rec_copy_out(const char *fn, const char *s, char *buf, size_t size)
{
    size_t n = strlen(s);
    if (n >= size)
        return rec_error(REC_EINVAL, "%s: the buffer holds %zu bytes; %zu are needed",
                         fn, size, n + 1);
    memcpy(buf, s, n + 1);
    return REC_OK;
}
