/* The training objectives of the embedding-table families: every loss and
 * sampler on MF learns; CML scores and ranks by distance and keeps its
 * rows in the unit ball; its covariance term and NBPO's flip factors
 * follow their gradients; Rel-MF's propensity weights on hand cases; the
 * new families learn, save and load, and fail cleanly. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "librec/librec.h"
#include "core/alloc.h"
#include "core/rng.h"
#include "model/mf_engine.h"
#include "model/model.h"

static rec_model *train(const char *family, const rec_dataset *ds, const char *const *set)
{
    rec_train_options *o = NULL;
    ck_assert_rec(rec_train_options_new(&o, family), REC_OK, NULL);
    for (size_t k = 0; set && set[k]; k += 2)
        ck_assert_rec(rec_train_options_set(o, set[k], set[k + 1]), REC_OK, NULL);
    rec_model *m = NULL;
    ck_assert_rec(rec_model_train(&m, ds, o), REC_OK, NULL);
    rec_train_options_free(o);
    return m;
}

static double ndcg20(const rec_model *m, const rec_dataset *test)
{
    rec_eval *ev = NULL;
    ck_assert_rec(rec_eval_run(&ev, m, NULL, test, NULL), REC_OK, NULL);
    double v;
    ck_assert_rec(rec_eval_get(ev, "ndcg@20", &v), REC_OK, NULL);
    rec_eval_free(ev);
    return v;
}

typedef struct split {
    rec_dataset *all, *train, *test;
    double pop_ndcg;
} split;

static split make_split(void)
{
    split s = { rec_test_groups_dataset(300, 150, 5, 20, 8), NULL, NULL, 0 };
    ck_assert_rec(rec_dataset_split(&s.train, &s.test, s.all, NULL), REC_OK, NULL);
    rec_model *pop = train("pop", s.train, NULL);
    s.pop_ndcg = ndcg20(pop, s.test);
    rec_model_free(pop);
    return s;
}

static void free_split(split *s)
{
    rec_dataset_free(s->all);
    rec_dataset_free(s->train);
    rec_dataset_free(s->test);
}

static void assert_learns(const split *s, const char *family, const char *const *set,
                          double factor)
{
    rec_model *m = train(family, s->train, set);
    double nd = ndcg20(m, s->test);
    rec_model_info info = REC_MODEL_INFO_INIT;
    ck_assert_rec(rec_model_info_get(m, &info), REC_OK, NULL);
    ck_assert_msg(isfinite(info.final_loss), "%s: loss %g", family, info.final_loss);
    ck_assert_msg(nd > factor * s->pop_ndcg, "%s %s=%s %s=%s: ndcg@20 %.4f vs pop %.4f",
                  family, set ? set[0] : "", set ? set[1] : "", set && set[2] ? set[2] : "",
                  set && set[2] ? set[3] : "", nd, s->pop_ndcg);
    rec_model_free(m);
}

/* Every loss with every sampler, under both optimizers for one of them. */
START_TEST(test_mf_losses_and_samplers_learn)
{
    split s = make_split();
    static const char *const losses[] = { "bpr", "bce", "softmax", "hinge" };
    static const char *const samplers[] = { "uniform", "pop", "dns", "inbatch" };
    for (size_t l = 0; l < 4; l++) {
        for (size_t q = 0; q < 4; q++) {
            const char *set[] = { "loss", losses[l], "sampler", samplers[q], "negatives", "3",
                                  "epochs", "40", "alpha", "0.5", "threads", "1", NULL };
            assert_learns(&s, "mf", set, 1.3);
        }
        const char *adam[] = { "loss", losses[l], "optimizer", "adam", "lr", "0.01",
                               "batch", "128", "epochs", "40", NULL };
        assert_learns(&s, "mf", adam, 1.3);
    }
    free_split(&s);
}
END_TEST

