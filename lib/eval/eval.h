/* Full-ranking evaluation of a serving form against a test dataset. */
#ifndef REC_EVAL_EVAL_H
#define REC_EVAL_EVAL_H

#include "data/dataset.h"
#include "model/serving.h"

#define REC_EVAL_NAME_MAX 32
/* Largest cut-off: rankings are held in memory per worker. */
#define REC_EVAL_K_MAX 100000

struct rec_eval {
    size_t n_users;                    /* users averaged over */
    size_t n_values;
    char (*names)[REC_EVAL_NAME_MAX];  /* "recall@20", ... */
    double *values;                    /* the means, n_values */
    uint32_t *users;                   /* the users, ascending, n_users */
    double *per_user;                  /* measure v of user i at [v * n_users + i] */
};

/* For every user of `test` with at least one interaction: scores all items,
 * removes that user's items in `exclude` (NULL: none), ranks the rest, and
 * averages the measures at each cut-off, keeping every user's values. Blocks
 * of users are scored with one GEMM each and spread over `threads` threads;
 * means are summed in user order, so the result does not depend on the
 * thread count.
 * ks: n_ks cut-offs in [1, REC_EVAL_K_MAX] (duplicates are dropped). */
int rec_evaluate(struct rec_eval **out, const rec_serving *s,
                 const rec_dataset *exclude, const rec_dataset *test,
                 const unsigned *ks, size_t n_ks, unsigned threads);

/* The measures of ranked lists given by the caller (rec_eval_lists): user
 * i's list is list_items[list_ptr[i] .. list_ptr[i + 1]), best first, its
 * relevant items rel_items[rel_ptr[i] .. rel_ptr[i + 1]). Users without a
 * relevant item are left out; the others are reported by their index i.
 * REC_EINVAL naming the user and position of an item listed twice. */
int rec_evaluate_lists(struct rec_eval **out, size_t n_users, const size_t *list_ptr,
                       const uint32_t *list_items, const size_t *rel_ptr,
                       const uint32_t *rel_items, const unsigned *ks, size_t n_ks);

/* The sorted, distinct cut-offs of ks into out (n_ks slots); returns how
 * many. */
size_t rec_eval_cutoffs(const unsigned *ks, size_t n_ks, unsigned *out);

/* The result handle from per-user values (measure v of user i at
 * [v * n_users + i], ks as rec_eval_cutoffs gives them; with_auc: one more
 * measure, "auc", after the cut-off ones). Takes over users and per_user,
 * also on failure. */
int rec_eval_result(struct rec_eval **out, const unsigned *ks, size_t n_ks, int with_auc,
                    uint32_t *users, double *per_user, size_t n_users);

void rec_eval_destroy(struct rec_eval *ev);

#endif
