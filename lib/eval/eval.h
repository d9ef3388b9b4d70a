/* Evaluation of a serving form against a test dataset (full ranking or
 * sampled negatives) and of ranked lists made elsewhere. */
#ifndef REC_EVAL_EVAL_H
#define REC_EVAL_EVAL_H

#include "data/dataset.h"
#include "eval/popularity.h"
#include "model/serving.h"

#define REC_EVAL_NAME_MAX 32
/* Largest cut-off: rankings are held in memory per worker. */
#define REC_EVAL_K_MAX 100000
/* Most cut-offs in one evaluation. */
#define REC_EVAL_KS_MAX 64
/* Most sampled negatives per test item. */
#define REC_EVAL_NEGATIVES_MAX 1000000

struct rec_eval {
    size_t n_users;
    size_t n_values;                   /* every measure */
    size_t n_per_user;                 /* the first n_per_user are per-user means */
    char (*names)[REC_EVAL_NAME_MAX];  /* "recall@20", ... */
    double *values;                    /* n_values */
    uint32_t *users;                   /* the users, ascending, n_users */
    double *per_user;                  /* measure v < n_per_user of user i at
                                        * [v * n_users + i] */
};

/* What one evaluation computes, beyond the ranking measures. */
typedef struct rec_eval_plan {
    const unsigned *ks;          /* sorted, distinct (rec_eval_cutoffs) */
    size_t n_ks;
    unsigned threads;
    int beyond_accuracy;         /* coverage, diversity and fairness of the lists */
    const rec_popularity *pop;   /* training popularity, or NULL: no avg_pop,
                                  * long_tail, novelty (nor popularity sampling) */
    int sampling;                /* REC_EVAL_FULL or a sampled protocol */
    unsigned negatives;          /* sampled: negatives per test item */
    uint64_t seed;               /* sampled: seed of the negatives */
} rec_eval_plan;

/* Full ranking: for every user of `test` with at least one interaction,
 * scores all items, removes that user's items in `exclude` (NULL: none),
 * ranks the rest, and computes the measures at each cut-off, keeping every
 * user's values. Blocks of users are scored with one GEMM each and spread
 * over the plan's threads; means are summed in user order, so the result
 * does not depend on the thread count. With plan->sampling set, each test
 * item is ranked against sampled negatives instead (eval/sampled.c). */
int rec_evaluate(struct rec_eval **out, const rec_serving *s, const rec_dataset *exclude,
                 const rec_dataset *test, const rec_eval_plan *plan);

/* Sampled evaluation (called by rec_evaluate). */
int rec_evaluate_sampled(struct rec_eval **out, const rec_serving *s,
                         const rec_dataset *exclude, const rec_dataset *test,
                         const rec_eval_plan *plan);

/* The measures of ranked lists given by the caller (rec_eval_lists): user
 * i's list is list_items[list_ptr[i] .. list_ptr[i + 1]), best first, its
 * relevant items rel_items[rel_ptr[i] .. rel_ptr[i + 1]). Users without a
 * relevant item are left out; the others are reported by their index i.
 * n_catalog > 0: item ids are < n_catalog and the beyond-accuracy measures
 * are computed as the plan asks. REC_EINVAL naming the user and position of
 * an item listed twice or outside the catalogue. */
int rec_evaluate_lists(struct rec_eval **out, size_t n_users, const size_t *list_ptr,
                       const uint32_t *list_items, const size_t *rel_ptr,
                       const uint32_t *rel_items, size_t n_catalog,
                       const rec_eval_plan *plan);

/* Root mean squared and mean absolute error of the scores against the
 * ratings of `test` (which has them), over its interactions in user order. */
void rec_rating_errors(const rec_serving *s, const rec_dataset *test, double *rmse,
                       double *mae);

/* ---- Building the result (eval/result.c) ---- */

/* The sorted, distinct cut-offs of ks into out (n_ks slots); returns how
 * many. */
size_t rec_eval_cutoffs(const unsigned *ks, size_t n_ks, unsigned *out);

/* The users of test with at least one interaction, ascending, in a new
 * array (its length in *n); NULL when memory runs out. */
uint32_t *rec_eval_test_users(const rec_dataset *test, size_t *n);

/* An empty result for n_users users (taken over, also on failure) with
 * n_per_user zeroed per-user columns and n_aggregate further measures. */
int rec_eval_new(struct rec_eval **out, uint32_t *users, size_t n_users, size_t n_per_user,
                 size_t n_aggregate);
/* Names measure v "name@k" (k > 0) or "name" (k = 0). */
void rec_eval_name(struct rec_eval *ev, size_t v, const char *name, unsigned k);
/* Sets the value of every per-user measure to its mean over the users,
 * summed in user order. */
void rec_eval_average(struct rec_eval *ev);
void rec_eval_destroy(struct rec_eval *ev);

/* ---- Measures of top-K lists (eval/list_groups.c) ---- */

/* Where the list-based groups of measures sit in a result: the ranking
 * measures at every cut-off first (column (c * REC_MEASURE_COUNT + m)),
 * then the optional groups; SIZE_MAX marks a group that is absent. */
typedef struct rec_eval_layout {
    size_t auc;          /* per-user "auc" */
    size_t popularity;   /* per-user, n_ks * REC_POP_COUNT */
    size_t n_per_user;
    size_t exposure;     /* aggregate, n_ks * REC_EXPOSURE_COUNT */
    size_t rating;       /* aggregate "rmse", "mae" */
    size_t n_aggregate;
} rec_eval_layout;

rec_eval_layout rec_eval_plan_layout(const rec_eval_plan *plan, int with_auc,
                                     int with_rating);
/* A result laid out as `lay`, its measures named. */
int rec_eval_new_laid_out(struct rec_eval **out, const rec_eval_plan *plan,
                          const rec_eval_layout *lay, uint32_t *users, size_t n_users);
/* The popularity and exposure groups of `lay` from every evaluated user's
 * top list: user i's is items[i * stride .. i * stride + len[i]). */
int rec_eval_list_groups(struct rec_eval *ev, const rec_eval_plan *plan,
                         const rec_eval_layout *lay, const uint32_t *items, size_t stride,
                         const uint32_t *len, size_t n_items);

#endif
