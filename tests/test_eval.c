/* Evaluation: the measures on hand-computed cases, full ranking with
 * exclusion on a hand-made model, and independence of the thread count. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "librec/librec.h"
#include "core/alloc.h"
#include "eval/eval.h"
#include "eval/metrics.h"
#include "eval/popularity.h"
#include "model/serving.h"
#include "eval/stats.h"

#define EPS 1e-12

START_TEST(test_metrics_hand_computed)
{
    /* Three relevant items; hits at ranks 1 and 3 of a list of four. */
    const uint8_t hit[] = { 1, 0, 1, 0 };
    const unsigned ks[] = { 1, 2, 3, 10 };
    double sums[4 * REC_MEASURE_COUNT] = { 0 };
    rec_metrics_add_user(hit, 4, 3, ks, 4, sums, 1);
    double l2 = 1.0 / log2(3.0), l3 = 0.5; /* discounts of ranks 2 and 3 */
    /* K = 1: one hit of one slot; ideal DCG of one hit. */
    ck_assert_double_eq_tol(sums[REC_MEASURE_RECALL], 1.0 / 3, EPS);
    ck_assert_double_eq_tol(sums[REC_MEASURE_PRECISION], 1.0, EPS);
    ck_assert_double_eq_tol(sums[REC_MEASURE_NDCG], 1.0, EPS);
    ck_assert_double_eq_tol(sums[REC_MEASURE_HIT], 1.0, EPS);
    /* K = 2: DCG 1, ideal 1 + 1/log2(3). */
    double *s2 = sums + REC_MEASURE_COUNT;
    ck_assert_double_eq_tol(s2[REC_MEASURE_RECALL], 1.0 / 3, EPS);
    ck_assert_double_eq_tol(s2[REC_MEASURE_PRECISION], 0.5, EPS);
    ck_assert_double_eq_tol(s2[REC_MEASURE_NDCG], 1.0 / (1.0 + l2), EPS);
    /* K = 3: DCG 1 + 1/2, ideal 1 + 1/log2(3) + 1/2. */
    double *s3 = sums + 2 * REC_MEASURE_COUNT;
    ck_assert_double_eq_tol(s3[REC_MEASURE_RECALL], 2.0 / 3, EPS);
    ck_assert_double_eq_tol(s3[REC_MEASURE_PRECISION], 2.0 / 3, EPS);
    ck_assert_double_eq_tol(s3[REC_MEASURE_NDCG], 1.5 / (1.0 + l2 + l3), EPS);
    /* K = 10 with only four ranked: precision still divides by K. */
    double *s10 = sums + 3 * REC_MEASURE_COUNT;
    ck_assert_double_eq_tol(s10[REC_MEASURE_RECALL], 2.0 / 3, EPS);
    ck_assert_double_eq_tol(s10[REC_MEASURE_PRECISION], 0.2, EPS);
    ck_assert_double_eq_tol(s10[REC_MEASURE_NDCG], 1.5 / (1.0 + l2 + l3), EPS);
    /* MRR: the first hit is at rank 1 for every K. MAP: precision at each
     * hit, over min(K, 3). The NGCF NDCG: the list retrieved two hits, so
     * its ideal has min(K, 2) hits. */
    double per_k_map[] = { 1.0, 1.0 / 2, (1.0 + 2.0 / 3) / 3, (1.0 + 2.0 / 3) / 3 };
    double per_k_ndcg_ret[] = { 1.0, 1.0 / (1.0 + l2), 1.5 / (1.0 + l2), 1.5 / (1.0 + l2) };
    for (int c = 0; c < 4; c++) {
        double *sc = sums + c * REC_MEASURE_COUNT;
        ck_assert_double_eq_tol(sc[REC_MEASURE_MRR], 1.0, EPS);
        ck_assert_double_eq_tol(sc[REC_MEASURE_MAP], per_k_map[c], EPS);
        ck_assert_double_eq_tol(sc[REC_MEASURE_NDCG_RETRIEVED], per_k_ndcg_ret[c], EPS);
    }

    /* A first hit at rank 3 of one relevant item. */
    const uint8_t late[] = { 0, 0, 1 };
    const unsigned k23[] = { 2, 3 };
    double l[2 * REC_MEASURE_COUNT] = { 0 };
    rec_metrics_add_user(late, 3, 1, k23, 2, l, 1);
    ck_assert_double_eq(l[REC_MEASURE_MRR], 0.0);
    ck_assert_double_eq(l[REC_MEASURE_MAP], 0.0);
    ck_assert_double_eq(l[REC_MEASURE_NDCG_RETRIEVED], 0.0);
    ck_assert_double_eq_tol(l[REC_MEASURE_COUNT + REC_MEASURE_MRR], 1.0 / 3, EPS);
    ck_assert_double_eq_tol(l[REC_MEASURE_COUNT + REC_MEASURE_MAP], 1.0 / 3, EPS);
    ck_assert_double_eq_tol(l[REC_MEASURE_COUNT + REC_MEASURE_NDCG_RETRIEVED], 0.5, EPS);
    ck_assert_double_eq_tol(l[REC_MEASURE_COUNT + REC_MEASURE_NDCG], 0.5, EPS);

    /* No hit at all. */
    const uint8_t miss[] = { 0, 0 };
    double z[REC_MEASURE_COUNT] = { 0 };
    rec_metrics_add_user(miss, 2, 5, ks + 1, 1, z, 1);
    for (int m = 0; m < REC_MEASURE_COUNT; m++)
        ck_assert_double_eq(z[m], 0.0);
}
END_TEST

/* Items 0..5, users 0..2. Training: u0 {0}, u1 {0,1}, u2 {0,1,2}; so the
 * popularity model ranks 0,1,2 then 3,4,5 (ties by id). Test: u0 {1,4},
 * u1 {3}, u2 none. */
static void make_case(rec_dataset **space, rec_dataset **train, rec_dataset **test)
{
    int64_t su[] = { 0, 0, 0, 0, 0, 0, 1, 2 }, si[] = { 0, 1, 2, 3, 4, 5, 0, 0 };
    int64_t tu[] = { 0, 1, 1, 2, 2, 2 }, ti[] = { 0, 0, 1, 0, 1, 2 };
    int64_t eu[] = { 0, 0, 1 }, ei[] = { 1, 4, 3 };
    ck_assert_rec(rec_dataset_from_int_arrays(space, 8, su, si, NULL, NULL, NULL, NULL),
                  REC_OK, NULL);
    ck_assert_rec(rec_dataset_from_int_arrays(train, 6, tu, ti, NULL, NULL, NULL, *space),
                  REC_OK, NULL);
    ck_assert_rec(rec_dataset_from_int_arrays(test, 3, eu, ei, NULL, NULL, NULL, *space),
                  REC_OK, NULL);
}

/* The popularity model trained on make_case's training part. */
static rec_model *pop_case(rec_dataset **space, rec_dataset **train, rec_dataset **test,
                           rec_train_options **o)
{
    make_case(space, train, test);
    *o = NULL;
    ck_assert_rec(rec_train_options_new(o, "pop"), REC_OK, NULL);
    rec_model *m = NULL;
    ck_assert_rec(rec_model_train(&m, *train, *o), REC_OK, NULL);
    return m;
}