static double sqdist(const float *a, const float *b, size_t n)
{
    double d = 0.0;
    for (size_t c = 0; c < n; c++)
        d += ((double)a[c] - b[c]) * ((double)a[c] - b[c]);
    return d;
}

/* CML's scores are negative squared distances of its rows, which stay in
 * the unit ball; recommend returns the nearest items the user has not
 * trained on; save and load keep all of it. */
START_TEST(test_cml_distance_rule)
{
    split s = make_split();
    const char *set[] = { "epochs", "30", "threads", "1", NULL };
    rec_model *m = train("cml", s.train, set);
    const rec_serving *sv = &m->serving;
    ck_assert_int_eq(sv->scoring, REC_SCORING_NEG_SQDIST);
    float zero[1024] = { 0 };
    for (size_t r = 0; r < sv->n_users; r++)
        ck_assert(sqdist(rec_serving_user(sv, (uint32_t)r), zero, sv->dim) <= 1.0 + 1e-5);
    for (size_t i = 0; i < sv->n_items; i++)
        ck_assert(sqdist(rec_serving_item(sv, (uint32_t)i), zero, sv->dim) <= 1.0 + 1e-5);

    char *path = rec_test_path("cml.rec");
    ck_assert_rec(rec_model_save(m, path, NULL), REC_OK, NULL);
    rec_model *back = NULL;
    ck_assert_rec(rec_model_load(&back, path), REC_OK, NULL);
    free(path);

    size_t n_items = sv->n_items;
    uint32_t *all = malloc(n_items * sizeof *all), top[10];
    float *sc = malloc(n_items * sizeof *sc), *sc2 = malloc(n_items * sizeof *sc2), tops[10];
    for (size_t i = 0; i < n_items; i++)
        all[i] = (uint32_t)i;
    for (uint32_t u = 0; u < sv->n_users; u += 37) {
        ck_assert_rec(rec_model_score(m, u, all, n_items, sc), REC_OK, NULL);
        ck_assert_rec(rec_model_score(back, u, all, n_items, sc2), REC_OK, NULL);
        for (size_t i = 0; i < n_items; i++) {
            double d = sqdist(rec_serving_user(sv, u), rec_serving_item(sv, (uint32_t)i),
                              sv->dim);
            ck_assert_msg(fabs(sc[i] + d) <= 1e-5 * (1.0 + d), "score %g, distance %g",
                          (double)sc[i], d);
            ck_assert(sc[i] == sc2[i]);
        }
        size_t n = 0;
        ck_assert_rec(rec_model_recommend(m, u, 10, NULL, top, tops, &n), REC_OK, NULL);
        ck_assert_uint_eq(n, 10);
        for (size_t t = 0; t < n; t++) {
            ck_assert(!rec_dataset_has(m->train, u, top[t]));
            ck_assert(fabsf(tops[t] - sc[top[t]]) <= 1e-5f);
            ck_assert(t == 0 || tops[t] <= tops[t - 1]);
        }
        /* Nothing eligible left out is nearer than the tenth. */
        for (size_t i = 0; i < n_items; i++) {
            int listed = 0;
            for (size_t t = 0; t < n; t++)
                listed |= top[t] == i;
            if (!listed && !rec_dataset_has(m->train, u, (uint32_t)i))
                ck_assert(sc[i] <= tops[n - 1] + 1e-5f);
        }
    }
    free(all);
    free(sc);
    free(sc2);
    rec_model_free(back);
    rec_model_free(m);
    free_split(&s);
}
END_TEST

START_TEST(test_new_families_learn)
{
    split s = make_split();
    const char *cml[] = { "epochs", "30", NULL };
    const char *cml_plain[] = { "rank_weight", "0", "cov_reg", "0", "epochs", "30", NULL };
    const char *relmf[] = { "epochs", "40", NULL };
    const char *relmf_raw[] = { "clip", "0", "epochs", "40", NULL };
    const char *nbpo[] = { "epochs", "40", NULL };
    const char *nbpo_learned[] = { "flip_dim", "4", "epochs", "40", NULL };
    assert_learns(&s, "cml", cml, 1.3);
    assert_learns(&s, "cml", cml_plain, 1.3);
    assert_learns(&s, "relmf", relmf, 1.3);
    assert_learns(&s, "relmf", relmf_raw, 1.3);
    assert_learns(&s, "nbpo", nbpo, 1.3);
    assert_learns(&s, "nbpo", nbpo_learned, 1.3);
    free_split(&s);
}
END_TEST

