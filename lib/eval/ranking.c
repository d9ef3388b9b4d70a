#include <stdatomic.h>
#include <stdint.h>

#include "core/alloc.h"
#include "core/error.h"
#include "core/search.h"
#include "core/threads.h"
#include "eval/eval.h"
#include "eval/metrics.h"
#include "kernels/kernels.h"

typedef struct worker {
    float *scores;        /* block * n_items */
    rec_scored *top;      /* k_max */
    uint8_t *hit;         /* k_max */
    uint32_t *avoid;      /* a user's excluded and test items */
} worker;

typedef struct job {
    const rec_serving *s;
    const rec_dataset *exclude, *test;
    const uint32_t *users;  /* test users */
    size_t n_users;
    size_t block;
    const unsigned *ks;
    size_t n_ks;
    size_t k_max;
    worker *workers;
    const rec_kernels *K;
    double *per_user;       /* measure v of user i at [v * n_users + i] */
    size_t auc;             /* column of "auc" */
    uint32_t *lists;        /* user i's top list at [i * k_max], or NULL */
    uint32_t *list_len;     /* its length */
    atomic_int failed;
} job;

/* The user's AUC over all items outside `seen`: the probability that a test
 * item not in `seen` outscores such a non-test item, ties counting one
 * half (docs/metrics.md). seen and rel are sorted and distinct; avoid has
 * room for both. */
static double user_auc(const rec_kernels *K, const float *row, size_t n_items,
                       const uint32_t *seen, size_t n_seen, const uint32_t *rel, size_t n_rel,
                       uint32_t *avoid)
{
    size_t n_avoid = rec_sorted_union(seen, n_seen, rel, n_rel, avoid);
    size_t positives = 0;
    double sum = 0.0;
    for (size_t t = 0; t < n_rel; t++) {
        if (rec_sorted_has(seen, 0, n_seen, rel[t]))
            continue;
        positives++;
        float st = row[rel[t]];
        size_t below, equal;
        K->count_below(row, n_items, st, &below, &equal);
        /* Take the excluded and the test items back out of the counts. */
        for (size_t a = 0; a < n_avoid; a++) {
            below -= row[avoid[a]] < st;
            equal -= row[avoid[a]] == st;
        }
        sum += (double)below + 0.5 * (double)equal;
    }
    size_t negatives = n_items - n_avoid;
    if (positives == 0)
        return 0.0; /* every test item was excluded: none could be ranked */
    if (negatives == 0)
        return 1.0; /* nothing to rank below them */
    return sum / ((double)positives * (double)negatives);
}

static void eval_block(void *p, size_t b, unsigned w)
{
    job *j = p;
    worker *wk = &j->workers[w];
    size_t first = b * j->block;
    size_t nu = j->n_users - first < j->block ? j->n_users - first : j->block;
    size_t n_items = j->s->n_items;

    if (rec_serving_score_block(j->s, j->users + first, nu, wk->scores) != REC_OK) {
        atomic_store(&j->failed, 1);
        return;
    }
    for (size_t r = 0; r < nu; r++) {
        uint32_t u = j->users[first + r];
        const uint32_t *seen = NULL;
        size_t n_seen = 0;
        if (j->exclude) {
            seen = j->exclude->user_items + j->exclude->user_ptr[u];
            n_seen = j->exclude->user_ptr[u + 1] - j->exclude->user_ptr[u];
        }
        size_t n_top = rec_topk(wk->scores + r * n_items, n_items, j->k_max, seen,
                                n_seen, wk->top);
        const uint32_t *rel = j->test->user_items + j->test->user_ptr[u];
        size_t n_rel = j->test->user_ptr[u + 1] - j->test->user_ptr[u];
        for (size_t t = 0; t < n_top; t++)
            wk->hit[t] = (uint8_t)rec_sorted_has(rel, 0, n_rel, wk->top[t].item);
        rec_metrics_add_user(wk->hit, n_top, n_rel, j->ks, j->n_ks,
                             j->per_user + first + r, j->n_users);
        j->per_user[j->auc * j->n_users + first + r] =
            user_auc(j->K, wk->scores + r * n_items, n_items, seen, n_seen, rel, n_rel,
                     wk->avoid);
        if (j->lists) {
            uint32_t *list = j->lists + (first + r) * j->k_max;
            for (size_t t = 0; t < n_top; t++)
                list[t] = wk->top[t].item;
            j->list_len[first + r] = (uint32_t)n_top;
        }
    }
}

