/* Sampling: the alias table against the distribution it is built from,
 * and the rec_sampler handle: no positive is ever a negative, the uniform
 * and popularity samplers follow their targets, DNS keeps the hardest
 * candidate, in-batch negatives come from the batch, and a seed repeats. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "librec/librec.h"
#include "core/alloc.h"
#include "core/rng.h"
#include "sample/alias.h"

/* The probability of each outcome as the table encodes it: its own column's
 * keep share plus the shares other columns hand to it as their alias. */
static void table_probabilities(const rec_alias *a, double *p)
{
    for (size_t j = 0; j < a->n; j++)
        p[j] = 0.0;
    for (size_t j = 0; j < a->n; j++) {
        p[j] += a->prob[j] / (double)a->n;
        p[a->alias[j]] += (1.0 - a->prob[j]) / (double)a->n;
    }
}

START_TEST(test_alias_exact)
{
    const double cases[][6] = {
        { 1, 1, 1, 1, 1, 1 },   /* uniform */
        { 3, 2, 1, 0, 0, 0 },   /* zeros are never drawn */
        { 0, 0, 0, 0, 0, 7 },   /* a single outcome */
        { 1e-9, 1, 1e9, 5, 0.5, 2 },
    };
    for (size_t c = 0; c < sizeof cases / sizeof *cases; c++) {
        rec_alias a;
        ck_assert_rec(rec_alias_build(&a, cases[c], 6), REC_OK, NULL);
        double p[6], total = 0.0;
        table_probabilities(&a, p);
        for (size_t j = 0; j < 6; j++)
            total += cases[c][j];
        for (size_t j = 0; j < 6; j++) {
            ck_assert_double_eq_tol(p[j], cases[c][j] / total, 1e-12);
            /* A zero weight is never kept nor anyone's alias. */
            if (cases[c][j] == 0.0)
                ck_assert_double_eq(p[j], 0.0);
        }
        rec_alias_free(&a);
    }
}
END_TEST

/* Draws follow the weights: a chi-square bound at a fixed seed. */
START_TEST(test_alias_draws)
{
    const double w[] = { 5, 1, 0, 3, 1, 10, 0.5, 2.5 };
    enum { N = 8, DRAWS = 200000 };
    rec_alias a;
    ck_assert_rec(rec_alias_build(&a, w, N), REC_OK, NULL);
    rec_rng r;
    rec_rng_seed(&r, 7, 1, 0);
    double seen[N] = { 0 }, total = 23.0, chi2 = 0.0;
    for (int t = 0; t < DRAWS; t++) {
        uint32_t j = rec_alias_draw(&a, &r);
        ck_assert_uint_lt(j, N);
        seen[j] += 1.0;
    }
    ck_assert_double_eq(seen[2], 0.0);
    for (int j = 0; j < N; j++) {
        if (w[j] == 0.0)
            continue;
        double expect = DRAWS * w[j] / total;
        chi2 += (seen[j] - expect) * (seen[j] - expect) / expect;
    }
    /* 6 degrees of freedom: P(chi2 > 22.46) = 0.001. */
    ck_assert_double_lt(chi2, 22.46);
    rec_alias_free(&a);
}
END_TEST

START_TEST(test_alias_refusals)
{
    rec_alias a;
    const double neg[] = { 1, -1 }, zero[] = { 0, 0 }, nan_w[] = { 1, NAN };
    ck_assert_rec(rec_alias_build(&a, neg, 2), REC_EINVAL, "weight 1");
    ck_assert_rec(rec_alias_build(&a, zero, 2), REC_EINVAL, "summing to 0");
    ck_assert_rec(rec_alias_build(&a, nan_w, 2), REC_EINVAL, "weight 1");
    ck_assert_rec(rec_alias_build(&a, neg, 0), REC_EINVAL, "0 weights");
    const double ok[] = { 1, 2, 3 };
    for (long n = 1;; n++) {
        rec_alloc_fail_after(n);
        int rc = rec_alias_build(&a, ok, 3);
        rec_alloc_fail_after(0);
        if (rc == REC_OK)
            break;
        ck_assert_rec(rc, REC_ENOMEM, NULL);
        ck_assert_ptr_null(a.prob);
    }
    rec_alias_free(&a);
}
END_TEST

