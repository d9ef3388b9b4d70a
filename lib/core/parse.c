#include "core/parse.h"

#include "core/c_locale.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* strtod in the "C" locale: data files and settings always use '.'. */
static double rec_strtod(const char *s, char **end)
{
    locale_t c = rec_c_locale();
    return c ? strtod_l(s, end, c) : strtod(s, end);
}

/* Longest text accepted as one number; longer spans are not numbers we
 * want to read (and would need a heap copy to NUL-terminate). */
#define NUMBER_MAX 127

static int copy_span(char *buf, const char *s, size_t len)
{
    if (len > NUMBER_MAX)
        return -1;
    memcpy(buf, s, len);
    buf[len] = '\0';
    /* strtod and strtoll accept leading spaces and embedded NULs would cut
     * the text short: refuse both so the whole span must be the number. */
    if (memchr(s, '\0', len) || (len && (buf[0] == ' ' || buf[0] == '\t' ||
                                         buf[0] == '\n' || buf[0] == '\r' ||
                                         buf[0] == '\f' || buf[0] == '\v')))
        return -1;
    return 0;
}

rec_parse_result rec_parse_double(const char *s, size_t len, double *out)
{
    char buf[NUMBER_MAX + 1];
    if (len == 0)
        return REC_PARSE_EMPTY;
    if (copy_span(buf, s, len) != 0)
        return REC_PARSE_INVALID;
    /* strtod accepts hexadecimal floats and "nan(...)"; data files use
     * decimal numbers, so only digits, sign, point and exponent may appear. */
    for (size_t i = 0; i < len; i++) {
        char c = buf[i];
        if (!((c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.' ||
              c == 'e' || c == 'E')) {
            /* Recognise nan/inf only to report them precisely. */
            char *end;
            double v = rec_strtod(buf, &end);
            if (*end == '\0' && !isfinite(v))
                return REC_PARSE_NONFINITE;
            return REC_PARSE_INVALID;
        }
    }
    char *end;
    errno = 0;
    double v = rec_strtod(buf, &end);
    if (end == buf || *end != '\0')
        return REC_PARSE_INVALID;
    if (errno == ERANGE && (v == HUGE_VAL || v == -HUGE_VAL))
        return REC_PARSE_RANGE;
    if (!isfinite(v))
        return REC_PARSE_NONFINITE;
    *out = v;
    return REC_PARSE_OK;
}

static int all_digits(const char *s, size_t len)
{
    if (len == 0)
        return 0;
    for (size_t i = 0; i < len; i++)
        if (s[i] < '0' || s[i] > '9')
            return 0;
    return 1;
}

rec_parse_result rec_parse_int64(const char *s, size_t len, int64_t *out)
{
    char buf[NUMBER_MAX + 1];
    if (len == 0)
        return REC_PARSE_EMPTY;
    if (copy_span(buf, s, len) != 0)
        return REC_PARSE_INVALID;
    size_t sign = (buf[0] == '-' || buf[0] == '+') ? 1 : 0;
    if (!all_digits(buf + sign, len - sign))
        return REC_PARSE_INVALID;
    errno = 0;
    long long v = strtoll(buf, NULL, 10);
    if (errno == ERANGE)
        return REC_PARSE_RANGE;
    *out = (int64_t)v;
    return REC_PARSE_OK;
}

rec_parse_result rec_parse_uint64(const char *s, size_t len, uint64_t *out)
{
    char buf[NUMBER_MAX + 1];
    if (len == 0)
        return REC_PARSE_EMPTY;
    if (copy_span(buf, s, len) != 0)
        return REC_PARSE_INVALID;
    size_t sign = buf[0] == '+' ? 1 : 0;
    if (!all_digits(buf + sign, len - sign))
        return REC_PARSE_INVALID;
    errno = 0;
    unsigned long long v = strtoull(buf, NULL, 10);
    if (errno == ERANGE)
        return REC_PARSE_RANGE;
    *out = (uint64_t)v;
    return REC_PARSE_OK;
}

const char *rec_parse_reason(rec_parse_result r)
{
    switch (r) {
    case REC_PARSE_OK:        return "is valid";
    case REC_PARSE_EMPTY:     return "is empty";
    case REC_PARSE_INVALID:   return "is not a number";
    case REC_PARSE_RANGE:     return "is out of range";
    case REC_PARSE_NONFINITE: return "is not a finite number";
    }
    return "is invalid";
}

void rec_excerpt(char *buf, size_t max, const char *s, size_t len)
{
    size_t n = len < max ? len : max;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        buf[i] = (c >= 0x20 && c < 0x7f) ? (char)c : '?';
    }
    if (len > max) {
        memcpy(buf + n, "...", 3);
        n += 3;
    }
    buf[n] = '\0';
}
