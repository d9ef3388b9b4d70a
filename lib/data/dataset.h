/* The dataset: id maps plus interactions in two compressed sparse row (CSR)
 * layouts, by user and by item. Immutable after creation and shared by
 * reference count (a model keeps the dataset it was trained on). */
#ifndef REC_DATA_DATASET_H
#define REC_DATA_DATASET_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "librec/librec.h"
#include "data/idmap.h"

struct rec_dataset {
    atomic_size_t refs;
    rec_idmap *users;      /* shared with every dataset of the id space */
    rec_idmap *items;
    size_t nnz;
    /* By user: the items of user u are user_items[user_ptr[u] .. user_ptr[u+1]),
     * sorted ascending; ratings / times are parallel (NULL if absent). */
    size_t *user_ptr;      /* n_users + 1 */
    uint32_t *user_items;  /* nnz */
    float *ratings;        /* nnz or NULL */
    double *times;         /* nnz or NULL */
    /* By item: the users of item i, sorted ascending. */
    size_t *item_ptr;      /* n_items + 1 */
    uint32_t *item_users;  /* nnz */
    rec_dataset_stats stats;
};

static inline size_t rec_ds_n_users(const rec_dataset *ds) { return rec_idmap_size(ds->users); }
static inline size_t rec_ds_n_items(const rec_dataset *ds) { return rec_idmap_size(ds->items); }

rec_dataset *rec_dataset_retain(const rec_dataset *ds); /* returns ds */
void rec_dataset_release(rec_dataset *ds);              /* accepts NULL */

/* 1 if a and b are in the same id space: their id maps hold the same ids
 * in the same order (shared maps, or a model's maps rebuilt by loading). */
int rec_dataset_same_space(const rec_dataset *a, const rec_dataset *b);

/* The most items any user has (0 for NULL or an empty dataset). */
size_t rec_dataset_max_row(const rec_dataset *ds);

/* 1 if user u has item i in this dataset (binary search of the sorted row). */
int rec_dataset_has(const rec_dataset *ds, uint32_t u, uint32_t i);

/* Builds a dataset directly from a user CSR (used by splits and by the model
 * file loader). Takes references to the maps; copies nothing else: on
 * success the dataset owns user_ptr, user_items, ratings and times (which
 * must come from rec_malloc) and builds the item CSR. Rows must be sorted
 * and free of duplicates, ids in range (REC_EINVAL otherwise). On failure
 * the arrays are freed as well. */
int rec_dataset_from_csr(rec_dataset **out, rec_idmap *users, rec_idmap *items,
                         size_t *user_ptr, uint32_t *user_items, float *ratings,
                         double *times);

/* ---- Building a dataset row by row (every loader goes through this) ---- */

typedef struct rec_builder rec_builder;

/* source: name used in messages ("train.csv"; "arrays" for caller arrays).
 * line_word: "line" for files, "row" for arrays. has_ratings / has_times:
 * whether rows carry them. opts may be NULL (defaults); ref may be NULL. */
int rec_builder_new(rec_builder **out, const char *source, const char *line_word,
                    const rec_load_options *opts, const rec_dataset *ref,
                    int has_ratings, int has_times);
void rec_builder_free(rec_builder *b);

/* Adds one interaction read from `line` (1-based for files; for caller
 * arrays the 0-based index). Validates the ids (not
 * empty, no NUL, valid UTF-8, at most REC_ID_MAX_LEN bytes), the rating and
 * the timestamp (finite), applies min_rating and the unknown-id policy.
 * Returns REC_OK, or REC_EFORMAT with a message "source:line: ..." and no
 * other effect (so a loader that skips bad lines can count it and go on), or
 * REC_ENOMEM / REC_ELIMIT. field numbers in messages are 1-based:
 * user_field / item_field give them for the message (0: not a column). */
int rec_builder_add(rec_builder *b, size_t line,
                    const char *user, size_t user_len, int user_field,
                    const char *item, size_t item_len, int item_field,
                    float rating, double time);

/* Adds a user with no interaction on this line (adjacency lists). */
int rec_builder_add_user(rec_builder *b, size_t line, const char *user,
                         size_t user_len);

/* Counts a malformed row that the loader skipped (skip_bad_lines). */
void rec_builder_count_skipped(rec_builder *b);
/* 1 if the caller asked to skip malformed lines. */
int rec_builder_skips_bad_lines(const rec_builder *b);
/* What a loader does with a failed row: if rc is REC_EFORMAT for a malformed
 * row (not a refusal by the unknown-id policy) and the caller asked to skip
 * bad lines, counts the row as skipped and returns REC_OK; otherwise returns
 * rc unchanged. */
int rec_builder_bad_row(rec_builder *b, int rc);

/* What is wrong with an external id (empty, too long, a NUL byte, not
 * UTF-8) as a static phrase for messages, or NULL if it is acceptable. The
 * one rule for ids shared by every loader. */
const char *rec_id_problem(const char *s, size_t len);
/* Checks one external id as rec_builder_add() does (what: "user" or "item";
 * field: 1-based column, 0 if none). REC_OK or REC_EFORMAT with a message. */
int rec_builder_check_id(const rec_builder *b, size_t line, const char *what,
                         int field, const char *s, size_t len);
/* Sets a message "source:line: <fmt>" ("source: row N: <fmt>" for arrays)
 * and returns code. */
int rec_builder_error(const rec_builder *b, size_t line, int code,
                      const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;

/* Sorts, merges duplicates by the policy, builds both CSRs. The builder is
 * consumed (freed) whatever the outcome. */
int rec_builder_finish(rec_builder *b, rec_dataset **out);

#endif