/* The training items of user u. */
static const uint32_t *row_of(const rec_dataset *ds, uint32_t u, size_t *n)
{
    const uint32_t *items;
    ck_assert_rec(rec_dataset_user_items(ds, u, &items, NULL, NULL, n), REC_OK, NULL);
    return items;
}

static int in_row(const uint32_t *row, size_t n, uint32_t i)
{
    for (size_t t = 0; t < n; t++)
        if (row[t] == i)
            return 1;
    return 0;
}

/* MF-BPR after two epochs: scores to pick DNS candidates by. */
static rec_model *short_mf(const rec_dataset *ds, rec_train_options **to)
{
    *to = NULL;
    ck_assert_rec(rec_train_options_new(to, "mf"), REC_OK, NULL);
    ck_assert_rec(rec_train_options_set(*to, "epochs", "2"), REC_OK, NULL);
    rec_model *m = NULL;
    ck_assert_rec(rec_model_train(&m, ds, *to), REC_OK, NULL);
    return m;
}

/* Every pair is a training interaction and no negative is a positive, for
 * every kind of sampler. */
START_TEST(test_sampler_never_positive)
{
    rec_dataset *ds = rec_test_groups_dataset(200, 80, 4, 12, 3);
    rec_train_options *to;
    rec_model *m = short_mf(ds, &to);
    enum { N = 256, PER = 3 };
    uint32_t users[N], pos[N], neg[N * PER];
    for (int kind = REC_SAMPLER_UNIFORM; kind <= REC_SAMPLER_IN_BATCH; kind++) {
        rec_sampler_options so = REC_SAMPLER_OPTIONS_INIT;
        so.kind = (rec_sampler_kind)kind;
        so.negatives = PER;
        so.alpha = 0.75;
        rec_sampler *s = NULL;
        ck_assert_rec(rec_sampler_new(&s, ds, &so), REC_OK, NULL);
        for (int b = 0; b < 20; b++) {
            ck_assert_rec(rec_sampler_next(s, m, N, users, pos, neg), REC_OK, NULL);
            for (size_t j = 0; j < N; j++) {
                size_t n;
                const uint32_t *row = row_of(ds, users[j], &n);
                ck_assert(in_row(row, n, pos[j]));
                for (size_t q = 0; q < PER; q++) {
                    uint32_t x = neg[j * PER + q];
                    ck_assert_uint_lt(x, 80);
                    ck_assert_msg(!in_row(row, n, x), "kind %d: user %u got positive %u",
                                  kind, (unsigned)users[j], (unsigned)x);
                    /* In-batch: another pair's positive. */
                    if (kind == REC_SAMPLER_IN_BATCH) {
                        int found = 0;
                        for (size_t l = 0; l < N && !found; l++)
                            found = l != j && pos[l] == x;
                        ck_assert(found);
                    }
                }
            }
        }
        rec_sampler_free(s);
    }
    rec_model_free(m);
    rec_train_options_free(to);
    rec_dataset_free(ds);
}
END_TEST

/* The negatives of one user against their target distribution: a
 * chi-square bound at a fixed seed. User 0 holds items 0..2; the other
 * users give item i >= 3 a training count of 1 + i % 7. */
