/* Row collection for every loader: validation, filters, unknown-id policy,
 * then (in finish) duplicate merging and the CSR layouts. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/alloc.h"
#include "core/error.h"
#include "core/parse.h"
#include "data/dataset.h"
#include "data/utf8.h"

#define REC_STR_(x) #x
#define REC_STR(x) REC_STR_(x)

typedef struct row {
    uint32_t user;
    uint32_t item;
    float rating;
    double time;
    size_t line;
} row;

struct rec_builder {
    const char *source;
    const char *line_word;
    rec_load_options opts;
    rec_idmap *users;
    rec_idmap *items;
    int frozen;          /* maps come from a reference: look up, never add */
    int has_ratings;
    int has_times;
    int refused;         /* last error was a policy refusal, not a bad row */
    uint32_t last_user;  /* id of the previous row's user, UINT32_MAX if none */
    row *rows;
    size_t n_rows;
    size_t cap_rows;
    rec_dataset_stats stats;
};

/* ---- Messages ---- */

static int vfail(const rec_builder *b, size_t line, int code, const char *fmt,
                 va_list ap)
{
    char detail[768];
    vsnprintf(detail, sizeof detail, fmt, ap);
    if (strcmp(b->line_word, "line") == 0)
        return rec_error(code, "%s:%zu: %s", b->source, line, detail);
    return rec_error(code, "%s: %s %zu: %s", b->source, b->line_word, line, detail);
}

int rec_builder_error(const rec_builder *b, size_t line, int code,
                      const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = vfail(b, line, code, fmt, ap);
    va_end(ap);
    return rc;
}

/* "field 2 (item)" for a column, plain "item" otherwise. */
static void field_name(char *buf, size_t size, const char *what, int field)
{
    if (field > 0)
        snprintf(buf, size, "field %d (%s)", field, what);
    else
        snprintf(buf, size, "%s", what);
}

const char *rec_id_problem(const char *s, size_t len)
{
    if (len == 0)
        return "empty id";
    if (len > REC_ID_MAX_LEN)
        return "id longer than " REC_STR(REC_ID_MAX_LEN) " bytes";
    if (memchr(s, '\0', len))
        return "id contains a NUL byte";
    if (!rec_utf8_valid(s, len))
        return "id is not valid UTF-8";
    return NULL;
}

int rec_builder_check_id(const rec_builder *b, size_t line, const char *what,
                         int field, const char *s, size_t len)
{
    char name[48];
    char ex[64 + 4];
    const char *problem = rec_id_problem(s, len);
    if (!problem)
        return REC_OK;
    field_name(name, sizeof name, what, field);
    if (len == 0)
        return rec_builder_error(b, line, REC_EFORMAT, "%s: %s", name, problem);
    rec_excerpt(ex, 64, s, len);
    return rec_builder_error(b, line, REC_EFORMAT, "%s: %s ('%s')", name, problem, ex);
}

/* ---- Life cycle ---- */

int rec_builder_new(rec_builder **out, const char *source, const char *line_word,
                    const rec_load_options *opts, const rec_dataset *ref,
                    int has_ratings, int has_times)
{
    *out = NULL;
    rec_builder *b = rec_calloc(1, sizeof *b);
    if (!b)
        return rec_error_nomem();
    b->source = source;
    b->line_word = line_word;
    if (opts) {
        b->opts = *opts;
    } else {
        rec_load_options d = REC_LOAD_OPTIONS_INIT;
        b->opts = d;
    }
    b->has_ratings = has_ratings;
    b->has_times = has_times;
    b->last_user = UINT32_MAX;
    if (ref) {
        b->users = rec_idmap_retain(ref->users);
        b->items = rec_idmap_retain(ref->items);
        b->frozen = 1;
    } else {
        b->users = rec_idmap_new();
        b->items = rec_idmap_new();
        if (!b->users || !b->items) {
            rec_builder_free(b);
            return rec_error_nomem();
        }
    }
    b->stats.has_ratings = has_ratings;
    b->stats.has_timestamps = has_times;
    *out = b;
    return REC_OK;
}

void rec_builder_free(rec_builder *b)
{
    if (!b)
        return;
    rec_idmap_release(b->users);
    rec_idmap_release(b->items);
    rec_free(b->rows);
    rec_free(b);
}

