/* Helpers shared by the Check suites. */
#ifndef REC_TESTUTIL_H
#define REC_TESTUTIL_H

#include <check.h>
#include <stddef.h>
#include <stdint.h>

/* Each test program defines its suite here. */
Suite *rec_test_suite(void);

/* A fresh temporary directory for this process (created on first use,
 * removed with its files at exit) and a path inside it. The returned string
 * is static per call site: copy it if needed beyond the next call. */
const char *rec_test_dir(void);
/* Writes `text` to a new file named `name` in rec_test_dir() and returns
 * its path (malloc'd, owned by the caller). */
char *rec_test_write_file(const char *name, const char *text);
/* Same, with explicit length (text may hold NUL bytes). */
char *rec_test_write_bytes(const char *name, const void *data, size_t len);
/* Path of `name` in rec_test_dir() (malloc'd). */
char *rec_test_path(const char *name);
/* Reads a whole file (malloc'd, *len set); NULL if it cannot be read. */
void *rec_test_read_file(const char *path, size_t *len);

/* A dataset with taste groups: user u belongs to group u % groups, items
 * are split into `groups` consecutive ranges; each user draws `per_user`
 * items, 80 % from their own group (skewed to the first items of the
 * range), 20 % from any group. Popularity explains part of it, the groups
 * more: a personalised model must beat popularity on it. Ids are the
 * decimal numbers 0..n-1 given as int64 external ids. */
struct rec_dataset;
struct rec_dataset *rec_test_groups_dataset(unsigned users, unsigned items,
                                            unsigned groups, unsigned per_user,
                                            uint64_t seed);

/* Recall@20 of a model by full ranking on `test` (default options):
 * what a model kept for its best validation should score again. */
struct rec_model;
double rec_test_recall20(const struct rec_model *m, const struct rec_dataset *test);

/* One call sequence under an allocation sweep: releases everything it made
 * (on success too) and returns the first failing status, or REC_OK. It
 * asserts what a failure must leave behind (out-pointers NULL). */
typedef int (*rec_test_op)(void *ctx);

/* Runs op with the n-th allocation failing, for n = 1, 2, ... until it
 * succeeds: every failing run must return REC_ENOMEM. Returns the number of
 * failing runs (the allocations the sequence makes). Leaks show up under
 * LeakSanitizer in the sanitizer build. */
long rec_test_alloc_sweep(rec_test_op op, void *ctx);

/* Trains with the n-th allocation failing, for n = 1, 2, ... until
 * training succeeds: every failure must be REC_ENOMEM with no model. */
struct rec_train_options;
void rec_test_train_alloc_sweep(const struct rec_dataset *ds,
                                const struct rec_train_options *o);

/* Every loss of the objective settings as name and value pairs (padded
 * with NULL): bpr, bce, softmax at temperature 0.5, hinge at margin 1. */
#define REC_TEST_N_LOSSES 4
extern const char *const rec_test_losses[REC_TEST_N_LOSSES][4];

/* For families with the objective settings (loss, sampler, negatives):
 * with each sampler and each loss, two negatives per positive and the name
 * and value pairs of `settings` (NULL-terminated), training on taste-group
 * data reports a finite loss and reaches more than `factor` times
 * popularity's Recall@20. */
void rec_test_objectives_learn(const char *family, const char *const *settings,
                               double factor);
/* The default settings train exactly the model that the explicit default
 * objective (loss bpr, sampler uniform, one negative) trains. */
void rec_test_default_objective(const char *family, const char *const *settings);

/* qsort order of rec_scored (kernels/kernels.h) in the library's top-K
 * order: score descending, then item id ascending. */
int rec_test_best_first(const void *a, const void *b);

/* Asserts that rc == expected and, if `fragment` is not NULL, that
 * rec_last_error() contains it; prints the message on failure. */
#define ck_assert_rec(rc, expected, fragment) \
    rec_test_assert_rc((rc), (expected), (fragment), __FILE__, __LINE__)
void rec_test_assert_rc(int rc, int expected, const char *fragment,
                        const char *file, int line);

#endif