static void check_distribution(double alpha, rec_sampler_kind kind)
{
    enum { ITEMS = 30 };
    int64_t u[400], it[400];
    size_t n = 0;
    for (int i = 0; i < 3; i++) {
        u[n] = 0;
        it[n++] = i;
    }
    for (int i = 3; i < ITEMS; i++)
        for (int c = 0; c < 1 + i % 7; c++) {
            u[n] = 1 + c;
            it[n++] = i;
        }
    rec_dataset *ds = NULL;
    ck_assert_rec(rec_dataset_from_int_arrays(&ds, n, u, it, NULL, NULL, NULL, NULL), REC_OK,
                  NULL);
    /* Dense ids follow first appearance: items 0..29 in order, user 0 first. */
    double target[ITEMS] = { 0 }, total = 0.0;
    for (int i = 3; i < ITEMS; i++) {
        target[i] = kind == REC_SAMPLER_UNIFORM ? 1.0 : pow((double)(1 + i % 7), alpha);
        total += target[i];
    }
    rec_sampler_options so = REC_SAMPLER_OPTIONS_INIT;
    so.kind = kind;
    so.alpha = alpha;
    so.negatives = 8;
    so.seed = 11;
    rec_sampler *s = NULL;
    ck_assert_rec(rec_sampler_new(&s, ds, &so), REC_OK, NULL);
    enum { BATCH = 512 };
    uint32_t users[BATCH], pos[BATCH], neg[BATCH * 8];
    double seen[ITEMS] = { 0 }, draws = 0.0;
    for (int b = 0; b < 60; b++) {
        ck_assert_rec(rec_sampler_next(s, NULL, BATCH, users, pos, neg), REC_OK, NULL);
        for (size_t j = 0; j < BATCH; j++) {
            if (users[j] != 0)
                continue;
            for (int q = 0; q < 8; q++) {
                seen[neg[j * 8 + q]] += 1.0;
                draws += 1.0;
            }
        }
    }
    ck_assert_double_gt(draws, 5000.0);
    double chi2 = 0.0;
    int cells = 0;
    for (int i = 0; i < ITEMS; i++) {
        if (target[i] == 0.0) {
            ck_assert_msg(seen[i] == 0.0, "item %d has weight 0 but was drawn", i);
            continue;
        }
        double expect = draws * target[i] / total;
        chi2 += (seen[i] - expect) * (seen[i] - expect) / expect;
        cells++;
    }
    /* P(chi2 > df + 4 sqrt(2 df)) is below 1e-3 for these df (21 to 27). */
    double df = cells - 1;
    ck_assert_msg(chi2 < df + 4.0 * sqrt(2.0 * df), "alpha %g: chi2 %g on %g df", alpha, chi2,
                  df);
    rec_sampler_free(s);
    rec_dataset_free(ds);
}

START_TEST(test_sampler_distributions)
{
    check_distribution(0.0, REC_SAMPLER_UNIFORM);
    check_distribution(1.0, REC_SAMPLER_POPULARITY);
    check_distribution(0.5, REC_SAMPLER_POPULARITY);
    /* alpha = 0 is uniform. */
    check_distribution(0.0, REC_SAMPLER_POPULARITY);
}
END_TEST

/* DNS keeps the highest-scored candidate: with far more candidates than
 * free items, every free item is among them (all but surely), so the
 * negative is the user's best-scored non-positive item. */
START_TEST(test_sampler_dns_hardest)
{
    rec_dataset *ds = rec_test_groups_dataset(60, 40, 3, 8, 5);
    rec_train_options *to;
    rec_model *m = short_mf(ds, &to);
    rec_sampler_options so = REC_SAMPLER_OPTIONS_INIT;
    so.kind = REC_SAMPLER_DNS;
    so.candidates = 4000;
    rec_sampler *s = NULL;
    ck_assert_rec(rec_sampler_new(&s, ds, &so), REC_OK, NULL);
    enum { N = 64 };
    uint32_t users[N], pos[N], neg[N], all[40];
    float scores[40];
    uint32_t n_items = (uint32_t)rec_dataset_n_items(ds);
    for (uint32_t i = 0; i < n_items; i++)
        all[i] = i;
    ck_assert_rec(rec_sampler_next(s, m, N, users, pos, neg), REC_OK, NULL);
    for (size_t j = 0; j < N; j++) {
        size_t n;
        const uint32_t *row = row_of(ds, users[j], &n);
        ck_assert_rec(rec_model_score(m, users[j], all, n_items, scores), REC_OK, NULL);
        uint32_t best = REC_NO_ITEM;
        for (uint32_t i = 0; i < n_items; i++)
            if (!in_row(row, n, i) && (best == REC_NO_ITEM || scores[i] > scores[best]))
                best = i;
        ck_assert_uint_eq(neg[j], best);
    }
    /* Without a model, or with one of another id space: refused. */
    ck_assert_rec(rec_sampler_next(s, NULL, N, users, pos, neg), REC_EINVAL, "model");
    rec_dataset *other = rec_test_groups_dataset(60, 40, 3, 8, 6);
    rec_model *m2 = NULL;
    ck_assert_rec(rec_model_train(&m2, other, to), REC_OK, NULL);
    ck_assert_rec(rec_sampler_next(s, m2, N, users, pos, neg), REC_EINVAL, "id space");
    rec_model_free(m2);
    rec_dataset_free(other);
    rec_sampler_free(s);
    rec_model_free(m);
    rec_train_options_free(to);
    rec_dataset_free(ds);
}
END_TEST