/* Builds a family's training state directly, to look inside it. */
static mf_run *engine(const char *family, const rec_dataset *ds, const char *const *set,
                      rec_train_options **o)
{
    ck_assert_rec(rec_train_options_new(o, family), REC_OK, NULL);
    for (size_t k = 0; set && set[k]; k += 2)
        ck_assert_rec(rec_train_options_set(*o, set[k], set[k + 1]), REC_OK, NULL);
    void *state = NULL;
    ck_assert_rec((*o)->family->setup(&state, ds, *o), REC_OK, NULL);
    return state;
}

/* Items with 4, 1, 2 and 0 training interactions: relative popularity
 * 1, 1/4, 1/2 (and 0); with eta = 0.5 the propensities are 1, 1/2 and
 * 1/sqrt(2), and clip = 0.6 raises the second to 0.6. */
START_TEST(test_relmf_propensity_weights)
{
    const int64_t users[] = { 0, 1, 2, 3, 0, 0, 1, 4 };
    const int64_t items[] = { 10, 10, 10, 10, 11, 12, 12, 13 };
    rec_dataset *ds = NULL;
    ck_assert_rec(rec_dataset_from_int_arrays(&ds, 7, users, items, NULL, NULL, NULL, NULL),
                  REC_OK, NULL);
    /* The first 7 rows: item 13 is left out. */
    uint32_t i10, i11, i12;
    ck_assert_rec(rec_dataset_find_item(ds, "10", &i10), REC_OK, NULL);
    ck_assert_rec(rec_dataset_find_item(ds, "11", &i11), REC_OK, NULL);
    ck_assert_rec(rec_dataset_find_item(ds, "12", &i12), REC_OK, NULL);
    static const struct {
        const char *eta, *clip;
        double w10, w11, w12;
    } cases[] = {
        { "0.5", "0", 1.0, 2.0, 1.4142135623730951 },
        { "0.5", "0.6", 1.0, 1.0 / 0.6, 1.4142135623730951 },
        { "1", "0", 1.0, 4.0, 2.0 },
        { "0", "0", 1.0, 1.0, 1.0 },
        { "1", "1", 1.0, 1.0, 1.0 },
    };
    for (size_t c = 0; c < sizeof cases / sizeof *cases; c++) {
        const char *set[] = { "eta", cases[c].eta, "clip", cases[c].clip, "threads", "1", NULL };
        rec_train_options *o = NULL;
        mf_run *r = engine("relmf", ds, set, &o);
        ck_assert_float_eq_tol(r->item_weight[i10], (float)cases[c].w10, 1e-6f);
        ck_assert_float_eq_tol(r->item_weight[i11], (float)cases[c].w11, 1e-6f);
        ck_assert_float_eq_tol(r->item_weight[i12], (float)cases[c].w12, 1e-6f);
        ck_assert_int_eq(r->ob.loss.kind, REC_LOSS_IPS);
        rec_mf_destroy(r);
        rec_train_options_free(o);
    }
    rec_dataset_free(ds);
}
END_TEST

