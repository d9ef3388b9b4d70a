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

void rec_eval_destroy(struct rec_eval *ev);

#endif
