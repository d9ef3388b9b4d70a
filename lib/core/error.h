/* Status codes and the thread-local error message behind rec_last_error(). */
#ifndef REC_CORE_ERROR_H
#define REC_CORE_ERROR_H

#include "librec/librec.h"

#if defined(__GNUC__)
#  define REC_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#  define REC_PRINTF(f, a)
#endif

/* Records a message for rec_last_error() and returns `code`, so that error
 * paths read `return rec_error(REC_EINVAL, "k must be > 0");`. */
int rec_error(int code, const char *fmt, ...) REC_PRINTF(2, 3);

/* Prepends context to the current message ("loading 'm.rec': " + old) and
 * returns `code`. For a layer that adds what it knows to a lower layer's
 * message. */
int rec_error_context(int code, const char *fmt, ...) REC_PRINTF(2, 3);

/* The standard out-of-memory error. */
int rec_error_nomem(void);

/* Static English name of a status code (rec_strerror). */
const char *rec_status_name(int code);

void rec_error_clear(void);
const char *rec_error_message(void);

#endif