/* The covariance term's gradient against central differences. */
START_TEST(test_cml_covariance_gradient)
{
    rec_dataset *ds = rec_test_groups_dataset(30, 20, 2, 5, 1);
    const char *set[] = { "dim", "6", "batch", "8", "cov_reg", "0.7", "threads", "1", NULL };
    rec_train_options *o = NULL;
    mf_run *r = engine("cml", ds, set, &o);
    rec_mf_worker *w = &r->work[0];
    enum { N = 9 };
    size_t ld = r->U.ld, d = r->U.dim;
    float rows[N * 16], grad[N * 16];
    ck_assert_uint_le(ld, 16);
    rec_rng rng;
    rec_rng_seed(&rng, 3, 0, 0);
    memset(rows, 0, sizeof rows);
    for (size_t s = 0; s < N; s++)
        for (size_t c = 0; c < d; c++)
            rows[s * ld + c] = (float)rec_rng_normal(&rng);
    memcpy(w->cov_x, rows, N * ld * sizeof(float));
    rec_cml_covariance_grad(r, w, N);
    memcpy(grad, w->cov_g, N * ld * sizeof(float));
    const double h = 1e-2;
    for (size_t s = 0; s < N; s++) {
        for (size_t c = 0; c < ld; c++) {
            if (c >= d) {
                ck_assert(grad[s * ld + c] == 0.0f);
                continue;
            }
            double f[2];
            for (int side = 0; side < 2; side++) {
                memcpy(w->cov_x, rows, N * ld * sizeof(float));
                w->cov_x[s * ld + c] += (float)(side ? -h : h);
                f[side] = rec_cml_covariance_grad(r, w, N);
            }
            double fd = (f[0] - f[1]) / (2 * h);
            ck_assert_msg(fabs(fd - grad[s * ld + c]) <= 2e-3 + 2e-3 * fabs(fd),
                          "row %zu col %zu: analytic %g, finite difference %g", s, c,
                          (double)grad[s * ld + c], fd);
        }
    }
    rec_mf_destroy(r);
    rec_train_options_free(o);
    rec_dataset_free(ds);
}
END_TEST

/* NBPO's loss as a function of the flip factors of one tuple. */
static double nbpo_tuple_loss(const mf_run *r, rec_mf_worker *w, uint32_t u,
                              const uint32_t *items, size_t n)
{
    float s[8], ds[8], dz[8], z[8];
    for (size_t t = 0; t < n; t++)
        s[t] = r->k->dot(rec_table_row(&r->U, u), rec_table_row(&r->V, items[t]), r->U.ld);
    rec_nbpo_flip_logits(r, u, items, n, z);
    (void)w;
    return rec_loss_eval(&r->ob.loss, n - 1, s, 1.0, z, ds, dz);
}

/* One flip step with lr = 1 and reg = 0 moves the flip factors by minus
 * the gradient of the tuple's loss: compared with central differences. */
