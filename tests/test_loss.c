/* Losses and their gradients: each loss against central finite differences
 * of itself (scores and NBPO's flip logits), the identities that tie them
 * together, a hand case of CML's rank weight, and the gradient carried to
 * embedding rows under both scoring rules. */
#include <math.h>
#include <stdlib.h>

#include "testutil.h"
#include "core/rng.h"
#include "kernels/kernels.h"
#include "model/loss.h"
#include "model/tuple_grad.h"

#define KMAX 6
#define STEP 1e-3

static const rec_loss losses[] = {
    { REC_LOSS_BPR, 1.0, 0.0, 0 },
    { REC_LOSS_BCE, 1.0, 0.0, 0 },
    { REC_LOSS_SOFTMAX, 0.2, 0.0, 0 },
    { REC_LOSS_SOFTMAX, 1.0, 0.0, 0 },
    { REC_LOSS_HINGE, 1.0, 0.5, 0 },
    { REC_LOSS_HINGE_RANKED, 1.0, 0.5, 1000 },
    { REC_LOSS_IPS, 1.0, 0.0, 0 },
    { REC_LOSS_NBPO, 1.0, 0.0, 0 },
};
#define N_LOSSES (sizeof losses / sizeof losses[0])

static float uniform(rec_rng *r, float lo, float hi)
{
    return lo + (hi - lo) * (float)rec_rng_uniform(r);
}

/* Hinges have kinks where margin - s0 + sq = 0, and the rank weight jumps
 * where a negative crosses the margin or overtakes the hardest: a finite
 * difference is only meaningful away from both. */
static int near_kink(const rec_loss *l, const float *s, size_t k)
{
    if (l->kind != REC_LOSS_HINGE && l->kind != REC_LOSS_HINGE_RANKED)
        return 0;
    for (size_t q = 1; q <= k; q++) {
        if (fabs(l->margin - s[0] + s[q]) < 20 * STEP)
            return 1;
        for (size_t p = 1; p < q; p++)
            if (fabs(s[p] - s[q]) < 20 * STEP)
                return 1;
    }
    return 0;
}

static double loss_at(const rec_loss *l, size_t k, const float *s, double w, const float *z)
{
    float ds[KMAX + 1], dz[KMAX + 1];
    return rec_loss_eval(l, k, s, w, z, ds, dz);
}

static void assert_close(double analytic, double numeric, const char *what, size_t kind,
                         size_t q)
{
    double tol = 2e-3 + 2e-3 * fabs(numeric);
    ck_assert_msg(fabs(analytic - numeric) <= tol,
                  "loss %zu, %s[%zu]: analytic %.6g, finite difference %.6g", kind, what, q,
                  analytic, numeric);
}

START_TEST(test_loss_finite_differences)
{
    rec_rng r;
    rec_rng_seed(&r, 7, 0, 0);
    for (size_t c = 0; c < N_LOSSES; c++) {
        const rec_loss *l = &losses[c];
        for (int trial = 0; trial < 200; trial++) {
            size_t k = 1 + rec_rng_below(&r, KMAX);
            float s[KMAX + 1], z[KMAX + 1], ds[KMAX + 1], dz[KMAX + 1];
            for (size_t q = 0; q <= k; q++) {
                s[q] = uniform(&r, -4.0f, 4.0f);
                z[q] = uniform(&r, -4.0f, 2.0f);
            }
            if (near_kink(l, s, k))
                continue;
            double w = l->kind == REC_LOSS_IPS ? uniform(&r, 1.0f, 20.0f) : 1.0;
            const float *zz = rec_loss_has_flip(l) ? z : NULL;
            double f = rec_loss_eval(l, k, s, w, zz, ds, dz);
            ck_assert(isfinite(f));
            for (size_t q = 0; q <= k; q++) {
                float keep = s[q];
                s[q] = keep + (float)STEP;
                double up = loss_at(l, k, s, w, zz);
                s[q] = keep - (float)STEP;
                double down = loss_at(l, k, s, w, zz);
                s[q] = keep;
                assert_close(ds[q], (up - down) / (2 * STEP), "dL/ds", c, q);
                if (!zz)
                    continue;
                keep = z[q];
                z[q] = keep + (float)STEP;
                up = loss_at(l, k, s, w, zz);
                z[q] = keep - (float)STEP;
                down = loss_at(l, k, s, w, zz);
                z[q] = keep;
                assert_close(dz[q], (up - down) / (2 * STEP), "dL/dz", c, q);
            }
        }
    }
}
END_TEST