static void free_case(rec_model *m, rec_train_options *o, rec_dataset *space,
                      rec_dataset *train, rec_dataset *test)
{
    rec_model_free(m);
    rec_train_options_free(o);
    rec_dataset_free(space);
    rec_dataset_free(train);
    rec_dataset_free(test);
}

static double get(const rec_eval *ev, const char *name)
{
    double v;
    ck_assert_rec(rec_eval_get(ev, name, &v), REC_OK, NULL);
    return v;
}

START_TEST(test_full_ranking_hand_computed)
{
    rec_dataset *space, *train, *test;
    rec_train_options *o;
    rec_model *m = pop_case(&space, &train, &test, &o);

    const unsigned ks[] = { 2, 1, 2 }; /* unsorted, with a duplicate */
    rec_eval_options eo = REC_EVAL_OPTIONS_INIT;
    eo.ks = ks;
    eo.n_ks = 3;
    rec_eval *ev = NULL;
    ck_assert_rec(rec_eval_run(&ev, m, NULL, test, &eo), REC_OK, NULL);
    ck_assert_uint_eq(rec_eval_n_users(ev), 2);
    /* Per cut-off 7 ranking and 3 popularity measures, then the AUC; 11
     * exposure measures per cut-off over all lists. */
    ck_assert_uint_eq(rec_eval_count_per_user(ev), 2 * (REC_MEASURE_COUNT + 3) + 1);
    ck_assert_uint_eq(rec_eval_count(ev), 2 * (REC_MEASURE_COUNT + 3 + 11) + 1);
    /* u0 ranks 1,2,3,4,5 (0 excluded): top-2 [1,2]; u1 ranks 2,3,4,5: [2,3]. */
    double l2 = 1.0 / log2(3.0);
    ck_assert_double_eq_tol(get(ev, "recall@2"), (0.5 + 1.0) / 2, EPS);
    ck_assert_double_eq_tol(get(ev, "precision@2"), 0.5, EPS);
    ck_assert_double_eq_tol(get(ev, "ndcg@2"), (1.0 / (1.0 + l2) + l2) / 2, EPS);
    ck_assert_double_eq_tol(get(ev, "hit@2"), 1.0, EPS);
    ck_assert_double_eq_tol(get(ev, "recall@1"), 0.25, EPS);
    ck_assert_double_eq_tol(get(ev, "precision@1"), 0.5, EPS);
    ck_assert_double_eq_tol(get(ev, "ndcg@1"), 0.5, EPS);
    ck_assert_double_eq_tol(get(ev, "hit@1"), 0.5, EPS);
    /* u0's first hit is at rank 1, u1's at rank 2 (of a list of two). */
    ck_assert_double_eq_tol(get(ev, "mrr@2"), (1.0 + 0.5) / 2, EPS);
    ck_assert_double_eq_tol(get(ev, "mrr@1"), 0.5, EPS);
    ck_assert_double_eq_tol(get(ev, "map@2"), (1.0 / 2 + 0.5 / 1) / 2, EPS);
    ck_assert_double_eq_tol(get(ev, "map@1"), (1.0 + 0.0) / 2, EPS);
    /* One hit retrieved each: the ideal is one hit at the top. */
    ck_assert_double_eq_tol(get(ev, "ndcg_retrieved@2"), (1.0 + l2) / 2, EPS);
    ck_assert_double_eq_tol(get(ev, "ndcg_retrieved@1"), 0.5, EPS);
    /* Per user: u0 (index 0) and u1 (index 1); u2 has no test item. */
    const uint32_t *pu;
    const double *pv;
    ck_assert_rec(rec_eval_user_values(ev, "recall@2", &pu, &pv), REC_OK, NULL);
    ck_assert_uint_eq(pu[0], 0);
    ck_assert_uint_eq(pu[1], 1);
    ck_assert_double_eq_tol(pv[0], 0.5, EPS);
    ck_assert_double_eq_tol(pv[1], 1.0, EPS);
    ck_assert_rec(rec_eval_user_values(ev, "mrr@2", &pu, &pv), REC_OK, NULL);
    ck_assert_double_eq_tol(pv[0], 1.0, EPS);
    ck_assert_double_eq_tol(pv[1], 0.5, EPS);
    ck_assert_rec(rec_eval_user_values(ev, "mrr@3", &pu, &pv), REC_ENOTFOUND, "mrr@3");
    ck_assert_rec(rec_eval_user_values(ev, NULL, &pu, &pv), REC_EINVAL, "name");
    const char *name;
    double value;
    ck_assert_rec(rec_eval_at(ev, 0, &name, &value), REC_OK, NULL);
    ck_assert_str_eq(name, "recall@1");
    ck_assert_rec(rec_eval_at(ev, 2 * REC_MEASURE_COUNT - 1, &name, &value), REC_OK, NULL);
    ck_assert_str_eq(name, "ndcg_retrieved@2");
    ck_assert_rec(rec_eval_at(ev, 2 * REC_MEASURE_COUNT, &name, &value), REC_OK, NULL);
    ck_assert_str_eq(name, "auc");
    ck_assert_rec(rec_eval_at(ev, 2 * REC_MEASURE_COUNT + 1, &name, &value), REC_OK, NULL);
    ck_assert_str_eq(name, "avg_pop@1");
    ck_assert_rec(rec_eval_at(ev, rec_eval_count(ev), &name, &value), REC_EINVAL, "past");
    /* Scores are popularity 3, 2, 1, 0, 0, 0. u0: positives 1 (score 2) and
     * 4 (0) against negatives 2, 3, 5: 3 + 2 halves of 6 pairs. u1: 3 (0)
     * against 2, 4, 5: two ties of 3 pairs. */
    ck_assert_double_eq_tol(get(ev, "auc"), (4.0 / 6 + 1.0 / 3) / 2, EPS);
    ck_assert_rec(rec_eval_user_values(ev, "auc", &pu, &pv), REC_OK, NULL);
    ck_assert_double_eq_tol(pv[0], 4.0 / 6, EPS);
    ck_assert_double_eq_tol(pv[1], 1.0 / 3, EPS);
    ck_assert_rec(rec_eval_get(ev, "recall@3", &value), REC_ENOTFOUND, "recall@3");

    /* Beyond accuracy. Training counts 3, 2, 1, 0, 0, 0 over 3 users; the
     * head is the 6 - floor(0.8 * 6) = 2 most popular items {0, 1}. Top-2
     * lists: u0 [1, 2], u1 [2, 3]; top-1: [1], [2]. */
    ck_assert_double_eq_tol(get(ev, "avg_pop@2"), ((2.0 + 1) / 2 + (1.0 + 0) / 2) / 2, EPS);
    ck_assert_double_eq_tol(get(ev, "avg_pop@1"), (2.0 + 1) / 2, EPS);
    ck_assert_double_eq_tol(get(ev, "long_tail@2"), (0.5 + 1.0) / 2, EPS);
    ck_assert_double_eq_tol(get(ev, "long_tail@1"), 0.5, EPS);
    /* Self-information log2(3 / max(c, 1)): item 3, never trained on,
     * counts as seen once. */
    double nov_u0 = (log2(3.0 / 2) + log2(3.0)) / 2, nov_u1 = log2(3.0);
    ck_assert_double_eq_tol(get(ev, "novelty@2"), (nov_u0 + nov_u1) / 2, EPS);
    ck_assert_rec(rec_eval_user_values(ev, "novelty@2", &pu, &pv), REC_OK, NULL);
    ck_assert_double_eq_tol(pv[1], nov_u1, EPS);
    /* Exposure at K = 2: counts 0, 1, 2, 1, 0, 0 (S = 4, n = 6). */
    ck_assert_double_eq_tol(get(ev, "coverage@2"), 3.0 / 6, EPS);
    ck_assert_double_eq_tol(get(ev, "coverage@1"), 2.0 / 6, EPS);
    ck_assert_double_eq_tol(get(ev, "entropy@2"), 1.5 * log(2.0), EPS);
    ck_assert_double_eq_tol(get(ev, "gini@2"), (1.0 * 1 + 3.0 * 1 + 5.0 * 2) / (6 * 4), EPS);
    /* Jain = 16 / (6 * 6) against its bounds 2/6 (everyone the same two
     * items) and 16 / (6 * 4) (four items once each). */
    ck_assert_double_eq_tol(get(ev, "fair_jain@2"),
                            (16.0 / 36 - 2.0 / 6) / (16.0 / 24 - 2.0 / 6), EPS);
    ck_assert_double_eq_tol(get(ev, "fair_qf@2"), (3.0 - 2) / (4 - 2), EPS);
    ck_assert_rec(rec_eval_user_values(ev, "coverage@2", &pu, &pv), REC_EINVAL,
                  "over all users together");
    ck_assert_rec(rec_eval_get(ev, "rmse", &value), REC_ENOTFOUND, "rmse");
    rec_eval_free(ev);

    /* Without the measures beyond accuracy, only ranking and AUC remain. */
    eo.beyond_accuracy = 0;
    ck_assert_rec(rec_eval_run(&ev, m, NULL, test, &eo), REC_OK, NULL);
    ck_assert_uint_eq(rec_eval_count(ev), 2 * REC_MEASURE_COUNT + 1);
    ck_assert_uint_eq(rec_eval_count_per_user(ev), 2 * REC_MEASURE_COUNT + 1);
    rec_eval_free(ev);
    eo.beyond_accuracy = 1;

    /* Without exclusion u0 ranks 0,1,...: top-2 [0,1] has one hit at rank 2;
     * u1 ranks [0,1]: no hit. */
    eo.exclude_train = 0;
    ck_assert_rec(rec_eval_run(&ev, m, NULL, test, &eo), REC_OK, NULL);
    ck_assert_double_eq_tol(get(ev, "recall@2"), 0.5 / 2, EPS);
    ck_assert_double_eq_tol(get(ev, "ndcg@2"), (l2 / (1.0 + l2)) / 2, EPS);
    /* Training items are negatives now: u0 4 of 8 pairs, u1 1 of 5. */
    ck_assert_double_eq_tol(get(ev, "auc"), (0.5 + 0.2) / 2, EPS);
    rec_eval_free(ev);

    /* An explicit training set in the id space works like the model's own. */
    eo.exclude_train = 1;
    ck_assert_rec(rec_eval_run(&ev, m, train, test, &eo), REC_OK, NULL);
    ck_assert_double_eq_tol(get(ev, "recall@2"), 0.75, EPS);
    rec_eval_free(ev);

    /* Datasets of another id space are refused. */
    rec_dataset *stranger = NULL;
    int64_t u[] = { 0 }, i[] = { 1 };
    ck_assert_rec(rec_dataset_from_int_arrays(&stranger, 1, u, i, NULL, NULL, NULL, NULL),
                  REC_OK, NULL);
    ck_assert_rec(rec_eval_run(&ev, m, NULL, stranger, NULL), REC_EINVAL, "id space");
    ck_assert_rec(rec_eval_run(&ev, m, stranger, test, NULL), REC_EINVAL, "id space");
    ck_assert_ptr_null(ev);
    unsigned bad_k = 0;
    eo.ks = &bad_k;
    eo.n_ks = 1;
    ck_assert_rec(rec_eval_run(&ev, m, NULL, test, &eo), REC_EINVAL, "ks[0]");
    eo.n_ks = 0;
    ck_assert_rec(rec_eval_run(&ev, m, NULL, test, &eo), REC_EINVAL, "n_ks");
    rec_dataset_free(stranger);

    free_case(m, o, space, train, test);
}
END_TEST

