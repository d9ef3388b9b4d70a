/* Sampled evaluation: each test item is ranked against N negatives drawn
 * for it, uniformly or by training popularity, from the items that are
 * neither excluded nor test items of the user (docs/metrics.md). The
 * negatives of user u come from the stream (seed, REC_STREAM_EVAL, u), so
 * the result does not depend on the thread count. */
#include <math.h>
#include <stdint.h>

#include "core/alloc.h"
#include "core/error.h"
#include "core/rng.h"
#include "core/search.h"
#include "core/threads.h"
#include "eval/eval.h"
#include "sample/complement.h"

typedef enum sampled_measure {
    SAMPLED_HIT = 0,
    SAMPLED_NDCG,
    SAMPLED_MRR,
    SAMPLED_COUNT
} sampled_measure;

static const char *const sampled_names[SAMPLED_COUNT] = {
    "sampled_hit", "sampled_ndcg", "sampled_mrr"
};

#define USERS_PER_TASK 64

typedef struct scratch {
    uint32_t *avoid;     /* the user's excluded and test items, sorted */
    double *cum;         /* dense popularity draws (sample/complement.h) */
    uint32_t *items;
} scratch;

typedef struct job {
    const rec_serving *s;
    const rec_dataset *exclude, *test;
    const rec_eval_plan *plan;
    const uint32_t *users;
    size_t n_users;
    rec_item_dist dist;       /* uniform or by training popularity */
    scratch *scratch;
    double *per_user;
    size_t auc;               /* column of sampled_auc */
} job;

static void sampled_user(job *j, scratch *sc, size_t row)
{
    const rec_serving *s = j->s;
    uint32_t u = j->users[row];
    const uint32_t *seen = NULL;
    size_t n_seen = 0;
    if (j->exclude) {
        seen = j->exclude->user_items + j->exclude->user_ptr[u];
        n_seen = j->exclude->user_ptr[u + 1] - j->exclude->user_ptr[u];
    }
    const uint32_t *rel = j->test->user_items + j->test->user_ptr[u];
    size_t n_rel = j->test->user_ptr[u + 1] - j->test->user_ptr[u];
    rec_complement d;
    rec_complement_init(&d, &j->dist, sc->avoid,
                        rec_sorted_union(seen, n_seen, rel, n_rel, sc->avoid), sc->cum, sc->items);
    rec_rng rng;
    rec_rng_seed(&rng, j->plan->seed, REC_STREAM_EVAL, u);
    const float *vec = rec_serving_user(s, u);
    const unsigned *ks = j->plan->ks;
    size_t n_ks = j->plan->n_ks, stride = j->n_users;
    unsigned n_neg = rec_complement_empty(&d) ? 0 : j->plan->negatives;
    double *col = j->per_user + row;
    for (size_t t = 0; t < n_rel; t++) {
        /* An excluded test item cannot be ranked: a miss, as in full ranking. */
        if (rec_sorted_has(seen, 0, n_seen, rel[t]))
            continue;
        uint32_t pos = rel[t];
        float st = rec_serving_score(s, vec, pos);
        size_t greater = 0, equal = 0, equal_before = 0;
        for (unsigned q = 0; q < n_neg; q++) {
            uint32_t neg = rec_complement_draw(&d, &rng);
            float sn = rec_serving_score(s, vec, neg);
            greater += sn > st;
            equal += sn == st;
            equal_before += sn == st && neg < pos;
        }
        /* Equal scores rank by ascending id, as in full ranking; for the
         * AUC a tie counts one half. */
        size_t rank = 1 + greater + equal_before;
        for (size_t c = 0; c < n_ks; c++) {
            if (rank > ks[c])
                continue;
            double *at = col + c * SAMPLED_COUNT * stride;
            at[SAMPLED_HIT * stride] += 1.0;
            at[SAMPLED_NDCG * stride] += 1.0 / log2((double)rank + 1.0);
            at[SAMPLED_MRR * stride] += 1.0 / (double)rank;
        }
        col[j->auc * stride] +=
            n_neg ? ((double)(n_neg - greater - equal) + 0.5 * (double)equal) / n_neg : 1.0;
    }
    /* The user's value: the mean over their test items. */
    for (size_t v = 0; v <= j->auc; v++)
        col[v * stride] /= (double)n_rel;
}

