/* Public entry points for datasets: argument and option checks, then
 * dispatch to lib/data. Messages name the function and the argument. */
#include <math.h>
#include <string.h>

#include "librec/librec.h"

#include "api/api_util.h"
#include "core/error.h"
#include "core/parse.h"
#include "data/dataset.h"
#include "data/loaders.h"

#define BAD(...) rec_error(REC_EINVAL, __VA_ARGS__)

/* ---- Options ---- */

int rec_load_options_init(rec_load_options *opts)
{
    if (!opts)
        return BAD("rec_load_options_init: opts is NULL");
    rec_load_options d = REC_LOAD_OPTIONS_INIT;
    *opts = d;
    return REC_OK;
}

int rec_csv_options_init(rec_csv_options *opts)
{
    if (!opts)
        return BAD("rec_csv_options_init: opts is NULL");
    rec_csv_options d = REC_CSV_OPTIONS_INIT;
    *opts = d;
    return REC_OK;
}

int rec_split_options_init(rec_split_options *opts)
{
    if (!opts)
        return BAD("rec_split_options_init: opts is NULL");
    rec_split_options d = REC_SPLIT_OPTIONS_INIT;
    *opts = d;
    return REC_OK;
}

/* Copies the caller's load options (defaults for NULL) and checks them.
 * has_rating: whether the input has ratings, which use_min_rating needs. */
static int get_load(const char *fn, rec_load_options *dst,
                    const rec_load_options *src, int has_rating)
{
    rec_load_options d = REC_LOAD_OPTIONS_INIT;
    *dst = d;
    if (!src)
        return REC_OK;
    int rc = rec_check_version(fn, "load", src->version, REC_LOAD_OPTIONS_VERSION);
    if (rc)
        return rc;
    /* Version 1 is the whole struct today; a later version copies only the
     * fields the caller's version has. */
    *dst = *src;
    dst->version = REC_LOAD_OPTIONS_VERSION;
    if ((int)dst->duplicates < REC_DUPLICATES_LAST ||
        (int)dst->duplicates > REC_DUPLICATES_ERROR)
        return BAD("%s: load->duplicates is %d, not a rec_duplicates value", fn,
                   (int)dst->duplicates);
    if ((int)dst->unknown_ids < REC_UNKNOWN_SKIP ||
        (int)dst->unknown_ids > REC_UNKNOWN_ERROR)
        return BAD("%s: load->unknown_ids is %d, not a rec_unknown_ids value", fn,
                   (int)dst->unknown_ids);
    if (dst->use_min_rating) {
        if (!has_rating)
            return BAD("%s: load->use_min_rating needs ratings, and this input has none",
                       fn);
        if (!isfinite(dst->min_rating))
            return BAD("%s: load->min_rating is not a finite number", fn);
    }
    return REC_OK;
}

static int check_chars(const char *fn, const rec_csv_options *c)
{
    char d = c->delimiter, q = c->quote;
    if (d == '\0' || d == '\r' || d == '\n')
        return BAD("%s: csv->delimiter cannot be NUL, CR or LF", fn);
    if (q == '\0' || q == '\r' || q == '\n' || q == ' ' || q == '\t')
        return BAD("%s: csv->quote cannot be NUL, CR, LF, space or tab", fn);
    if (q == d)
        return BAD("%s: csv->quote and csv->delimiter are the same character", fn);
    return REC_OK;
}

/* Copies and checks the caller's CSV options (defaults for NULL). With
 * columns = 0 only the characters are checked (rec_dataset_save_csv). */
static int get_csv(const char *fn, rec_csv_options *dst, const rec_csv_options *src,
                   int columns)
{
    rec_csv_options d = REC_CSV_OPTIONS_INIT;
    *dst = d;
    if (!src)
        return REC_OK;
    int rc = rec_check_version(fn, "csv", src->version, REC_CSV_OPTIONS_VERSION);
    if (rc)
        return rc;
    *dst = *src;
    dst->version = REC_CSV_OPTIONS_VERSION;
    if ((rc = check_chars(fn, dst)) || !columns)
        return rc;
    if (dst->user_col < 0)
        return BAD("%s: csv->user_col is %d; columns count from 0", fn, dst->user_col);
    if (dst->item_col < 0)
        return BAD("%s: csv->item_col is %d; columns count from 0", fn, dst->item_col);
    if (dst->rating_col < -1)
        return BAD("%s: csv->rating_col is %d; use -1 for no rating column", fn,
                   dst->rating_col);
    if (dst->time_col < -1)
        return BAD("%s: csv->time_col is %d; use -1 for no timestamp column", fn,
                   dst->time_col);
    if (dst->user_col == dst->item_col)
        return BAD("%s: csv->user_col and csv->item_col are both %d", fn, dst->user_col);
    if (dst->rating_col >= 0 &&
        (dst->rating_col == dst->user_col || dst->rating_col == dst->item_col))
        return BAD("%s: csv->rating_col %d is also the user or item column", fn,
                   dst->rating_col);
    if (dst->time_col >= 0 &&
        (dst->time_col == dst->user_col || dst->time_col == dst->item_col ||
         dst->time_col == dst->rating_col))
        return BAD("%s: csv->time_col %d is also the user, item or rating column", fn,
                   dst->time_col);
    return REC_OK;
}