/* ---- The fast path against a slow reference, on random data ---- */

typedef struct ref_item {
    double score;
    uint32_t item;
} ref_item;

static int cmp_ref_item(const void *a, const void *b)
{
    const ref_item *x = a, *y = b;
    if (x->score != y->score)
        return x->score > y->score ? -1 : 1;
    return (x->item > y->item) - (x->item < y->item);
}

static int cmp_count_desc(const void *a, const void *b)
{
    const uint32_t *x = a, *y = b; /* (count, item) pairs */
    if (x[0] != y[0])
        return x[0] > y[0] ? -1 : 1;
    return (x[1] > y[1]) - (x[1] < y[1]);
}

static int has_item(const uint32_t *row, size_t n, uint32_t i)
{
    for (size_t t = 0; t < n; t++)
        if (row[t] == i)
            return 1;
    return 0;
}

static double idcg(size_t n)
{
    double d = 0.0;
    for (size_t r = 1; r <= n; r++)
        d += 1.0 / log2((double)r + 1.0);
    return d;
}

/* The measures of one user straight from the definitions (docs/metrics.md):
 * the whole ranking sorted, every measure recounted at every cut-off. */
static void reference_user(const rec_serving *s, const rec_dataset *train,
                           const rec_dataset *test, uint32_t u, const unsigned *ks,
                           size_t n_ks, const uint32_t *counts, const uint8_t *tail,
                           double n_train_users, const rec_eval *ev, size_t row,
                           uint8_t *covered)
{
    size_t n = s->n_items, n_seen = train->user_ptr[u + 1] - train->user_ptr[u];
    size_t n_rel = test->user_ptr[u + 1] - test->user_ptr[u];
    const uint32_t *seen = train->user_items + train->user_ptr[u];
    const uint32_t *rel = test->user_items + test->user_ptr[u];
    ref_item *rank = malloc(n * sizeof *rank);
    ck_assert(rank);
    size_t len = 0;
    for (uint32_t i = 0; i < n; i++) {
        if (has_item(seen, n_seen, i))
            continue;
        double sc = 0.0;
        for (size_t d = 0; d < s->dim; d++)
            sc += (double)rec_serving_user(s, u)[d] * rec_serving_item(s, i)[d];
        rank[len++] = (ref_item){ sc, i };
    }
    qsort(rank, len, sizeof *rank, cmp_ref_item);
    size_t list_len = len < ks[n_ks - 1] ? len : ks[n_ks - 1];
    size_t retrieved = 0;
    for (size_t r = 0; r < list_len; r++)
        retrieved += has_item(rel, n_rel, rank[r].item);
    for (size_t c = 0; c < n_ks; c++) {
        size_t k = ks[c], top = len < k ? len : k, hits = 0, first = 0;
        double dcg = 0.0, ap = 0.0, pop = 0.0, tl = 0.0, nov = 0.0;
        for (size_t r = 0; r < top; r++) {
            uint32_t i = rank[r].item;
            covered[c * n + i] = 1;
            pop += counts[i];
            tl += tail[i];
            nov += log2(n_train_users / (counts[i] ? counts[i] : 1));
            if (!has_item(rel, n_rel, i))
                continue;
            hits++;
            dcg += 1.0 / log2((double)r + 2.0);
            ap += (double)hits / (double)(r + 1);
            if (!first)
                first = r + 1;
        }
        size_t ideal = n_rel < k ? n_rel : k, ideal_ret = retrieved < k ? retrieved : k;
        double want[] = { (double)hits / n_rel, dcg / idcg(ideal), (double)hits / k,
                          hits > 0, first ? 1.0 / first : 0.0, ap / ideal,
                          hits ? dcg / idcg(ideal_ret) : 0.0,
                          top ? pop / top : 0.0, top ? tl / top : 0.0, top ? nov / top : 0.0 };
        const char *names[] = { "recall", "ndcg", "precision", "hit", "mrr", "map",
                                "ndcg_retrieved", "avg_pop", "long_tail", "novelty" };
        for (size_t m = 0; m < sizeof want / sizeof *want; m++) {
            char name[64];
            snprintf(name, sizeof name, "%s@%u", names[m], (unsigned)k);
            const uint32_t *us;
            const double *vals;
            ck_assert_rec(rec_eval_user_values(ev, name, &us, &vals), REC_OK, NULL);
            ck_assert_uint_eq(us[row], u);
            ck_assert_msg(fabs(vals[row] - want[m]) < 1e-12, "user %u %s: %.17g, want %.17g",
                          (unsigned)u, name, vals[row], want[m]);
        }
    }
    /* AUC: test items not excluded against items neither excluded nor test. */
    double pairs = 0.0, wins = 0.0;
    for (size_t a = 0; a < len; a++) {
        if (!has_item(rel, n_rel, rank[a].item))
            continue;
        for (size_t b = 0; b < len; b++) {
            if (has_item(rel, n_rel, rank[b].item))
                continue;
            pairs += 1.0;
            wins += rank[a].score > rank[b].score ? 1.0 : rank[a].score == rank[b].score ? 0.5 : 0.0;
        }
    }
    size_t positives = 0;
    for (size_t a = 0; a < len; a++)
        positives += has_item(rel, n_rel, rank[a].item);
    double auc = positives == 0 ? 0.0 : pairs == 0.0 ? 1.0 : wins / pairs;
    const uint32_t *us;
    const double *vals;
    ck_assert_rec(rec_eval_user_values(ev, "auc", &us, &vals), REC_OK, NULL);
    ck_assert_msg(fabs(vals[row] - auc) < 1e-12, "user %u auc: %.17g, want %.17g",
                  (unsigned)u, vals[row], auc);
    free(rank);
}

