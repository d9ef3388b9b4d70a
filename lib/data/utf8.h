/* UTF-8 validation for external ids. */
#ifndef REC_DATA_UTF8_H
#define REC_DATA_UTF8_H

#include <stddef.h>

/* 1 if s[0..len) is well-formed UTF-8 (RFC 3629: no overlong forms, no
 * surrogates, nothing above U+10FFFF), 0 otherwise. */
int rec_utf8_valid(const char *s, size_t len);

#endif