void rec_builder_count_skipped(rec_builder *b)
{
    b->stats.rows_skipped++;
    b->stats.rows_read++;
}

int rec_builder_skips_bad_lines(const rec_builder *b)
{
    return b->opts.skip_bad_lines != 0;
}

int rec_builder_bad_row(rec_builder *b, int rc)
{
    if (rc != REC_EFORMAT || b->refused || !b->opts.skip_bad_lines)
        return rc;
    rec_builder_count_skipped(b);
    return REC_OK;
}

/* ---- Adding rows ---- */

static int limit_error(const rec_builder *b, size_t line, const char *what)
{
    return rec_builder_error(b, line, REC_ELIMIT, "more than %zu distinct %ss",
                             (size_t)REC_IDMAP_MAX, what);
}

static int resolve_map(rec_builder *b, rec_idmap *m, size_t line, const char *what,
                       const char *s, size_t len, uint32_t *id)
{
    if (b->frozen) {
        if (rec_idmap_find(m, s, len, id) != REC_OK)
            *id = UINT32_MAX;
        return REC_OK;
    }
    int rc = rec_idmap_intern(m, s, len, id, NULL);
    if (rc == REC_ENOMEM)
        return rec_error_nomem();
    if (rc == REC_ELIMIT)
        return limit_error(b, line, what);
    return rc;
}

/* Looks up (frozen maps) or interns an id. *id = UINT32_MAX: unknown. */
static int resolve(rec_builder *b, rec_idmap *m, size_t line, const char *what,
                   const char *s, size_t len, uint32_t *id)
{
    /* Consecutive rows usually share their user (adjacency lists always,
     * CSV files sorted by user): skip the hash look-up then. */
    int is_user = m == b->users;
    if (is_user && b->last_user != UINT32_MAX &&
        rec_idmap_len(m, b->last_user) == len &&
        memcmp(rec_idmap_get(m, b->last_user), s, len) == 0) {
        *id = b->last_user;
        return REC_OK;
    }
    int rc = resolve_map(b, m, line, what, s, len, id);
    if (rc == REC_OK && is_user && *id != UINT32_MAX)
        b->last_user = *id;
    return rc;
}

static int unknown(rec_builder *b, size_t line, const char *what, int field,
                   const char *s, size_t len, size_t *counter)
{
    if (b->opts.unknown_ids == REC_UNKNOWN_ERROR) {
        char name[48];
        char ex[64 + 4];
        field_name(name, sizeof name, what, field);
        rec_excerpt(ex, 64, s, len);
        b->refused = 1;
        return rec_builder_error(b, line, REC_EFORMAT,
                                 "%s: unknown %s id '%s' (not in the reference id space)",
                                 name, what, ex);
    }
    if (counter) {
        (*counter)++;
        b->stats.rows_read++;
    }
    return REC_OK;
}

static int check_number(const rec_builder *b, size_t line, const char *what,
                        double v)
{
    if (isfinite(v))
        return REC_OK;
    return rec_builder_error(b, line, REC_EFORMAT, "%s is not a finite number", what);
}

int rec_builder_add(rec_builder *b, size_t line,
                    const char *user, size_t user_len, int user_field,
                    const char *item, size_t item_len, int item_field,
                    float rating, double time)
{
    int rc;
    /* Everything that can refuse the row is checked before anything is
     * changed, so a refused row leaves no trace. */
    if ((rc = rec_builder_check_id(b, line, "user", user_field, user, user_len)) ||
        (rc = rec_builder_check_id(b, line, "item", item_field, item, item_len)))
        return rc;
    if (b->has_ratings && (rc = check_number(b, line, "rating", rating)))
        return rc;
    if (b->has_times && (rc = check_number(b, line, "timestamp", time)))
        return rc;
    if (b->has_ratings && b->opts.use_min_rating &&
        (double)rating < b->opts.min_rating) {
        b->stats.rows_below_min_rating++;
        b->stats.rows_read++;
        return REC_OK;
    }
    /* Room for the row first: past this point only resource errors (which
     * end the load) and the unknown-id policy can stop it. */
    if (rec_grow((void **)&b->rows, &b->cap_rows, b->n_rows + 1, sizeof *b->rows))
        return rec_error_nomem();
    uint32_t u, i;
    if ((rc = resolve(b, b->users, line, "user", user, user_len, &u)))
        return rc;
    if (u == UINT32_MAX)
        return unknown(b, line, "user", user_field, user, user_len,
                       &b->stats.rows_unknown_user);
    if ((rc = resolve(b, b->items, line, "item", item, item_len, &i)))
        return rc;
    if (i == UINT32_MAX)
        return unknown(b, line, "item", item_field, item, item_len,
                       &b->stats.rows_unknown_item);
    b->rows[b->n_rows++] = (row){ u, i, rating, time, line };
    b->stats.rows_read++;
    return REC_OK;
}