/* Integer-valued vectors score exactly in every path and tie often; the
 * catalogue (40 items) is smaller than the largest cut-off; test items
 * sometimes repeat training items; some users have no test item. */
START_TEST(test_full_ranking_against_reference)
{
    enum { USERS = 60, ITEMS = 40, DIM = 3, PAIRS = 600 };
    uint64_t state = 12345;
    int64_t tu[PAIRS], ti[PAIRS], eu[PAIRS / 3], ei[PAIRS / 3];
    for (size_t p = 0; p < PAIRS; p++) {
        state = state * 6364136223846793005ULL + 1442695040888963407ULL;
        tu[p] = (int64_t)((state >> 33) % USERS);
        /* Skewed items, so that popularity means something. */
        uint64_t x = (state >> 13) % ITEMS;
        ti[p] = (int64_t)(x * x / ITEMS);
    }
    for (size_t p = 0; p < PAIRS / 3; p++) {
        state = state * 6364136223846793005ULL + 1442695040888963407ULL;
        eu[p] = (int64_t)((state >> 33) % (USERS - 10));
        ei[p] = (int64_t)((state >> 17) % ITEMS);
    }
    rec_dataset *space = NULL, *train = NULL, *test = NULL;
    /* The id space: every user and item id in order. */
    int64_t au[USERS > ITEMS ? USERS : ITEMS], ai[USERS > ITEMS ? USERS : ITEMS];
    for (int t = 0; t < (USERS > ITEMS ? USERS : ITEMS); t++) {
        au[t] = t < USERS ? t : USERS - 1;
        ai[t] = t < ITEMS ? t : ITEMS - 1;
    }
    ck_assert_rec(rec_dataset_from_int_arrays(&space, USERS > ITEMS ? USERS : ITEMS, au, ai,
                                              NULL, NULL, NULL, NULL), REC_OK, NULL);
    ck_assert_rec(rec_dataset_from_int_arrays(&train, PAIRS, tu, ti, NULL, NULL, NULL, space),
                  REC_OK, NULL);
    ck_assert_rec(rec_dataset_from_int_arrays(&test, PAIRS / 3, eu, ei, NULL, NULL, NULL,
                                              space), REC_OK, NULL);
    rec_serving s;
    ck_assert_rec(rec_serving_alloc(&s, USERS, ITEMS, DIM, REC_SCORING_DOT, 0), REC_OK, NULL);
    for (size_t u = 0; u < USERS; u++)
        for (size_t d = 0; d < DIM; d++) {
            state = state * 6364136223846793005ULL + 1442695040888963407ULL;
            s.U[u * s.ld + d] = (float)((int)((state >> 40) % 5) - 2);
        }
    for (size_t i = 0; i < ITEMS; i++)
        for (size_t d = 0; d < DIM; d++) {
            state = state * 6364136223846793005ULL + 1442695040888963407ULL;
            s.V[i * s.ld + d] = (float)((int)((state >> 40) % 5) - 2);
        }
    ck_assert_rec(rec_serving_finish(&s), REC_OK, NULL);

    rec_popularity pop;
    ck_assert_rec(rec_popularity_from_dataset(&pop, train), REC_OK, NULL);
    /* The tail by its definition: the 80 % least popular, ties by id. */
    uint32_t order[ITEMS][2];
    uint8_t tail[ITEMS] = { 0 };
    size_t active = 0;
    for (uint32_t i = 0; i < ITEMS; i++) {
        order[i][0] = (uint32_t)(train->item_ptr[i + 1] - train->item_ptr[i]);
        order[i][1] = i;
    }
    for (uint32_t u = 0; u < USERS; u++)
        active += train->user_ptr[u + 1] > train->user_ptr[u];
    qsort(order, ITEMS, sizeof order[0], cmp_count_desc);
    for (size_t r = ITEMS - (ITEMS * 4) / 5; r < ITEMS; r++)
        tail[order[r][1]] = 1;
    for (uint32_t i = 0; i < ITEMS; i++)
        ck_assert_uint_eq(pop.tail[i], tail[i]);

    const unsigned ks[] = { 1, 3, 10, 50 };
    rec_eval_plan plan = { .ks = ks, .n_ks = 4, .threads = 2, .beyond_accuracy = 1,
                           .pop = &pop };
    struct rec_eval *ev = NULL;
    ck_assert_rec(rec_evaluate(&ev, &s, train, test, &plan), REC_OK, NULL);
    uint8_t covered[4 * ITEMS] = { 0 };
    size_t row = 0;
    for (uint32_t u = 0; u < USERS; u++) {
        if (test->user_ptr[u + 1] == test->user_ptr[u])
            continue;
        reference_user(&s, train, test, u, ks, 4, pop.counts, tail, (double)active, ev, row,
                       covered);
        row++;
    }
    ck_assert_uint_eq(row, rec_eval_n_users(ev));
    for (size_t c = 0; c < 4; c++) {
        size_t n_cov = 0;
        for (size_t i = 0; i < ITEMS; i++)
            n_cov += covered[c * ITEMS + i];
        char name[32];
        snprintf(name, sizeof name, "coverage@%u", ks[c]);
        ck_assert_double_eq_tol(get(ev, name), (double)n_cov / ITEMS, 1e-15);
    }
    rec_eval_destroy(ev);
    rec_popularity_free(&pop);
    rec_serving_free(&s);
    rec_dataset_free(space);
    rec_dataset_free(train);
    rec_dataset_free(test);
}
END_TEST