/* ---- Loading ---- */

/* Every loader message names the file, except the shared out-of-memory
 * one: add it there. */
static int with_path(int rc, const char *path)
{
    if (rc == REC_ENOMEM && !strstr(rec_last_error(), path))
        return rec_error_context(rc, "%s: ", path);
    return rc;
}

int rec_dataset_load_csv(rec_dataset **out, const char *path,
                         const rec_csv_options *csv, const rec_load_options *load,
                         const rec_dataset *ref)
{
    static const char fn[] = "rec_dataset_load_csv";
    if (!out)
        return BAD("%s: out is NULL", fn);
    *out = NULL;
    if (!path)
        return BAD("%s: path is NULL", fn);
    rec_csv_options c;
    rec_load_options l;
    int rc;
    if ((rc = get_csv(fn, &c, csv, 1)) || (rc = get_load(fn, &l, load, c.rating_col >= 0)))
        return rc;
    return with_path(rec_data_load_csv(out, path, &c, &l, ref), path);
}

int rec_dataset_load_adjlist(rec_dataset **out, const char *path,
                             const rec_load_options *load, const rec_dataset *ref)
{
    static const char fn[] = "rec_dataset_load_adjlist";
    if (!out)
        return BAD("%s: out is NULL", fn);
    *out = NULL;
    if (!path)
        return BAD("%s: path is NULL", fn);
    rec_load_options l;
    int rc = get_load(fn, &l, load, 0);
    if (rc)
        return rc;
    return with_path(rec_data_load_adjlist(out, path, &l, ref), path);
}

int rec_dataset_from_arrays(rec_dataset **out, size_t n, const char *const *users,
                            const char *const *items, const float *ratings,
                            const double *timestamps, const rec_load_options *load,
                            const rec_dataset *ref)
{
    static const char fn[] = "rec_dataset_from_arrays";
    if (!out)
        return BAD("%s: out is NULL", fn);
    *out = NULL;
    if (n > 0 && (!users || !items))
        return BAD("%s: %s is NULL", fn, users ? "items" : "users");
    rec_load_options l;
    int rc = get_load(fn, &l, load, ratings != NULL);
    if (rc)
        return rc;
    return rec_data_from_arrays(out, n, users, items, ratings, timestamps, &l, ref);
}

int rec_dataset_from_int_arrays(rec_dataset **out, size_t n, const int64_t *users,
                                const int64_t *items, const float *ratings,
                                const double *timestamps,
                                const rec_load_options *load, const rec_dataset *ref)
{
    static const char fn[] = "rec_dataset_from_int_arrays";
    if (!out)
        return BAD("%s: out is NULL", fn);
    *out = NULL;
    if (n > 0 && (!users || !items))
        return BAD("%s: %s is NULL", fn, users ? "items" : "users");
    rec_load_options l;
    int rc = get_load(fn, &l, load, ratings != NULL);
    if (rc)
        return rc;
    return rec_data_from_int_arrays(out, n, users, items, ratings, timestamps, &l, ref);
}

void rec_dataset_free(rec_dataset *ds)
{
    rec_dataset_release(ds);
}

/* ---- Inspecting ---- */

size_t rec_dataset_n_users(const rec_dataset *ds)
{
    return ds ? rec_ds_n_users(ds) : 0;
}

size_t rec_dataset_n_items(const rec_dataset *ds)
{
    return ds ? rec_ds_n_items(ds) : 0;
}

size_t rec_dataset_n_interactions(const rec_dataset *ds)
{
    return ds ? ds->nnz : 0;
}

int rec_dataset_user_items(const rec_dataset *ds, uint32_t user,
                           const uint32_t **items, const float **ratings,
                           const double **timestamps, size_t *n)
{
    static const char fn[] = "rec_dataset_user_items";
    if (items)
        *items = NULL;
    if (ratings)
        *ratings = NULL;
    if (timestamps)
        *timestamps = NULL;
    if (n)
        *n = 0;
    if (!ds || !items || !n)
        return BAD("%s: %s is NULL", fn, !ds ? "ds" : !items ? "items" : "n");
    if (user >= rec_ds_n_users(ds))
        return BAD("%s: user %u is out of range (%zu users)", fn, (unsigned)user,
                   rec_ds_n_users(ds));
    size_t a = ds->user_ptr[user];
    *items = ds->user_items + a;
    *n = ds->user_ptr[user + 1] - a;
    if (ratings && ds->ratings)
        *ratings = ds->ratings + a;
    if (timestamps && ds->times)
        *timestamps = ds->times + a;
    return REC_OK;
}