/* Softmax over two items at temperature 1 is BPR; IPS with weight 1 is
 * BCE; NBPO without flips (rho -> 0) is BCE; each loss is finite and
 * exact far out in the tails. */
START_TEST(test_loss_identities)
{
    const rec_loss bpr = { REC_LOSS_BPR, 1, 0, 0 }, soft = { REC_LOSS_SOFTMAX, 1, 0, 0 },
                   bce = { REC_LOSS_BCE, 1, 0, 0 }, ips = { REC_LOSS_IPS, 1, 0, 0 },
                   nbpo = { REC_LOSS_NBPO, 1, 0, 0 };
    float s[4] = { 0.7f, -1.3f, 2.2f, 0.1f }, none[4] = { -60, -60, -60, -60 };
    ck_assert_double_eq_tol(loss_at(&soft, 1, s, 1, NULL), loss_at(&bpr, 1, s, 1, NULL), 1e-12);
    ck_assert_double_eq_tol(loss_at(&ips, 3, s, 1, NULL), loss_at(&bce, 3, s, 1, NULL), 1e-12);
    ck_assert_double_eq_tol(loss_at(&nbpo, 3, s, 1, none), loss_at(&bce, 3, s, 1, NULL), 1e-9);
    /* BPR of a pair ranked right by 40: softplus(-40) = e^-40, not 0. */
    float far[2] = { 20.0f, -20.0f };
    ck_assert_double_eq_tol(loss_at(&bpr, 1, far, 1, NULL) / exp(-40.0), 1.0, 1e-9);
    /* IPS with w > 1: beyond the cap the negatively weighted term stops, so
     * the loss is bounded below and only w softplus(-s0) pulls on. */
    float capped[2] = { 10.0f, 0.0f }, ds[2];
    double f10 = rec_loss_eval(&ips, 1, capped, 5.0, NULL, ds, NULL);
    ck_assert_float_eq_tol(ds[0], (float)(-5.0 / (1.0 + exp(10.0))), 1e-9f);
    capped[0] = 1000.0f;
    double f1000 = rec_loss_eval(&ips, 1, capped, 5.0, NULL, ds, NULL);
    ck_assert_double_eq_tol(f1000, -4.0 * log1p(exp(REC_IPS_SCORE_CAP)) + log(2.0), 1e-9);
    ck_assert(f10 > f1000);
    float huge[3] = { 1e30f, -1e30f, 1e30f };
    for (size_t c = 0; c < N_LOSSES; c++) {
        float z[3] = { -3, 0, 3 };
        ck_assert(!isnan(loss_at(&losses[c], 2, huge, 2.0, z)));
    }
}
END_TEST

/* 4 negatives, 2 inside the margin, 1000 items: rank estimate
 * floor(1000 * 2 / 4) = 500, weight log(501), on the hardest pair only. */
START_TEST(test_loss_rank_weight)
{
    const rec_loss l = { REC_LOSS_HINGE_RANKED, 1, 0.5, 1000 };
    float s[5] = { 1.0f, 0.2f, 0.8f, 0.6f, -2.0f }, ds[5];
    double f = rec_loss_eval(&l, 4, s, 1, NULL, ds, NULL);
    double w = log(501.0);
    ck_assert_double_eq_tol(f, w * (0.5 - 1.0 + 0.8), 1e-6);
    ck_assert_float_eq_tol(ds[0], (float)-w, 1e-6f);
    ck_assert_float_eq_tol(ds[2], (float)w, 1e-6f);
    ck_assert_float_eq(ds[1], 0.0f);
    ck_assert_float_eq(ds[3], 0.0f);
    ck_assert_float_eq(ds[4], 0.0f);
    float clear[3] = { 3.0f, 0.0f, 1.0f };
    ck_assert_double_eq(rec_loss_eval(&l, 2, clear, 1, NULL, ds, NULL), 0.0);
    ck_assert_float_eq(ds[0], 0.0f);
}
END_TEST