/* Sampled protocols on hand-made cases whose negatives are forced. */
START_TEST(test_sampled_hand_computed)
{
    rec_dataset *space, *train, *test;
    rec_train_options *o;
    rec_model *m = pop_case(&space, &train, &test, &o);
    const unsigned ks[] = { 1, 200 };
    rec_eval_options eo = REC_EVAL_OPTIONS_INIT;
    eo.ks = ks;
    eo.n_ks = 2;
    eo.protocol = REC_EVAL_SAMPLED_POPULARITY;
    eo.sample_negatives = 100;
    rec_eval *ev = NULL;
    /* Scores 3, 2, 1, 0, 0, 0. By popularity only item 2 (count 1) can be
     * drawn for u0 (avoiding 0, 1, 4) and u1 (avoiding 0, 1, 3): item 1
     * outranks all 100 copies of it, items 4 and 3 fall below them all. */
    ck_assert_rec(rec_eval_run(&ev, m, NULL, test, &eo), REC_OK, NULL);
    ck_assert_uint_eq(rec_eval_count(ev), 2 * 3 + 1);
    ck_assert_double_eq_tol(get(ev, "sampled_hit@1"), (0.5 + 0.0) / 2, EPS);
    ck_assert_double_eq_tol(get(ev, "sampled_hit@200"), 1.0, EPS);
    ck_assert_double_eq_tol(get(ev, "sampled_mrr@200"), ((1.0 + 1.0 / 101) / 2 + 1.0 / 101) / 2,
                            EPS);
    ck_assert_double_eq_tol(get(ev, "sampled_ndcg@200"),
                            ((1.0 + 1.0 / log2(102.0)) / 2 + 1.0 / log2(102.0)) / 2, EPS);
    ck_assert_double_eq_tol(get(ev, "sampled_auc"), (0.5 + 0.0) / 2, EPS);
    ck_assert_rec(rec_eval_get(ev, "recall@1", &(double){ 0 }), REC_ENOTFOUND, NULL);
    rec_eval_free(ev);

    /* Uniformly: u0's item 1 (score 2) still outranks 2, 3 and 5. */
    eo.protocol = REC_EVAL_SAMPLED_UNIFORM;
    ck_assert_rec(rec_eval_run(&ev, m, NULL, test, &eo), REC_OK, NULL);
    const uint32_t *pu;
    const double *pv;
    ck_assert_rec(rec_eval_user_values(ev, "sampled_hit@200", &pu, &pv), REC_OK, NULL);
    ck_assert_double_eq(pv[0], 1.0);
    ck_assert_double_eq(pv[1], 1.0);
    rec_eval_free(ev);
    rec_model_free(m);
    rec_dataset_free(train);
    rec_dataset_free(test);

    /* A user holding most of the catalogue draws from the complement: u0
     * trained on 0..3 (scores 1) and tested on 5 (score 0) can only get
     * item 4, which ties with 5 and comes first by id: 100 copies of it give
     * rank 101, and AUC 1/2. A
     * training item drawn by mistake would score above and give AUC 0. By
     * popularity nothing can be drawn (item 4 has no training count): rank
     * 1, AUC 1, as with no negative item in full ranking. */
    int64_t tu[] = { 0, 0, 0, 0 }, ti[] = { 0, 1, 2, 3 }, eu[] = { 0 }, ei[] = { 5 };
    ck_assert_rec(rec_dataset_from_int_arrays(&train, 4, tu, ti, NULL, NULL, NULL, space),
                  REC_OK, NULL);
    ck_assert_rec(rec_dataset_from_int_arrays(&test, 1, eu, ei, NULL, NULL, NULL, space),
                  REC_OK, NULL);
    ck_assert_rec(rec_model_train(&m, train, o), REC_OK, NULL);
    eo.protocol = REC_EVAL_SAMPLED_UNIFORM;
    ck_assert_rec(rec_eval_run(&ev, m, NULL, test, &eo), REC_OK, NULL);
    ck_assert_uint_eq(rec_eval_n_users(ev), 1);
    ck_assert_double_eq(get(ev, "sampled_hit@1"), 0.0);
    ck_assert_double_eq_tol(get(ev, "sampled_mrr@200"), 1.0 / 101, EPS);
    ck_assert_double_eq_tol(get(ev, "sampled_auc"), 0.5, EPS);
    rec_eval_free(ev);
    eo.protocol = REC_EVAL_SAMPLED_POPULARITY;
    ck_assert_rec(rec_eval_run(&ev, m, NULL, test, &eo), REC_OK, NULL);
    ck_assert_double_eq(get(ev, "sampled_hit@1"), 1.0);
    ck_assert_double_eq(get(ev, "sampled_auc"), 1.0);
    rec_eval_free(ev);

    /* Popularity sampling needs the training interactions: a model saved
     * without them and no training set is refused. */
    char *path = rec_test_path("bare.rec");
    rec_save_options sv = REC_SAVE_OPTIONS_INIT;
    sv.keep_interactions = 0;
    ck_assert_rec(rec_model_save(m, path, &sv), REC_OK, NULL);
    rec_model *bare = NULL;
    ck_assert_rec(rec_model_load(&bare, path), REC_OK, NULL);
    eo.exclude_train = 0;
    ck_assert_rec(rec_eval_run(&ev, bare, NULL, test, &eo), REC_EINVAL,
                  "need training interactions");
    eo.protocol = REC_EVAL_SAMPLED_UNIFORM;
    ck_assert_rec(rec_eval_run(&ev, bare, NULL, test, &eo), REC_OK, NULL);
    rec_eval_free(ev);
    eo.exclude_train = 1;
    rec_model_free(bare);
    free(path);

    /* Refusals: no negatives asked for, an unknown protocol, too many
     * cut-offs. */
    unsigned many[65];
    for (int c = 0; c < 65; c++)
        many[c] = (unsigned)c + 1;
    eo.ks = many;
    eo.n_ks = 65;
    ck_assert_rec(rec_eval_run(&ev, m, NULL, test, &eo), REC_EINVAL, "n_ks = 65");
    eo.ks = ks;
    eo.n_ks = 2;
    eo.sample_negatives = 0;
    ck_assert_rec(rec_eval_run(&ev, m, NULL, test, &eo), REC_EINVAL, "sample_negatives");
    eo.sample_negatives = 10;
    eo.protocol = (rec_eval_protocol)7;
    ck_assert_rec(rec_eval_run(&ev, m, NULL, test, &eo), REC_EINVAL, "protocol");
    ck_assert_ptr_null(ev);
    free_case(m, o, space, train, test);
}
END_TEST