int rec_dataset_item_users(const rec_dataset *ds, uint32_t item,
                           const uint32_t **users, size_t *n)
{
    static const char fn[] = "rec_dataset_item_users";
    if (users)
        *users = NULL;
    if (n)
        *n = 0;
    if (!ds || !users || !n)
        return BAD("%s: %s is NULL", fn, !ds ? "ds" : !users ? "users" : "n");
    if (item >= rec_ds_n_items(ds))
        return BAD("%s: item %u is out of range (%zu items)", fn, (unsigned)item,
                   rec_ds_n_items(ds));
    size_t a = ds->item_ptr[item];
    *users = ds->item_users + a;
    *n = ds->item_ptr[item + 1] - a;
    return REC_OK;
}

static int external_id(const char *fn, const rec_dataset *ds, const rec_idmap *m,
                       const char *what, uint32_t dense, const char **id)
{
    if (id)
        *id = NULL;
    if (!ds || !id)
        return BAD("%s: %s is NULL", fn, !ds ? "ds" : "id");
    if (dense >= rec_idmap_size(m))
        return BAD("%s: %s %u is out of range (%zu %ss)", fn, what, (unsigned)dense,
                   rec_idmap_size(m), what);
    *id = rec_idmap_get(m, dense);
    return REC_OK;
}

int rec_dataset_user_id(const rec_dataset *ds, uint32_t user, const char **id)
{
    return external_id("rec_dataset_user_id", ds, ds ? ds->users : NULL, "user", user, id);
}

int rec_dataset_item_id(const rec_dataset *ds, uint32_t item, const char **id)
{
    return external_id("rec_dataset_item_id", ds, ds ? ds->items : NULL, "item", item, id);
}

static int dense_id(const char *fn, const rec_dataset *ds, const rec_idmap *m,
                    const char *what, const char *id, uint32_t *out)
{
    if (!ds || !id || !out)
        return BAD("%s: %s is NULL", fn, !ds ? "ds" : !id ? "id" : what);
    size_t len = strlen(id);
    if (rec_idmap_find(m, id, len, out) != REC_OK) {
        char ex[64 + 4];
        rec_excerpt(ex, 64, id, len);
        return rec_error(REC_ENOTFOUND, "%s: unknown %s id '%s'", fn, what, ex);
    }
    return REC_OK;
}

int rec_dataset_find_user(const rec_dataset *ds, const char *id, uint32_t *user)
{
    return dense_id("rec_dataset_find_user", ds, ds ? ds->users : NULL, "user", id, user);
}

int rec_dataset_find_item(const rec_dataset *ds, const char *id, uint32_t *item)
{
    return dense_id("rec_dataset_find_item", ds, ds ? ds->items : NULL, "item", id, item);
}

int rec_dataset_stats_get(const rec_dataset *ds, rec_dataset_stats *stats)
{
    static const char fn[] = "rec_dataset_stats_get";
    if (!ds || !stats)
        return BAD("%s: %s is NULL", fn, !ds ? "ds" : "stats");
    int rc = rec_check_version(fn, "stats", stats->version, REC_DATASET_STATS_VERSION);
    if (rc)
        return rc;
    /* Version 1 is the whole struct; keep the caller's version field. */
    uint32_t v = stats->version;
    *stats = ds->stats;
    stats->version = v;
    return REC_OK;
}

/* ---- Splitting and saving ---- */

int rec_dataset_split(rec_dataset **train, rec_dataset **test, const rec_dataset *ds,
                      const rec_split_options *opts)
{
    static const char fn[] = "rec_dataset_split";
    if (train)
        *train = NULL;
    if (test)
        *test = NULL;
    if (!train || !test || !ds)
        return BAD("%s: %s is NULL", fn, !train ? "train" : !test ? "test" : "ds");
    if ((void *)train == (void *)test)
        return BAD("%s: train and test point to the same place", fn);
    rec_split_options o = REC_SPLIT_OPTIONS_INIT;
    if (opts) {
        int rc = rec_check_version(fn, "opts", opts->version, REC_SPLIT_OPTIONS_VERSION);
        if (rc)
            return rc;
        o = *opts;
        o.version = REC_SPLIT_OPTIONS_VERSION;
    }
    if ((int)o.method < REC_SPLIT_RANDOM || (int)o.method > REC_SPLIT_LEAVE_ONE_OUT)
        return BAD("%s: opts->method is %d, not a rec_split_method value", fn,
                   (int)o.method);
    if (!(o.train_ratio > 0.0 && o.train_ratio < 1.0))
        return BAD("%s: opts->train_ratio is %g; it must be in (0, 1)", fn,
                   o.train_ratio);
    return rec_data_split(train, test, ds, &o);
}

int rec_dataset_save_csv(const rec_dataset *ds, const char *path,
                         const rec_csv_options *csv)
{
    static const char fn[] = "rec_dataset_save_csv";
    if (!ds || !path)
        return BAD("%s: %s is NULL", fn, !ds ? "ds" : "path");
    rec_csv_options c;
    int rc = get_csv(fn, &c, csv, 0);
    if (rc)
        return rc;
    return rec_data_save_csv(ds, path, &c);
}
