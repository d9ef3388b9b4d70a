/* Sampling: the alias table against the distribution it is built from. */
#include <math.h>
#include <stdlib.h>

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

Suite *rec_test_suite(void)
{
    Suite *s = suite_create("sample");
    TCase *tc = tcase_create("alias");
    tcase_add_test(tc, test_alias_exact);
    tcase_add_test(tc, test_alias_draws);
    tcase_add_test(tc, test_alias_refusals);
    suite_add_tcase(s, tc);
    return s;
}