/* RMSE and MAE of the scores against test ratings; version-1 options. */
START_TEST(test_rating_errors_and_old_options)
{
    rec_dataset *space, *train, *test;
    rec_train_options *o;
    rec_model *m = pop_case(&space, &train, &test, &o);
    /* Scores 3, 2, 1, 0, 0, 0: u0 rates item 1 (score 2) 4 and item 4
     * (score 0) 1, u1 rates item 3 (score 0) 2. Errors -2, -1, -2. */
    int64_t eu[] = { 0, 0, 1 }, ei[] = { 1, 4, 3 };
    float er[] = { 4.0f, 1.0f, 2.0f };
    rec_dataset *rated = NULL;
    ck_assert_rec(rec_dataset_from_int_arrays(&rated, 3, eu, ei, er, NULL, NULL, space),
                  REC_OK, NULL);
    rec_eval *ev = NULL;
    ck_assert_rec(rec_eval_run(&ev, m, NULL, rated, NULL), REC_OK, NULL);
    ck_assert_double_eq_tol(get(ev, "rmse"), sqrt((4.0 + 1.0 + 4.0) / 3), EPS);
    ck_assert_double_eq_tol(get(ev, "mae"), 5.0 / 3, EPS);
    ck_assert_rec(rec_eval_user_values(ev, "rmse", &(const uint32_t *){ NULL },
                                       &(const double *){ NULL }),
                  REC_EINVAL, "no per-user values");
    double full_recall = get(ev, "recall@20");
    rec_eval_free(ev);

    /* A caller built against version 1 of the options has none of the
     * later fields: whatever follows its struct must not be read. */
    struct {
        uint32_t version;
        const unsigned *ks;
        size_t n_ks;
        unsigned threads;
        int exclude_train;
        unsigned char garbage[64];
    } v1 = { 1, NULL, 0, 0, 1, { 0 } };
    memset(v1.garbage, 0xff, sizeof v1.garbage);
    ck_assert_rec(rec_eval_run(&ev, m, NULL, rated, (const rec_eval_options *)(void *)&v1),
                  REC_OK, NULL);
    ck_assert_double_eq(get(ev, "recall@20"), full_recall);
    ck_assert_double_eq_tol(get(ev, "coverage@20"), 1.0 * 5 / 6, EPS);
    rec_eval_free(ev);
    v1.version = 3;
    ck_assert_rec(rec_eval_run(&ev, m, NULL, rated, (const rec_eval_options *)(void *)&v1),
                  REC_EINVAL, "version");

    rec_dataset_free(rated);
    free_case(m, o, space, train, test);
}
END_TEST

/* The result is the same, bit for bit, on 1 and several threads. */
/* MF-BPR (3 epochs) on a split of generated taste-group data; the caller
 * frees what comes back. */
static rec_model *small_mf(unsigned users, unsigned items, unsigned groups, unsigned per_user,
                           uint64_t seed, rec_dataset **all, rec_dataset **tr,
                           rec_dataset **te, rec_train_options **o)
{
    *all = rec_test_groups_dataset(users, items, groups, per_user, seed);
    *tr = *te = NULL;
    ck_assert_rec(rec_dataset_split(tr, te, *all, NULL), REC_OK, NULL);
    *o = NULL;
    ck_assert_rec(rec_train_options_new(o, "mf"), REC_OK, NULL);
    ck_assert_rec(rec_train_options_set(*o, "epochs", "3"), REC_OK, NULL);
    rec_model *m = NULL;
    ck_assert_rec(rec_model_train(&m, *tr, *o), REC_OK, NULL);
    return m;
}

/* Every measure of b is in a, with the same value and per-user values to
 * the bit (NaN matching NaN), users ascending, and each per-user measure's
 * mean is the mean of its values. */
static void assert_same_evals(const rec_eval *a, const rec_eval *b)
{
    ck_assert_uint_ge(rec_eval_count(a), rec_eval_count(b));
    ck_assert_uint_eq(rec_eval_n_users(a), rec_eval_n_users(b));
    for (size_t v = 0; v < rec_eval_count(b); v++) {
        const char *nb;
        double va, vb;
        rec_eval_at(b, v, &nb, &vb);
        ck_assert_rec(rec_eval_get(a, nb, &va), REC_OK, NULL);
        ck_assert_msg(va == vb || (isnan(va) && isnan(vb)), "%s: %g against %g", nb, va, vb);
        if (v >= rec_eval_count_per_user(b))
            continue;
        const uint32_t *ua, *ub;
        const double *pa, *pb;
        ck_assert_rec(rec_eval_user_values(a, nb, &ua, &pa), REC_OK, NULL);
        ck_assert_rec(rec_eval_user_values(b, nb, &ub, &pb), REC_OK, NULL);
        size_t n = rec_eval_n_users(a);
        ck_assert(memcmp(ua, ub, n * sizeof *ua) == 0);
        ck_assert(memcmp(pa, pb, n * sizeof *pa) == 0);
        double sum = 0.0;
        for (size_t i = 0; i < n; i++) {
            if (i > 0)
                ck_assert_uint_lt(ua[i - 1], ua[i]);
            sum += pa[i];
        }
        ck_assert(sum / (double)n == va);
    }
}