START_TEST(test_nbpo_flip_gradient)
{
    rec_dataset *ds = rec_test_groups_dataset(30, 20, 2, 5, 1);
    const char *set[] = { "dim", "4", "flip_dim", "3", "lr", "1", "reg", "0",
                          "flip", "0.3", "threads", "1", NULL };
    rec_train_options *o = NULL;
    mf_run *r = engine("nbpo", ds, set, &o);
    rec_mf_worker *w = &r->work[0];
    const uint32_t u = 2, items[4] = { 1, 5, 7, 5 };
    size_t ld = r->P.ld, fd = r->P.dim;
    /* Larger factors than the initial ones, so that the logits vary. */
    rec_rng rng;
    rec_rng_seed(&rng, 9, 0, 0);
    for (size_t c = 0; c < fd; c++) {
        rec_table_row(&r->P, u)[c] = (float)rec_rng_normal(&rng);
        for (size_t t = 0; t < 4; t++)
            rec_table_row(&r->Q, items[t])[c] = (float)rec_rng_normal(&rng);
    }
    rec_table before_p = r->P, before_q = r->Q;
    float p0[16], q0[4][16];
    memcpy(p0, rec_table_row(&before_p, u), ld * sizeof(float));
    for (size_t t = 0; t < 4; t++)
        memcpy(q0[t], rec_table_row(&before_q, items[t]), ld * sizeof(float));

    /* The numeric gradient first, at the unchanged factors. */
    double gp[16], gq[3][16];
    const double h = 1e-3;
    float *rowsets[4] = { rec_table_row(&r->P, u), rec_table_row(&r->Q, 1),
                          rec_table_row(&r->Q, 5), rec_table_row(&r->Q, 7) };
    double *out[4] = { gp, gq[0], gq[1], gq[2] };
    for (int p = 0; p < 4; p++) {
        for (size_t c = 0; c < fd; c++) {
            float keep = rowsets[p][c];
            rowsets[p][c] = keep + (float)h;
            double up = nbpo_tuple_loss(r, w, u, items, 4);
            rowsets[p][c] = keep - (float)h;
            double down = nbpo_tuple_loss(r, w, u, items, 4);
            rowsets[p][c] = keep;
            out[p][c] = (up - down) / (2 * h);
        }
    }
    float s[4], dsc[4], dz[4], z[4];
    for (size_t t = 0; t < 4; t++)
        s[t] = r->k->dot(rec_table_row(&r->U, u), rec_table_row(&r->V, items[t]), r->U.ld);
    rec_nbpo_flip_logits(r, u, items, 4, z);
    rec_loss_eval(&r->ob.loss, 3, s, 1.0, z, dsc, dz);
    rec_nbpo_flip_step(r, w, u, items, 4, dz);
    for (size_t c = 0; c < fd; c++) {
        double moved = p0[c] - rec_table_row(&r->P, u)[c];
        ck_assert_msg(fabs(moved - gp[c]) <= 2e-3 + 2e-3 * fabs(gp[c]),
                      "P[%zu]: step %g, gradient %g", c, moved, gp[c]);
        /* Item 5 appears twice: its step is the sum of both gradients. */
        double m1 = q0[0][c] - rec_table_row(&r->Q, 1)[c];
        double m5 = q0[1][c] - rec_table_row(&r->Q, 5)[c];
        double m7 = q0[2][c] - rec_table_row(&r->Q, 7)[c];
        ck_assert(fabs(m1 - gq[0][c]) <= 2e-3 + 2e-3 * fabs(gq[0][c]));
        ck_assert(fabs(m5 - gq[1][c]) <= 2e-3 + 2e-3 * fabs(gq[1][c]));
        ck_assert(fabs(m7 - gq[2][c]) <= 2e-3 + 2e-3 * fabs(gq[2][c]));
    }
    rec_mf_destroy(r);
    rec_train_options_free(o);
    rec_dataset_free(ds);
}
END_TEST

/* One thread and a seed repeat a run bit for bit on the tuple path too,
 * whatever the sampler; another seed gives another model. */
START_TEST(test_tuple_path_repeats)
{
    rec_dataset *ds = rec_test_groups_dataset(80, 50, 4, 10, 4);
    static const char *const runs[][9] = {
        { "mf", "sampler", "dns", "loss", "softmax", "negatives", "3", NULL, NULL },
        { "mf", "sampler", "inbatch", "optimizer", "adam", "lr", "0.01", NULL, NULL },
        { "cml", "sampler", "pop", NULL, NULL, NULL, NULL, NULL, NULL },
        { "nbpo", "flip_dim", "3", NULL, NULL, NULL, NULL, NULL, NULL },
        { "relmf", "negatives", "2", NULL, NULL, NULL, NULL, NULL, NULL },
    };
    for (size_t c = 0; c < sizeof runs / sizeof *runs; c++) {
        rec_model *m[3];
        for (int t = 0; t < 3; t++) {
            const char *set[16] = { "epochs", "3", "threads", "1", "seed", t == 2 ? "8" : "7" };
            size_t n = 6;
            for (size_t k = 1; runs[c][k]; k++)
                set[n++] = runs[c][k];
            set[n] = NULL;
            m[t] = train(runs[c][0], ds, set);
        }
        const rec_serving *a = &m[0]->serving, *b = &m[1]->serving, *o = &m[2]->serving;
        size_t nu = a->n_users * a->ld, ni = a->n_items * a->ld;
        ck_assert_msg(!memcmp(a->U, b->U, nu * sizeof(float)) &&
                      !memcmp(a->V, b->V, ni * sizeof(float)), "%s run %zu differs",
                      runs[c][0], c);
        ck_assert(memcmp(a->V, o->V, ni * sizeof(float)) != 0);
        for (int t = 0; t < 3; t++)
            rec_model_free(m[t]);
    }
    rec_dataset_free(ds);
}
END_TEST

