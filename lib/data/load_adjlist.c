/* Adjacency lists, "user item item ...": one user per line, fields
 * separated by runs of spaces or tabs. A hand-written tokenizer: this is
 * the format of the large benchmark files (Gowalla, Yelp, Amazon-Book) and
 * it needs no quoting. */
#include <string.h>

#include "core/error.h"
#include "data/lines.h"
#include "data/loaders.h"

static inline int is_sep(char c)
{
    return c == ' ' || c == '\t';
}

/* Next token at or after *pos in s[0..len): 1 and its span, or 0. */
static inline int next_token(const char *s, size_t len, size_t *pos,
                             const char **tok, size_t *tok_len)
{
    size_t i = *pos;
    while (i < len && is_sep(s[i]))
        i++;
    if (i == len)
        return 0;
    size_t start = i;
    while (i < len && !is_sep(s[i]))
        i++;
    *tok = s + start;
    *tok_len = i - start;
    *pos = i;
    return 1;
}

/* A carriage return left inside a line (the file has old Mac line endings,
 * or stray CRs) would otherwise become part of an id: "u a\rv b" read as
 * one user with items "a\rv" and "b". Refused as malformed instead. */
static int check_token(rec_builder *b, size_t line, const char *what, int field,
                       const char *tok, size_t tok_len)
{
    if (memchr(tok, '\r', tok_len))
        return rec_builder_error(b, line, REC_EFORMAT,
                                 "field %d (%s): id contains a carriage return (line "
                                 "endings must be LF or CRLF)", field, what);
    return rec_builder_check_id(b, line, what, field, tok, tok_len);
}

static int add_line(rec_builder *b, size_t line, const char *s, size_t len)
{
    size_t pos = 0;
    const char *user, *tok;
    size_t user_len, tok_len;
    if (!next_token(s, len, &pos, &user, &user_len))
        return REC_OK; /* blank line */

    /* Check every id first, so that a malformed line is skipped whole
     * rather than half added. */
    int rc = check_token(b, line, "user", 1, user, user_len);
    size_t after_user = pos;
    int field = 2;
    while (rc == REC_OK && next_token(s, len, &pos, &tok, &tok_len))
        rc = check_token(b, line, "item", field++, tok, tok_len);
    if (rc)
        return rec_builder_bad_row(b, rc);

    if (field == 2)
        return rec_builder_add_user(b, line, user, user_len);
    pos = after_user;
    field = 2;
    while (next_token(s, len, &pos, &tok, &tok_len)) {
        rc = rec_builder_add(b, line, user, user_len, 1, tok, tok_len, field++,
                             1.0f, 0.0);
        if (rc)
            return rc; /* ids are valid: only policy refusals and resource errors */
    }
    return REC_OK;
}

int rec_data_load_adjlist(rec_dataset **out, const char *path,
                          const rec_load_options *load, const rec_dataset *ref)
{
    *out = NULL;
    rec_lines lr;
    rec_builder *b = NULL;
    int rc = rec_lines_open(&lr, path);
    if (rc == REC_OK)
        rc = rec_builder_new(&b, path, "line", load, ref, 0, 0);
    const char *s;
    size_t len;
    int got = 0;
    while (rc == REC_OK && (got = rec_lines_next(&lr, &s, &len)) == 1) {
        /* Drop the line terminator, CRLF included. */
        if (len && s[len - 1] == '\n')
            len--;
        if (len && s[len - 1] == '\r')
            len--;
        rc = add_line(b, lr.line, s, len);
    }
    if (rc == REC_OK && got < 0)
        rc = got;
    rec_lines_close(&lr);
    if (rc == REC_OK) {
        rc = rec_builder_finish(b, out);
        b = NULL;
    }
    rec_builder_free(b);
    return rc;
}