START_TEST(test_eval_thread_invariance)
{
    rec_dataset *all, *tr, *te;
    rec_train_options *o;
    rec_model *m = small_mf(700, 300, 7, 20, 11, &all, &tr, &te, &o);
    const unsigned ks[] = { 5, 20, 50 };
    rec_eval_options eo = REC_EVAL_OPTIONS_INIT;
    eo.ks = ks;
    eo.n_ks = 3;
    eo.threads = 1;
    rec_eval *a = NULL, *b = NULL;
    ck_assert_rec(rec_eval_run(&a, m, NULL, te, &eo), REC_OK, NULL);
    eo.threads = 3;
    ck_assert_rec(rec_eval_run(&b, m, NULL, te, &eo), REC_OK, NULL);
    ck_assert_uint_eq(rec_eval_count(a), rec_eval_count(b));
    assert_same_evals(a, b);
    rec_eval_free(a);
    rec_eval_free(b);

    /* The same for both sampled protocols. */
    for (int p = REC_EVAL_SAMPLED_UNIFORM; p <= REC_EVAL_SAMPLED_POPULARITY; p++) {
        eo.protocol = (rec_eval_protocol)p;
        eo.sample_negatives = 50;
        eo.threads = 1;
        ck_assert_rec(rec_eval_run(&a, m, NULL, te, &eo), REC_OK, NULL);
        eo.threads = 3;
        ck_assert_rec(rec_eval_run(&b, m, NULL, te, &eo), REC_OK, NULL);
        ck_assert_uint_eq(rec_eval_count(a), rec_eval_count(b));
        assert_same_evals(a, b);
        /* Another seed, other negatives. */
        rec_eval *c = NULL;
        eo.seed = 2;
        ck_assert_rec(rec_eval_run(&c, m, NULL, te, &eo), REC_OK, NULL);
        ck_assert(get(a, "sampled_auc") != get(c, "sampled_auc"));
        eo.seed = 1;
        rec_eval_free(a);
        rec_eval_free(b);
        rec_eval_free(c);
    }
    eo.protocol = REC_EVAL_FULL;

    /* Allocation failures come back as REC_ENOMEM, in full ranking and with
     * popularity-sampled negatives. */
    eo.threads = 2;
    for (int p = REC_EVAL_FULL; p <= REC_EVAL_SAMPLED_POPULARITY; p += 2) {
        eo.protocol = (rec_eval_protocol)p;
        for (long n = 1;; n++) {
            rec_eval *ev = NULL;
            rec_alloc_fail_after(n);
            int rc = rec_eval_run(&ev, m, NULL, te, &eo);
            rec_alloc_fail_after(0);
            if (rc == REC_OK) {
                rec_eval_free(ev);
                break;
            }
            ck_assert_rec(rc, REC_ENOMEM, NULL);
            ck_assert_ptr_null(ev);
        }
    }
    rec_model_free(m);
    rec_train_options_free(o);
    rec_dataset_free(all);
    rec_dataset_free(tr);
    rec_dataset_free(te);
}
END_TEST

/* The p-values against values computed independently (numerical
 * integration of Student's t density; erfc for the normal), and the paired
 * tests on hand-computed cases. */
START_TEST(test_paired_tests)
{
    ck_assert_double_eq_tol(rec_student_t_p(3.0 / sqrt(0.5), 4), 0.0132355995637, 1e-10);
    ck_assert_double_eq_tol(rec_student_t_p(-1.5, 9), 0.167850656057, 1e-10);
    ck_assert_double_eq_tol(rec_student_t_p(0.3, 1), 0.814452841845, 1e-10);
    ck_assert_double_eq_tol(rec_student_t_p(2.0, 29857), 0.0455093056335, 1e-9);
    ck_assert_double_eq_tol(rec_normal_p(1.96), 0.0499957902964, 1e-12);
    ck_assert_double_eq_tol(rec_incomplete_beta(2.0, 3.0, 0.4), 0.5248, 1e-12);

    /* d = b - a = 1..5: mean 3, sd sqrt(2.5), t = 3 / sqrt(0.5) on 4 df; all
     * five differences positive and distinct: W+ = 15, z = (15 - 7.5) /
     * sqrt(13.75). */
    double a[] = { 1, 1, 1, 1, 1 }, b[] = { 2, 3, 4, 5, 6 };
    rec_paired_test r = REC_PAIRED_TEST_INIT;
    ck_assert_rec(rec_paired_test_run(a, b, 5, &r), REC_OK, NULL);
    ck_assert_uint_eq(r.n, 5);
    ck_assert_double_eq_tol(r.mean_a, 1.0, EPS);
    ck_assert_double_eq_tol(r.mean_b, 4.0, EPS);
    ck_assert_double_eq_tol(r.mean_diff, 3.0, EPS);
    ck_assert_double_eq_tol(r.t, 3.0 / sqrt(0.5), 1e-12);
    ck_assert_double_eq_tol(r.t_p, 0.0132355995637, 1e-10);
    ck_assert_uint_eq(r.w_n, 5);
    ck_assert_double_eq_tol(r.w_plus, 15.0, EPS);
    ck_assert_double_eq_tol(r.w_z, 7.5 / sqrt(13.75), 1e-12);
    ck_assert_double_eq_tol(r.w_p, erfc(7.5 / sqrt(13.75) / sqrt(2.0)), 1e-12);

    /* Zeros dropped, ties at |d| = 2 share rank 4: d = 1.5, -0.5, 2, 2, -3,
     * 0, 4, -2 gives W+ = 2 + 4 + 4 + 7 = 17 over 7 pairs, variance
     * 7 * 8 * 15 / 24 - (27 - 3) / 48 = 34.5. */
    double z0[8] = { 0 }, d[] = { 1.5, -0.5, 2, 2, -3, 0, 4, -2 };
    r = (rec_paired_test)REC_PAIRED_TEST_INIT;
    ck_assert_rec(rec_paired_test_run(z0, d, 8, &r), REC_OK, NULL);
    ck_assert_uint_eq(r.w_n, 7);
    ck_assert_double_eq_tol(r.w_plus, 17.0, EPS);
    ck_assert_double_eq_tol(r.w_z, 3.0 / sqrt(34.5), 1e-12);
    ck_assert_double_eq_tol(r.w_p, 0.6095233803508289, 1e-12);

    /* Identical runs: nothing to tell apart. A constant shift: certain. */
    r = (rec_paired_test)REC_PAIRED_TEST_INIT;
    ck_assert_rec(rec_paired_test_run(b, b, 5, &r), REC_OK, NULL);
    ck_assert(r.t == 0.0 && r.t_p == 1.0 && r.w_n == 0 && r.w_p == 1.0);
    double shifted[] = { 3, 4, 5, 6, 7 };
    ck_assert_rec(rec_paired_test_run(b, shifted, 5, &r), REC_OK, NULL);
    ck_assert(isinf(r.t) && r.t > 0 && r.t_p == 0.0);

    /* Refusals. */
    ck_assert_rec(rec_paired_test_run(a, b, 1, &r), REC_EINVAL, "at least 2");
    double bad[] = { 1, NAN, 3, 4, 5 };
    ck_assert_rec(rec_paired_test_run(a, bad, 5, &r), REC_EINVAL, "pair 1");
    r.version = 99;
    ck_assert_rec(rec_paired_test_run(a, b, 5, &r), REC_EINVAL, "version");
    ck_assert_rec(rec_paired_test_run(NULL, b, 5, &r), REC_EINVAL, "a");
}
END_TEST

/* Lists given by the caller: the recommendations of a model, handed to
 * rec_eval_lists(), score exactly what rec_eval_run() computes on the same
 * model, user by user; malformed input is refused. */
