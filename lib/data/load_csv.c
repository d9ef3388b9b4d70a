/* Delimited text through libcsv in strict mode. The file is fed to the
 * parser one line at a time so that every row knows the line it started on
 * (a quoted field may span lines; messages name the row's first line). */
#include <csv.h>
#include <math.h>
#include <string.h>

#include "core/alloc.h"
#include "core/error.h"
#include "core/parse.h"
#include "data/lines.h"
#include "data/loaders.h"

#define EXCERPT 64

typedef struct field_buf {
    char *s;
    size_t len;
    size_t cap;
} field_buf;

typedef struct number {
    double value;
    rec_parse_result res;
    char excerpt[EXCERPT + 4];
} number;

typedef struct csv_ctx {
    rec_builder *b;
    const rec_csv_options *csv;
    size_t need;            /* fields a row must have */
    size_t line;            /* line being fed */
    int in_row;             /* a row has begun and not ended */
    size_t row_line;        /* line the current row began on */
    size_t field;           /* fields of the current row seen so far */
    int header_pending;
    field_buf user, item;
    number rating, time;
    int rc;                 /* a fatal error: ignore the rest */
} csv_ctx;

/* libcsv trims spaces and tabs around unquoted fields; the delimiter itself
 * must never count as space, or empty fields would vanish. libcsv takes a
 * plain function pointer, hence one function per case. */
static int space_or_tab(unsigned char c) { return c == ' ' || c == '\t'; }
static int space_only(unsigned char c) { return c == ' '; }
static int tab_only(unsigned char c) { return c == '\t'; }

static int (*space_func(char delimiter))(unsigned char)
{
    if (delimiter == '\t')
        return space_only;
    if (delimiter == ' ')
        return tab_only;
    return space_or_tab;
}

/* libcsv allocates through these, so injected allocation failures reach it. */
static void *csv_realloc(void *p, size_t size)
{
    return rec_realloc_array(p, size, 1);
}

static void parser_init(struct csv_parser *p, const rec_csv_options *csv)
{
    csv_init(p, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL);
    csv_set_delim(p, (unsigned char)csv->delimiter);
    csv_set_quote(p, (unsigned char)csv->quote);
    csv_set_space_func(p, space_func(csv->delimiter));
    csv_set_realloc_func(p, csv_realloc);
    csv_set_free_func(p, rec_free);
}

static void copy_field(csv_ctx *c, field_buf *f, const char *s, size_t len)
{
    if (rec_grow((void **)&f->s, &f->cap, len + 1, 1) != 0) {
        c->rc = rec_error_nomem();
        return;
    }
    memcpy(f->s, s, len);
    f->s[len] = '\0';
    f->len = len;
}

static void parse_number(number *n, const char *s, size_t len, int is_float)
{
    n->res = rec_parse_double(s, len, &n->value);
    if (n->res == REC_PARSE_OK && is_float && !isfinite((float)n->value))
        n->res = REC_PARSE_RANGE;
    if (n->res != REC_PARSE_OK)
        rec_excerpt(n->excerpt, EXCERPT, s, len);
}

static void on_field(void *s, size_t len, void *data)
{
    csv_ctx *c = data;
    if (c->rc)
        return;
    if (!c->in_row) {
        c->in_row = 1;
        c->row_line = c->line;
    }
    size_t f = c->field++;
    if (c->header_pending)
        return;
    const rec_csv_options *o = c->csv;
    if (f == (size_t)o->user_col)
        copy_field(c, &c->user, s, len);
    else if (f == (size_t)o->item_col)
        copy_field(c, &c->item, s, len);
    else if (o->rating_col >= 0 && f == (size_t)o->rating_col)
        parse_number(&c->rating, s, len, 1);
    else if (o->time_col >= 0 && f == (size_t)o->time_col)
        parse_number(&c->time, s, len, 0);
}

static int number_error(const csv_ctx *c, size_t line, int col, const char *what,
                        const number *n)
{
    if (n->res == REC_PARSE_EMPTY)
        return rec_builder_error(c->b, line, REC_EFORMAT, "field %d (%s) is empty",
                                 col + 1, what);
    return rec_builder_error(c->b, line, REC_EFORMAT, "field %d (%s): '%s' %s",
                             col + 1, what, n->excerpt, rec_parse_reason(n->res));
}

static void on_row(int term, void *data)
{
    (void)term;
    csv_ctx *c = data;
    size_t line = c->row_line, fields = c->field;
    c->in_row = 0;
    c->field = 0;
    if (c->rc)
        return;
    if (c->header_pending) {
        c->header_pending = 0;
        return;
    }
    const rec_csv_options *o = c->csv;
    int rc;
    if (fields < c->need)
        rc = rec_builder_error(c->b, line, REC_EFORMAT,
                               "expected at least %zu fields, found %zu", c->need, fields);
    else if (o->rating_col >= 0 && c->rating.res != REC_PARSE_OK)
        rc = number_error(c, line, o->rating_col, "rating", &c->rating);
    else if (o->time_col >= 0 && c->time.res != REC_PARSE_OK)
        rc = number_error(c, line, o->time_col, "timestamp", &c->time);
    else
        rc = rec_builder_add(c->b, line, c->user.s, c->user.len, o->user_col + 1,
                             c->item.s, c->item.len, o->item_col + 1,
                             o->rating_col >= 0 ? (float)c->rating.value : 1.0f,
                             o->time_col >= 0 ? c->time.value : 0.0);
    c->rc = rec_builder_bad_row(c->b, rc);
}