/* Settings out of range are refused by name; each family's tuple path
 * fails allocation cleanly at every point. */
START_TEST(test_refusals_and_allocation_failures)
{
    rec_train_options *o = NULL;
    ck_assert_rec(rec_train_options_new(&o, "nbpo"), REC_OK, NULL);
    ck_assert_rec(rec_train_options_set(o, "flip", "1"), REC_EINVAL, "flip");
    ck_assert_rec(rec_train_options_set(o, "flip", "0"), REC_EINVAL, "(0, 1)");
    ck_assert_rec(rec_train_options_set(o, "loss", "bpr"), REC_ENOTFOUND, "loss");
    rec_train_options_free(o);
    ck_assert_rec(rec_train_options_new(&o, "mf"), REC_OK, NULL);
    ck_assert_rec(rec_train_options_set(o, "loss", "warp"), REC_EINVAL, "bpr|bce|softmax|hinge");
    ck_assert_rec(rec_train_options_set(o, "sampler", "hard"), REC_EINVAL,
                  "uniform|pop|dns|inbatch");
    ck_assert_rec(rec_train_options_set(o, "negatives", "0"), REC_EINVAL, "negatives");
    ck_assert_rec(rec_train_options_set(o, "temperature", "0"), REC_EINVAL, "(0, 100]");
    rec_train_options_free(o);
    ck_assert_rec(rec_train_options_new(&o, "relmf"), REC_OK, NULL);
    ck_assert_rec(rec_train_options_set(o, "clip", "1.5"), REC_EINVAL, "[0, 1]");
    rec_train_options_free(o);

    rec_dataset *ds = rec_test_groups_dataset(40, 30, 3, 6, 9);
    static const char *const cases[][7] = {
        { "mf", "sampler", "pop", "optimizer", "adam", NULL, NULL },
        { "cml", "epochs", "2", "optimizer", "adam", NULL, NULL },
        { "cml", "epochs", "2", NULL, NULL, NULL, NULL },
        { "relmf", "epochs", "2", "sampler", "dns", NULL, NULL },
        { "nbpo", "epochs", "2", "flip_dim", "2", NULL, NULL },
    };
    for (size_t c = 0; c < sizeof cases / sizeof *cases; c++) {
        ck_assert_rec(rec_train_options_new(&o, cases[c][0]), REC_OK, NULL);
        for (size_t k = 1; cases[c][k]; k += 2)
            ck_assert_rec(rec_train_options_set(o, cases[c][k], cases[c][k + 1]), REC_OK, NULL);
        ck_assert_rec(rec_train_options_set(o, "epochs", "2"), REC_OK, NULL);
        rec_test_train_alloc_sweep(ds, o);
        rec_train_options_free(o);
    }
    rec_dataset_free(ds);
}
END_TEST

Suite *rec_test_suite(void)
{
    Suite *s = suite_create("objectives");
    TCase *tc = tcase_create("objectives");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, test_mf_losses_and_samplers_learn);
    tcase_add_test(tc, test_cml_distance_rule);
    tcase_add_test(tc, test_new_families_learn);
    tcase_add_test(tc, test_relmf_propensity_weights);
    tcase_add_test(tc, test_cml_covariance_gradient);
    tcase_add_test(tc, test_nbpo_flip_gradient);
    tcase_add_test(tc, test_tuple_path_repeats);
    tcase_add_test(tc, test_refusals_and_allocation_failures);
    suite_add_tcase(s, tc);
    return s;
}