/* Rows of DIM values padded to LD floats, as tables hold them: the SIMD
 * kernels work on whole vectors. */
#define DIM 5
#define LD 16

static double tuple_loss(const rec_kernels *kern, const rec_loss *l, rec_scoring sc,
                         const rec_tuple *t)
{
    float s[KMAX + 1], ds[KMAX + 1], dz[KMAX + 1];
    rec_tuple_scores(kern, sc, t, LD, s);
    return rec_loss_eval(l, t->k, s, t->weight, t->flip, ds, dz);
}

static void tuple_finite_differences(const rec_kernels *kern)
{
    rec_rng r;
    rec_rng_seed(&r, 11, 0, 0);
    const rec_scoring rules[2] = { REC_SCORING_DOT, REC_SCORING_NEG_SQDIST };
    for (size_t c = 0; c < N_LOSSES; c++) {
        for (int rule = 0; rule < 2; rule++) {
            for (int trial = 0; trial < 30; trial++) {
                _Alignas(64) float u[LD] = { 0 }, rows[4][LD] = { { 0 } }, du[LD] = { 0 },
                                   dr[4][LD] = { { 0 } };
                for (size_t d = 0; d < DIM; d++) {
                    u[d] = uniform(&r, -0.8f, 0.8f);
                    for (int q = 0; q < 4; q++)
                        rows[q][d] = uniform(&r, -0.8f, 0.8f);
                }
                const float *v[5] = { rows[0], rows[1], rows[2], rows[2], rows[3] };
                float *dv[5] = { dr[0], dr[1], dr[2], dr[2], dr[3] };
                float z[5] = { -1.0f, 0.5f, -2.0f, -2.0f, 0.0f };
                rec_tuple t = { u, v, 4, 3.0, rec_loss_has_flip(&losses[c]) ? z : NULL };
                float s[5], ds[5], dz[5];
                rec_tuple_scores(kern, rules[rule], &t, LD, s);
                if (near_kink(&losses[c], s, 4))
                    continue;
                rec_tuple_scratch scr = { s, ds, dz };
                rec_tuple_grad(kern, &losses[c], rules[rule], &t, LD, 0.5f, du, dv, &scr);
                float *params[5] = { u, rows[0], rows[1], rows[2], rows[3] };
                float *grads[5] = { du, dr[0], dr[1], dr[2], dr[3] };
                for (int p = 0; p < 5; p++) {
                    for (size_t d = DIM; d < LD; d++)
                        ck_assert(grads[p][d] == 0.0f); /* padding stays zero */
                    for (size_t d = 0; d < DIM; d++) {
                        float keep = params[p][d];
                        params[p][d] = keep + (float)STEP;
                        double up = tuple_loss(kern, &losses[c], rules[rule], &t);
                        params[p][d] = keep - (float)STEP;
                        double down = tuple_loss(kern, &losses[c], rules[rule], &t);
                        params[p][d] = keep;
                        assert_close(grads[p][d], 0.5 * (up - down) / (2 * STEP), "row",
                                     c * 10 + (size_t)rule, (size_t)p);
                    }
                }
            }
        }
    }
}

/* The gradient on the rows, both scoring rules, every loss, every kernel
 * variant of this CPU, with the second and third negatives the same row
 * (their gradients add). */
START_TEST(test_tuple_finite_differences)
{
    static const char *const variants[] = { "scalar", "avx2", "avx512" };
    for (size_t kv = 0; kv < 3; kv++) {
        const rec_kernels *kern = rec_kernels_variant(variants[kv]);
        if (kern)
            tuple_finite_differences(kern);
    }
}
END_TEST


Suite *rec_test_suite(void)
{
    Suite *s = suite_create("loss");
    TCase *tc = tcase_create("loss");
    tcase_add_test(tc, test_loss_finite_differences);
    tcase_add_test(tc, test_loss_identities);
    tcase_add_test(tc, test_loss_rank_weight);
    tcase_add_test(tc, test_tuple_finite_differences);
    suite_add_tcase(s, tc);
    return s;
}