/* The same seed repeats every batch; another seed does not. A user with
 * every item gets REC_NO_ITEM. Bad options are refused. */
START_TEST(test_sampler_seed_and_refusals)
{
    rec_dataset *ds = rec_test_groups_dataset(100, 50, 2, 10, 9);
    enum { N = 100 };
    uint32_t u1[N], p1[N], n1[N], u2[N], p2[N], n2[N];
    rec_sampler_options so = REC_SAMPLER_OPTIONS_INIT;
    so.kind = REC_SAMPLER_POPULARITY;
    rec_sampler *a = NULL, *b = NULL;
    ck_assert_rec(rec_sampler_new(&a, ds, &so), REC_OK, NULL);
    ck_assert_rec(rec_sampler_new(&b, ds, &so), REC_OK, NULL);
    for (int t = 0; t < 3; t++) {
        ck_assert_rec(rec_sampler_next(a, NULL, N, u1, p1, n1), REC_OK, NULL);
        ck_assert_rec(rec_sampler_next(b, NULL, N, u2, p2, n2), REC_OK, NULL);
        ck_assert(memcmp(u1, u2, sizeof u1) == 0 && memcmp(p1, p2, sizeof p1) == 0 &&
                  memcmp(n1, n2, sizeof n1) == 0);
    }
    rec_sampler_free(b);
    so.seed = 2;
    ck_assert_rec(rec_sampler_new(&b, ds, &so), REC_OK, NULL);
    ck_assert_rec(rec_sampler_next(b, NULL, N, u2, p2, n2), REC_OK, NULL);
    ck_assert(memcmp(n1, n2, sizeof n1) != 0);
    rec_sampler_free(a);
    rec_sampler_free(b);

    /* One user who has every item. */
    int64_t fu[] = { 0, 0, 0 }, fi[] = { 0, 1, 2 };
    rec_dataset *full = NULL;
    ck_assert_rec(rec_dataset_from_int_arrays(&full, 3, fu, fi, NULL, NULL, NULL, NULL), REC_OK,
                  NULL);
    for (int kind = REC_SAMPLER_UNIFORM; kind <= REC_SAMPLER_IN_BATCH; kind++) {
        if (kind == REC_SAMPLER_DNS)
            continue;
        so = (rec_sampler_options)REC_SAMPLER_OPTIONS_INIT;
        so.kind = (rec_sampler_kind)kind;
        ck_assert_rec(rec_sampler_new(&a, full, &so), REC_OK, NULL);
        ck_assert_rec(rec_sampler_next(a, NULL, 4, u1, p1, n1), REC_OK, NULL);
        for (int j = 0; j < 4; j++)
            ck_assert_uint_eq(n1[j], REC_NO_ITEM);
        rec_sampler_free(a);
    }
    rec_dataset_free(full);

    so = (rec_sampler_options)REC_SAMPLER_OPTIONS_INIT;
    so.alpha = -1.0;
    ck_assert_rec(rec_sampler_new(&a, ds, &so), REC_EINVAL, "alpha");
    so.alpha = NAN;
    ck_assert_rec(rec_sampler_new(&a, ds, &so), REC_EINVAL, "alpha");
    so = (rec_sampler_options)REC_SAMPLER_OPTIONS_INIT;
    so.negatives = 0;
    ck_assert_rec(rec_sampler_new(&a, ds, &so), REC_EINVAL, "negatives");
    so = (rec_sampler_options)REC_SAMPLER_OPTIONS_INIT;
    so.candidates = 0;
    ck_assert_rec(rec_sampler_new(&a, ds, &so), REC_EINVAL, "candidates");
    so = (rec_sampler_options)REC_SAMPLER_OPTIONS_INIT;
    so.kind = (rec_sampler_kind)9;
    ck_assert_rec(rec_sampler_new(&a, ds, &so), REC_EINVAL, "kind");
    so.version = 0;
    ck_assert_rec(rec_sampler_new(&a, ds, &so), REC_EINVAL, "version");
    ck_assert_ptr_null(a);
    ck_assert_rec(rec_sampler_new(&a, NULL, NULL), REC_EINVAL, "train");
    ck_assert_rec(rec_sampler_next(NULL, NULL, 1, u1, p1, n1), REC_EINVAL, "sampler");
    so = (rec_sampler_options)REC_SAMPLER_OPTIONS_INIT;
    so.negatives = 2;
    ck_assert_rec(rec_sampler_new(&a, ds, &so), REC_OK, NULL);
    ck_assert_rec(rec_sampler_next(a, NULL, SIZE_MAX, u1, p1, n1), REC_EINVAL, "overflow");
    ck_assert_rec(rec_sampler_next(a, NULL, 1, NULL, p1, n1), REC_EINVAL, "users");
    ck_assert_rec(rec_sampler_next(a, NULL, 0, NULL, NULL, NULL), REC_OK, NULL);
    rec_sampler_free(a);
    int64_t none[1] = { 0 };
    rec_dataset *empty = NULL;
    ck_assert_rec(rec_dataset_from_int_arrays(&empty, 0, none, none, NULL, NULL, NULL, NULL),
                  REC_OK, NULL);
    ck_assert_rec(rec_sampler_new(&a, empty, NULL), REC_EINVAL, "no interactions");
    rec_dataset_free(empty);
    ck_assert_rec(rec_sampler_options_init(NULL), REC_EINVAL, "opts");
    rec_sampler_options d;
    ck_assert_rec(rec_sampler_options_init(&d), REC_OK, NULL);
    rec_sampler_options d0 = REC_SAMPLER_OPTIONS_INIT;
    ck_assert(d.version == d0.version && d.kind == d0.kind && d.alpha == d0.alpha &&
              d.candidates == d0.candidates && d.negatives == d0.negatives &&
              d.seed == d0.seed);

    /* Allocation failures come back as REC_ENOMEM, with nothing leaked. */
    so = (rec_sampler_options)REC_SAMPLER_OPTIONS_INIT;
    so.kind = REC_SAMPLER_POPULARITY;
    for (long n = 1;; n++) {
        rec_alloc_fail_after(n);
        int rc = rec_sampler_new(&a, ds, &so);
        rec_alloc_fail_after(0);
        if (rc == REC_OK)
            break;
        ck_assert_rec(rc, REC_ENOMEM, NULL);
        ck_assert_ptr_null(a);
    }
    rec_sampler_free(a);
    rec_dataset_free(ds);
}
END_TEST

Suite *rec_test_suite(void)
{
    Suite *s = suite_create("sample");
    TCase *tc = tcase_create("alias");
    tcase_add_test(tc, test_alias_exact);
    tcase_add_test(tc, test_alias_draws);
    tcase_add_test(tc, test_alias_refusals);
    suite_add_tcase(s, tc);
    TCase *ts = tcase_create("sampler");
    tcase_add_test(ts, test_sampler_never_positive);
    tcase_add_test(ts, test_sampler_distributions);
    tcase_add_test(ts, test_sampler_dns_hardest);
    tcase_add_test(ts, test_sampler_seed_and_refusals);
    suite_add_tcase(s, ts);
    return s;
}