int rec_builder_add_user(rec_builder *b, size_t line, const char *user,
                         size_t user_len)
{
    int rc = rec_builder_check_id(b, line, "user", 1, user, user_len);
    if (rc)
        return rc;
    uint32_t u;
    if ((rc = resolve(b, b->users, line, "user", user, user_len, &u)))
        return rc;
    /* A line naming only an unknown user holds no interaction to count: it
     * is refused when unknown ids are errors and otherwise ignored. */
    if (u == UINT32_MAX)
        return unknown(b, line, "user", 1, user, user_len, NULL);
    return REC_OK;
}

/* ---- Finishing ---- */

/* Stable counting sort of the row indices `in` by key(row) into `out`. */
static int sort_by(const row *rows, size_t n, const size_t *in, size_t *out,
                   size_t n_keys, int by_user)
{
    size_t *count = rec_calloc(n_keys + 1, sizeof *count);
    if (!count)
        return REC_ENOMEM;
    for (size_t k = 0; k < n; k++) {
        const row *r = &rows[in ? in[k] : k];
        count[(by_user ? r->user : r->item) + 1]++;
    }
    for (size_t k = 0; k < n_keys; k++)
        count[k + 1] += count[k];
    for (size_t k = 0; k < n; k++) {
        size_t idx = in ? in[k] : k;
        const row *r = &rows[idx];
        out[count[by_user ? r->user : r->item]++] = idx;
    }
    rec_free(count);
    return REC_OK;
}

/* Whether row a should replace the kept row k under LAST / FIRST. Rows come
 * in file order, so for equal timestamps LAST takes the later row and FIRST
 * keeps the earlier one. */
static int replaces(const rec_builder *b, const row *a, const row *k)
{
    int last = b->opts.duplicates == REC_DUPLICATES_LAST;
    if (!b->has_times)
        return last;
    return last ? a->time >= k->time : a->time < k->time;
}

static int duplicate_error(const rec_builder *b, const size_t *perm, size_t n)
{
    /* Report the pair whose second occurrence comes first in the input, so
     * the message points at the earliest offending line. */
    size_t best_second = SIZE_MAX, best_first = 0;
    for (size_t k = 1; k < n; k++) {
        const row *p = &b->rows[perm[k - 1]], *r = &b->rows[perm[k]];
        if (p->user == r->user && p->item == r->item && perm[k] < best_second &&
            (k < 2 || b->rows[perm[k - 2]].user != r->user ||
             b->rows[perm[k - 2]].item != r->item)) {
            best_second = perm[k];
            best_first = perm[k - 1];
        }
    }
    const row *first = &b->rows[best_first], *second = &b->rows[best_second];
    char ue[64 + 4], ie[64 + 4];
    rec_excerpt(ue, 64, rec_idmap_get(b->users, second->user),
                rec_idmap_len(b->users, second->user));
    rec_excerpt(ie, 64, rec_idmap_get(b->items, second->item),
                rec_idmap_len(b->items, second->item));
    return rec_builder_error(b, second->line, REC_EFORMAT,
                             "duplicate interaction of user '%s' and item '%s' "
                             "(first on %s %zu)", ue, ie, b->line_word, first->line);
}