static void free_workers(worker *w, unsigned n)
{
    for (unsigned t = 0; w && t < n; t++) {
        rec_free(w[t].scores);
        rec_free(w[t].top);
        rec_free(w[t].hit);
        rec_free(w[t].avoid);
    }
    rec_free(w);
}

int rec_evaluate(struct rec_eval **out, const rec_serving *s, const rec_dataset *exclude,
                 const rec_dataset *test, const rec_eval_plan *plan)
{
    *out = NULL;
    if (plan->sampling != REC_EVAL_FULL)
        return rec_evaluate_sampled(out, s, exclude, test, plan);
    size_t n_users = 0;
    uint32_t *users = rec_eval_test_users(test, &n_users);
    if (!users)
        return rec_error_nomem();
    rec_eval_layout lay = rec_eval_plan_layout(plan, 1, test->ratings != NULL);
    struct rec_eval *ev = NULL;
    int rc = rec_eval_new_laid_out(&ev, plan, &lay, users, n_users);
    if (rc != REC_OK)
        return rc;

    unsigned threads = rec_threads_resolve(plan->threads);
    size_t n_items = s->n_items ? s->n_items : 1;
    size_t block = rec_serving_block_rows(s);
    size_t n_blocks = (n_users + block - 1) / block;
    if ((size_t)threads > n_blocks)
        threads = n_blocks ? (unsigned)n_blocks : 1;

    job j = { .s = s, .exclude = exclude, .test = test, .users = ev->users,
              .n_users = n_users, .block = block, .ks = plan->ks, .n_ks = plan->n_ks,
              .k_max = plan->ks[plan->n_ks - 1], .K = rec_kernels_get(),
              .per_user = ev->per_user, .auc = lay.auc };
    if (plan->beyond_accuracy) {
        j.lists = rec_malloc_array(n_users * j.k_max + 1, sizeof *j.lists);
        j.list_len = rec_malloc_array(n_users + 1, sizeof *j.list_len);
        if (!j.lists || !j.list_len)
            rc = rec_error_nomem();
    }
    size_t avoid_max = rec_dataset_max_row(exclude) + rec_dataset_max_row(test);
    j.workers = rec_calloc(threads, sizeof *j.workers);
    if (!j.workers)
        rc = rec_error_nomem();
    for (unsigned t = 0; rc == REC_OK && t < threads; t++) {
        worker *w = &j.workers[t];
        w->scores = rec_aligned_alloc(block * n_items, sizeof(float));
        w->top = rec_malloc_array(j.k_max, sizeof *w->top);
        w->hit = rec_malloc_array(j.k_max, sizeof *w->hit);
        w->avoid = rec_malloc_array(avoid_max + 1, sizeof *w->avoid);
        if (!w->scores || !w->top || !w->hit || !w->avoid)
            rc = rec_error_nomem();
    }
    if (rc == REC_OK && n_users > 0) {
        rec_parallel_for(threads, n_blocks, eval_block, &j);
        if (atomic_load(&j.failed))
            rc = rec_error_nomem();
    }
    free_workers(j.workers, threads);
    if (rc == REC_OK)
        rc = rec_eval_list_groups(ev, plan, &lay, j.lists, j.k_max, j.list_len, s->n_items);
    if (rc == REC_OK)
        rec_eval_average(ev);
    if (rc == REC_OK && lay.rating != SIZE_MAX)
        rec_rating_errors(s, test, &ev->values[lay.rating], &ev->values[lay.rating + 1]);
    rec_free(j.lists);
    rec_free(j.list_len);
    if (rc != REC_OK) {
        rec_eval_destroy(ev);
        return rc;
    }
    *out = ev;
    return REC_OK;
}