START_TEST(test_eval_lists)
{
    rec_dataset *all, *tr, *te;
    rec_train_options *o;
    rec_model *m = small_mf(400, 200, 5, 15, 21, &all, &tr, &te, &o);
    const unsigned ks[] = { 10, 3 };
    rec_eval_options eo = REC_EVAL_OPTIONS_INIT;
    eo.ks = ks;
    eo.n_ks = 2;
    rec_eval *ref = NULL, *got = NULL;
    ck_assert_rec(rec_eval_run(&ref, m, NULL, te, &eo), REC_OK, NULL);

    size_t nu = rec_dataset_n_users(te);
    size_t *lp = calloc(nu + 1, sizeof *lp), *rp = calloc(nu + 1, sizeof *rp);
    uint32_t *li = malloc(nu * 10 * sizeof *li), *ri = malloc(rec_dataset_n_interactions(te) *
                                                              sizeof *ri);
    ck_assert(lp && rp && li && ri);
    for (uint32_t u = 0; u < nu; u++) {
        size_t n;
        ck_assert_rec(rec_model_recommend(m, u, 10, NULL, li + lp[u], NULL, &n), REC_OK, NULL);
        lp[u + 1] = lp[u] + n;
        const uint32_t *items;
        size_t k;
        ck_assert_rec(rec_dataset_user_items(te, u, &items, NULL, NULL, &k), REC_OK, NULL);
        /* the relevant items backwards: their order must not matter */
        for (size_t t = 0; t < k; t++)
            ri[rp[u] + t] = items[k - 1 - t];
        rp[u + 1] = rp[u] + k;
    }
    ck_assert_rec(rec_eval_lists(&got, nu, lp, li, rp, ri, &eo), REC_OK, NULL);
    assert_same_evals(ref, got);
    ck_assert_rec(rec_eval_get(got, "coverage@10", &(double){ 0 }), REC_ENOTFOUND,
                  "coverage@10");
    rec_eval_free(got);

    /* With the catalogue and the training counts, the measures beyond
     * accuracy too. */
    size_t n_items = rec_dataset_n_items(tr), n_train_users = 0;
    uint32_t *counts = calloc(n_items, sizeof *counts);
    ck_assert(counts);
    for (uint32_t i = 0; i < n_items; i++) {
        size_t deg;
        const uint32_t *us;
        ck_assert_rec(rec_dataset_item_users(tr, i, &us, &deg), REC_OK, NULL);
        counts[i] = (uint32_t)deg;
    }
    for (uint32_t u = 0; u < rec_dataset_n_users(tr); u++) {
        size_t deg;
        const uint32_t *is;
        ck_assert_rec(rec_dataset_user_items(tr, u, &is, NULL, NULL, &deg), REC_OK, NULL);
        n_train_users += deg > 0;
    }
    eo.n_catalog = n_items;
    eo.item_counts = counts;
    eo.n_train_users = n_train_users;
    ck_assert_rec(rec_eval_lists(&got, nu, lp, li, rp, ri, &eo), REC_OK, NULL);
    ck_assert_uint_eq(rec_eval_count(got), rec_eval_count(ref) - 1); /* no auc */
    assert_same_evals(ref, got);
    rec_eval_free(got);
    /* An item outside the catalogue; counts above the user count. */
    eo.n_catalog = 5;
    ck_assert_rec(rec_eval_lists(&got, nu, lp, li, rp, ri, &eo), REC_EINVAL,
                  "outside the catalogue");
    eo.n_catalog = n_items;
    eo.n_train_users = 1;
    ck_assert_rec(rec_eval_lists(&got, nu, lp, li, rp, ri, &eo), REC_EINVAL,
                  "n_train_users");
    eo.n_train_users = 0;
    ck_assert_rec(rec_eval_lists(&got, nu, lp, li, rp, ri, &eo), REC_EINVAL,
                  "n_train_users");
    eo.n_catalog = (size_t)UINT32_MAX + 1;
    ck_assert_rec(rec_eval_lists(&got, nu, lp, li, rp, ri, &eo), REC_EINVAL, "2^32");
    eo.n_catalog = n_items;
    eo.protocol = REC_EVAL_SAMPLED_UNIFORM;
    ck_assert_rec(rec_eval_lists(&got, nu, lp, li, rp, ri, &eo), REC_EINVAL, "sampled");
    ck_assert_ptr_null(got);
    free(counts);

    /* An item twice in user 1's list; pointers going back. */
    size_t lp2[] = { 0, 2, 5 }, rp2[] = { 0, 1, 2 };
    uint32_t li2[] = { 4, 5, 7, 8, 7 }, ri2[] = { 4, 8 };
    ck_assert_rec(rec_eval_lists(&got, 2, lp2, li2, rp2, ri2, NULL), REC_EINVAL,
                  "user 1 lists item 7 twice (at positions 0 and 2)");
    ck_assert_ptr_null(got);
    size_t back[] = { 0, 2, 1 };
    ck_assert_rec(rec_eval_lists(&got, 2, back, li2, rp2, ri2, NULL), REC_EINVAL,
                  "list_ptr[1] > list_ptr[2]");
    size_t rback[] = { 0, 2, 1 };
    ck_assert_rec(rec_eval_lists(&got, 2, lp2, li2, rback, ri2, NULL), REC_EINVAL,
                  "rel_ptr[1] > rel_ptr[2]");
    ck_assert_rec(rec_eval_lists(&got, 2, NULL, li2, rp2, ri2, NULL), REC_EINVAL, "list_ptr");
    /* Lists shorter than K and a user without relevant items. */
    size_t lp3[] = { 0, 2, 3 }, rp3[] = { 0, 2, 2 };
    uint32_t li3[] = { 9, 4, 1 }, ri3[] = { 4, 6 };
    ck_assert_rec(rec_eval_lists(&got, 2, lp3, li3, rp3, ri3, NULL), REC_OK, NULL);
    ck_assert_uint_eq(rec_eval_n_users(got), 1);
    ck_assert_double_eq_tol(get(got, "recall@20"), 0.5, EPS);
    ck_assert_double_eq_tol(get(got, "precision@20"), 1.0 / 20, EPS);
    ck_assert_double_eq_tol(get(got, "mrr@20"), 0.5, EPS);
    rec_eval_free(got);

    free(lp);
    free(rp);
    free(li);
    free(ri);
    rec_eval_free(ref);
    rec_model_free(m);
    rec_train_options_free(o);
    rec_dataset_free(tr);
    rec_dataset_free(te);
    rec_dataset_free(all);
}
END_TEST

Suite *rec_test_suite(void)
{
    Suite *s = suite_create("eval");
    TCase *tc = tcase_create("eval");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_metrics_hand_computed);
    tcase_add_test(tc, test_paired_tests);
    tcase_add_test(tc, test_eval_lists);
    tcase_add_test(tc, test_full_ranking_hand_computed);
    tcase_add_test(tc, test_eval_thread_invariance);
    tcase_add_test(tc, test_sampled_hand_computed);
    tcase_add_test(tc, test_full_ranking_against_reference);
    tcase_add_test(tc, test_rating_errors_and_old_options);
    suite_add_tcase(s, tc);
    return s;
}