int rec_builder_finish(rec_builder *b, rec_dataset **out)
{
    *out = NULL;
    size_t n = b->n_rows;
    size_t nu = rec_idmap_size(b->users), ni = rec_idmap_size(b->items);
    int sum = b->opts.duplicates == REC_DUPLICATES_SUM;
    int keep_ratings = b->has_ratings || sum;
    size_t *by_item = NULL, *perm = NULL, *user_ptr = NULL;
    uint32_t *items = NULL;
    float *ratings = NULL;
    double *times = NULL;
    int rc = REC_ENOMEM;

    /* Two stable counting sorts (by item, then by user) order the rows by
     * (user, item, input order) in linear time. */
    by_item = rec_malloc_array(n, sizeof *by_item);
    perm = rec_malloc_array(n, sizeof *perm);
    if (!by_item || !perm || sort_by(b->rows, n, NULL, by_item, ni, 0) ||
        sort_by(b->rows, n, by_item, perm, nu, 1))
        goto fail;
    rec_free(by_item);
    by_item = NULL;

    size_t nnz = 0;
    for (size_t k = 0; k < n; k++) {
        const row *r = &b->rows[perm[k]];
        if (k == 0 || r->user != b->rows[perm[k - 1]].user ||
            r->item != b->rows[perm[k - 1]].item)
            nnz++;
    }
    if (nnz < n && b->opts.duplicates == REC_DUPLICATES_ERROR) {
        rc = duplicate_error(b, perm, n);
        goto fail;
    }

    user_ptr = rec_calloc(nu + 1, sizeof *user_ptr);
    items = rec_malloc_array(nnz, sizeof *items);
    if (keep_ratings)
        ratings = rec_malloc_array(nnz, sizeof *ratings);
    if (b->has_times)
        times = rec_malloc_array(nnz, sizeof *times);
    if (!user_ptr || !items || (keep_ratings && !ratings) || (b->has_times && !times))
        goto fail;

    size_t o = 0;
    for (size_t k = 0; k < n;) {
        const row *first = &b->rows[perm[k]];
        const row *kept = first;
        float rating = b->has_ratings ? first->rating : 1.0f;
        double time = first->time;
        size_t end = k + 1;
        for (; end < n; end++) {
            const row *r = &b->rows[perm[end]];
            if (r->user != first->user || r->item != first->item)
                break;
            switch (b->opts.duplicates) {
            case REC_DUPLICATES_SUM:
                rating += b->has_ratings ? r->rating : 1.0f;
                break;
            case REC_DUPLICATES_MAX:
                if (r->rating > rating)
                    rating = r->rating;
                break;
            default:
                if (replaces(b, r, kept))
                    kept = r;
                break;
            }
            if (r->time > time)
                time = r->time;
        }
        if (b->opts.duplicates == REC_DUPLICATES_LAST ||
            b->opts.duplicates == REC_DUPLICATES_FIRST) {
            rating = kept->rating;
            time = kept->time;
        }
        user_ptr[first->user + 1]++;
        items[o] = first->item;
        if (ratings)
            ratings[o] = rating;
        if (times)
            times[o] = time;
        o++;
        k = end;
    }
    for (size_t u = 0; u < nu; u++)
        user_ptr[u + 1] += user_ptr[u];

    rec_free(perm);
    perm = NULL;
    rec_free(b->rows);
    b->rows = NULL;

    rec_dataset *ds;
    rc = rec_dataset_from_csr(&ds, b->users, b->items, user_ptr, items, ratings, times);
    user_ptr = NULL;
    items = NULL;
    ratings = NULL;
    times = NULL;
    if (rc != REC_OK)
        goto fail;
    ds->stats.rows_read = b->stats.rows_read;
    ds->stats.rows_skipped = b->stats.rows_skipped;
    ds->stats.rows_below_min_rating = b->stats.rows_below_min_rating;
    ds->stats.rows_duplicate = n - nnz;
    ds->stats.rows_unknown_user = b->stats.rows_unknown_user;
    ds->stats.rows_unknown_item = b->stats.rows_unknown_item;
    ds->stats.has_ratings = b->has_ratings;
    ds->stats.has_timestamps = b->has_times;
    rec_builder_free(b);
    *out = ds;
    return REC_OK;

fail:
    if (rc == REC_ENOMEM)
        rec_error_nomem();
    rec_free(by_item);
    rec_free(perm);
    rec_free(user_ptr);
    rec_free(items);
    rec_free(ratings);
    rec_free(times);
    rec_builder_free(b);
    return rc;
}
