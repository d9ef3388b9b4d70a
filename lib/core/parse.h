/* Strict parsing of numbers from text that is not necessarily
 * NUL-terminated. The whole span must be the number: no leading or trailing
 * characters (callers trim what their format allows). */
#ifndef REC_CORE_PARSE_H
#define REC_CORE_PARSE_H

#include <stddef.h>
#include <stdint.h>

typedef enum rec_parse_result {
    REC_PARSE_OK = 0,
    REC_PARSE_EMPTY,      /* nothing to parse */
    REC_PARSE_INVALID,    /* not a number of the requested kind */
    REC_PARSE_RANGE,      /* a number, but outside the type's range */
    REC_PARSE_NONFINITE,  /* NaN or infinity (doubles only) */
} rec_parse_result;

/* A finite double: decimal or scientific notation, as strtod reads it.
 * "nan", "inf" and values that overflow are refused. */
rec_parse_result rec_parse_double(const char *s, size_t len, double *out);
/* A decimal integer with optional sign. */
rec_parse_result rec_parse_int64(const char *s, size_t len, int64_t *out);
/* A decimal integer without sign. */
rec_parse_result rec_parse_uint64(const char *s, size_t len, uint64_t *out);

/* Human-readable reason for a parse result ("is not a number", ...). */
const char *rec_parse_reason(rec_parse_result r);

/* Copies at most `max` bytes of s into buf as a printable, NUL-terminated
 * excerpt for error messages: control bytes and non-ASCII become '?', and a
 * cut excerpt ends in "...". buf must hold max + 4 bytes. */
void rec_excerpt(char *buf, size_t max, const char *s, size_t len);

#endif