static void sampled_task(void *p, size_t task, unsigned w)
{
    job *j = p;
    size_t first = task * USERS_PER_TASK;
    size_t last = first + USERS_PER_TASK < j->n_users ? first + USERS_PER_TASK : j->n_users;
    for (size_t row = first; row < last; row++)
        sampled_user(j, &j->scratch[w], row);
}

int rec_evaluate_sampled(struct rec_eval **out, const rec_serving *s,
                         const rec_dataset *exclude, const rec_dataset *test,
                         const rec_eval_plan *plan)
{
    *out = NULL;
    size_t n_users = 0, n_ks = plan->n_ks;
    uint32_t *users = rec_eval_test_users(test, &n_users);
    if (!users)
        return rec_error_nomem();
    int with_rating = test->ratings != NULL;
    struct rec_eval *ev = NULL;
    int rc = rec_eval_new(&ev, users, n_users, n_ks * SAMPLED_COUNT + 1, with_rating ? 2 : 0);
    if (rc != REC_OK)
        return rc;
    for (size_t c = 0; c < n_ks; c++)
        for (int m = 0; m < SAMPLED_COUNT; m++)
            rec_eval_name(ev, c * SAMPLED_COUNT + (size_t)m, sampled_names[m], plan->ks[c]);
    rec_eval_name(ev, n_ks * SAMPLED_COUNT, "sampled_auc", 0);
    if (with_rating) {
        rec_eval_name(ev, ev->n_per_user, "rmse", 0);
        rec_eval_name(ev, ev->n_per_user + 1, "mae", 0);
    }

    job j = { .s = s, .exclude = exclude, .test = test, .plan = plan, .users = ev->users,
              .n_users = n_users, .per_user = ev->per_user, .auc = n_ks * SAMPLED_COUNT };
    size_t n_items = s->n_items;
    double *w = NULL;
    if (plan->sampling == REC_EVAL_SAMPLED_POPULARITY) {
        w = rec_malloc_array(n_items + 1, sizeof *w);
        if (!w)
            rc = rec_error_nomem();
        for (size_t i = 0; rc == REC_OK && i < n_items; i++)
            w[i] = (double)plan->pop->counts[i];
    }
    if (rc == REC_OK)
        rc = rec_item_dist_init(&j.dist, n_items, w);
    rec_free(w);
    unsigned threads = rec_threads_resolve(plan->threads);
    size_t n_tasks = (n_users + USERS_PER_TASK - 1) / USERS_PER_TASK;
    if ((size_t)threads > n_tasks)
        threads = n_tasks ? (unsigned)n_tasks : 1;
    size_t avoid_max = rec_dataset_max_row(exclude) + rec_dataset_max_row(test);
    j.scratch = rc == REC_OK ? rec_calloc(threads, sizeof *j.scratch) : NULL;
    if (rc == REC_OK && !j.scratch)
        rc = rec_error_nomem();
    for (unsigned t = 0; rc == REC_OK && t < threads; t++) {
        scratch *sc = &j.scratch[t];
        sc->avoid = rec_malloc_array(avoid_max + 1, sizeof *sc->avoid);
        if (j.dist.weight) {
            sc->cum = rec_malloc_array(n_items + 1, sizeof *sc->cum);
            sc->items = rec_malloc_array(n_items + 1, sizeof *sc->items);
        }
        if (!sc->avoid || (j.dist.weight && (!sc->cum || !sc->items)))
            rc = rec_error_nomem();
    }
    if (rc == REC_OK)
        rec_parallel_for(threads, n_tasks, sampled_task, &j);
    for (unsigned t = 0; j.scratch && t < threads; t++) {
        rec_free(j.scratch[t].avoid);
        rec_free(j.scratch[t].cum);
        rec_free(j.scratch[t].items);
    }
    rec_free(j.scratch);
    rec_item_dist_free(&j.dist);
    if (rc != REC_OK) {
        rec_eval_destroy(ev);
        return rc;
    }
    rec_eval_average(ev);
    if (with_rating)
        rec_rating_errors(s, test, &ev->values[ev->n_per_user], &ev->values[ev->n_per_user + 1]);
    *out = ev;
    return REC_OK;
}
