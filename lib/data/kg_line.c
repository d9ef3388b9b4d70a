#include "data/kg_line.h"

#include <string.h>

#include "core/error.h"
#include "core/parse.h"
#include "data/dataset.h"

int rec_kg_line_split(rec_kg_line *l, const char *s, size_t len)
{
    /* Drop the terminator, CRLF included; a CR anywhere else stays in a
     * field and is refused there, as the adjacency-list loader does. */
    if (len && s[len - 1] == '\n')
        len--;
    if (len && s[len - 1] == '\r')
        len--;
    while (len && s[len - 1] == ' ')
        len--;
    size_t i = 0;
    while (i < len && s[i] == ' ')
        i++;
    l->n = 0;
    size_t j = i;
    while (j < len && (s[j] == ' ' || s[j] == '\t'))
        j++;
    if (j == len)
        return 0; /* nothing but blanks */
    for (;;) {
        size_t start = i;
        while (i < len && s[i] != ' ' && s[i] != '\t')
            i++;
        if (l->n < REC_KG_MAX_FIELDS) {
            l->field[l->n] = s + start;
            l->len[l->n] = i - start;
        }
        l->n++;
        if (i == len)
            break;
        /* One separator: spaces, at most one tab, spaces. */
        while (i < len && s[i] == ' ')
            i++;
        if (i < len && s[i] == '\t')
            i++;
        while (i < len && s[i] == ' ')
            i++;
    }
    if (l->n > REC_KG_MAX_FIELDS)
        l->n = REC_KG_MAX_FIELDS;
    return 1;
}

/* "name:type": one colon, a non-empty name and a type of lowercase letters
 * and '_' (token, token_seq, float, float_seq), so that ids such as
 * "http://x" or "a:1" are not mistaken for column names. */
static int typed_name(const char *s, size_t len)
{
    const char *colon = memchr(s, ':', len);
    if (!colon || colon == s || (size_t)(colon - s) + 1 == len)
        return 0;
    for (const char *p = colon + 1; p < s + len; p++)
        if (!((*p >= 'a' && *p <= 'z') || *p == '_'))
            return 0;
    return 1;
}

int rec_kg_line_is_header(const rec_kg_line *l)
{
    for (size_t k = 0; k < l->n; k++)
        if (!typed_name(l->field[k], l->len[k]))
            return 0;
    return l->n > 0;
}

/* A CR is reported before a wrong field count: in a file with old Mac line
 * endings a whole file reads as one line of many fields, and the line
 * endings are what the message should name. */
static int check_cr(const rec_kg_line *l, size_t want, const char *const *names)
{
    for (size_t k = 0; k < l->n; k++)
        if (memchr(l->field[k], '\r', l->len[k]))
            return rec_error(REC_EFORMAT, "%s:%zu: field %zu (%s): id contains a carriage "
                             "return (line endings must be LF or CRLF)", l->path, l->line,
                             k + 1, k < want ? names[k] : "extra");
    return REC_OK;
}

int rec_kg_line_check(const rec_kg_line *l, size_t want, const char *const *names)
{
    if (check_cr(l, want, names))
        return REC_EFORMAT;
    if (l->n != want)
        return rec_error(REC_EFORMAT, "%s:%zu: expected %zu fields, found %s%zu", l->path,
                         l->line, want, l->n == REC_KG_MAX_FIELDS ? "at least " : "",
                         l->n);
    for (size_t k = 0; k < want; k++) {
        const char *problem = rec_id_problem(l->field[k], l->len[k]);
        if (!problem)
            continue;
        if (l->len[k] == 0)
            return rec_error(REC_EFORMAT, "%s:%zu: field %zu (%s): %s", l->path, l->line,
                             k + 1, names[k], problem);
        char ex[64 + 4];
        rec_excerpt(ex, 64, l->field[k], l->len[k]);
        return rec_error(REC_EFORMAT, "%s:%zu: field %zu (%s): %s ('%s')", l->path, l->line,
                         k + 1, names[k], problem, ex);
    }
    return REC_OK;
}