/* A line that libcsv will skip because no row has begun: only spaces and
 * line terminators. */
static int blank(const char *s, size_t len, int (*is_space)(unsigned char))
{
    for (size_t i = 0; i < len; i++)
        if (!is_space((unsigned char)s[i]) && s[i] != '\r' && s[i] != '\n')
            return 0;
    return 1;
}

/* Handles a libcsv failure on the current row. Returns REC_OK when the row
 * is skipped (skip_bad_lines) and parsing may go on. */
static int parse_failure(csv_ctx *c, struct csv_parser *p, int at_end)
{
    size_t line = c->in_row ? c->row_line : c->line;
    int err = csv_error(p);
    if (err == CSV_ENOMEM)
        return rec_error_nomem();
    if (err == CSV_ETOOBIG)
        return rec_builder_error(c->b, line, REC_ELIMIT, "field %zu is too large",
                                 c->field + 1);
    int rc = at_end
        ? rec_builder_error(c->b, line, REC_EFORMAT,
                            "field %zu: quoted field not terminated at end of file",
                            c->field + 1)
        : rec_builder_error(c->b, line, REC_EFORMAT,
                            "field %zu: misplaced quote character (a quote inside a "
                            "field must be doubled and the field quoted)", c->field + 1);
    if (c->header_pending) {
        /* A malformed header is not a data row: nothing to count. */
        if (!rec_builder_skips_bad_lines(c->b))
            return rc;
        c->header_pending = 0;
        rc = REC_OK;
    } else {
        rc = rec_builder_bad_row(c->b, rc);
        if (rc)
            return rc;
    }
    /* Drop the rest of the row: libcsv cannot resume after a strict-mode
     * error, so start a fresh parser at the next line. */
    csv_free(p);
    parser_init(p, c->csv);
    c->in_row = 0;
    c->field = 0;
    return REC_OK;
}

/* libcsv grows a field's buffer by blk_size bytes at a time, so a field of
 * n bytes costs n / blk_size reallocations, each of which may copy it: a
 * 10 MB field took minutes under a copying allocator. The line goes to the
 * parser in slices, and after each the block grows to the buffer's size,
 * which makes the growth geometric. */
#define CSV_SLICE ((size_t)1 << 16)
#define CSV_MIN_BLOCK ((size_t)128)

static int parse_line(csv_ctx *c, struct csv_parser *p, const char *s, size_t len)
{
    for (size_t at = 0; at < len;) {
        size_t part = len - at < CSV_SLICE ? len - at : CSV_SLICE;
        size_t done = csv_parse(p, s + at, part, on_field, on_row, c);
        if (c->rc)
            return c->rc;
        if (done < part)
            return parse_failure(c, p, 0);
        at += part;
        csv_set_blk_size(p, p->entry_size > CSV_MIN_BLOCK ? p->entry_size : CSV_MIN_BLOCK);
    }
    return REC_OK;
}

static int parse_file(csv_ctx *c, rec_lines *lr, struct csv_parser *p)
{
    int (*is_space)(unsigned char) = space_func(c->csv->delimiter);
    const char *s;
    size_t len;
    int got;
    while ((got = rec_lines_next(lr, &s, &len)) == 1) {
        c->line = lr->line;
        if (!c->in_row && !blank(s, len, is_space)) {
            c->in_row = 1;
            c->row_line = c->line;
        }
        int rc = parse_line(c, p, s, len);
        if (rc)
            return rc;
    }
    if (got < 0)
        return got;
    if (csv_fini(p, on_field, on_row, c) != 0) {
        int rc = parse_failure(c, p, 1);
        if (rc)
            return rc;
    }
    return c->rc;
}

int rec_data_load_csv(rec_dataset **out, const char *path,
                      const rec_csv_options *csv, const rec_load_options *load,
                      const rec_dataset *ref)
{
    *out = NULL;
    int rc;
    csv_ctx c;
    memset(&c, 0, sizeof c);
    c.csv = csv;
    c.header_pending = csv->has_header != 0;
    int max_col = csv->user_col > csv->item_col ? csv->user_col : csv->item_col;
    if (csv->rating_col > max_col)
        max_col = csv->rating_col;
    if (csv->time_col > max_col)
        max_col = csv->time_col;
    c.need = (size_t)max_col + 1;

    rec_lines lr;
    struct csv_parser p;
    parser_init(&p, csv);
    rc = rec_lines_open(&lr, path);
    if (rc == REC_OK)
        rc = rec_builder_new(&c.b, path, "line", load, ref, csv->rating_col >= 0,
                             csv->time_col >= 0);
    if (rc == REC_OK)
        rc = parse_file(&c, &lr, &p);
    csv_free(&p);
    rec_lines_close(&lr);
    rec_free(c.user.s);
    rec_free(c.item.s);
    if (rc == REC_OK) {
        rc = rec_builder_finish(c.b, out);
        c.b = NULL;
    }
    rec_builder_free(c.b);
    return rc;
}
