/* Public entry points of the core layer: version and errors. */
#include "librec/librec.h"

#include "core/error.h"

const char *rec_version_string(void)
{
    return REC_VERSION_STRING;
}

unsigned rec_version_number(void)
{
    return REC_VERSION_NUMBER;
}

const char *rec_strerror(int code)
{
    return rec_status_name(code);
}

const char *rec_last_error(void)
{
    return rec_error_message();
}
