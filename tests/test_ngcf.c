/* NGCF: gradients through propagation (embeddings and every layer's
 * weights, with dropout) against finite differences, fold-in against
 * propagation, training and save/load. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "librec/librec.h"
#include "core/alloc.h"
#include "core/rng.h"
#include "model/family.h"
#include "model/graph_models.h"
#include "model/model.h"

static rec_dataset *small_graph(void)
{
    int64_t u[48], i[48];
    size_t n = 0;
    rec_rng r;
    rec_rng_seed(&r, 7, 8, 9);
    for (int user = 0; user < 10; user++)
        for (int k = 0; k < 4; k++) {
            u[n] = user;
            i[n++] = rec_rng_below(&r, 8);
        }
    rec_load_options lo = REC_LOAD_OPTIONS_INIT;
    lo.duplicates = REC_DUPLICATES_FIRST;
    rec_dataset *ds = NULL;
    ck_assert_rec(rec_dataset_from_int_arrays(&ds, n, u, i, NULL, NULL, &lo, NULL), REC_OK,
                  NULL);
    return ds;
}

static rec_train_options *options(const char *const *settings)
{
    rec_train_options *o = NULL;
    ck_assert_rec(rec_train_options_new(&o, "ngcf"), REC_OK, NULL);
    for (size_t k = 0; settings && settings[k]; k += 2)
        ck_assert_rec(rec_train_options_set(o, settings[k], settings[k + 1]), REC_OK, NULL);
    return o;
}

/* Checks d objective / d p against central differences for every entry of
 * one parameter array. */
static void check_parameter(void *state, unsigned layer, int which, const uint32_t *tu,
                            const uint32_t *ti, const uint32_t *tj, size_t m,
                            const char *what)
{
    size_t rows, cols, ld;
    float *p = rec_ngcf_parameter(state, layer, which, &rows, &cols, &ld);
    double loss;
    const float *g;
    ck_assert_rec(rec_ngcf_objective(state, tu, ti, tj, m, 99, &loss, &g), REC_OK, NULL);
    const float *src = layer == 0 ? g : rec_ngcf_parameter_gradient(state, layer, which);
    float *grad = malloc(rows * ld * sizeof *grad);
    memcpy(grad, src, rows * ld * sizeof *grad);
    const float h = 1e-3f;
    for (size_t r = 0; r < rows; r++) {
        for (size_t c = 0; c < cols; c++) {
            float keep = p[r * ld + c];
            double up, down;
            p[r * ld + c] = keep + h;
            rec_ngcf_objective(state, tu, ti, tj, m, 99, &up, &g);
            p[r * ld + c] = keep - h;
            rec_ngcf_objective(state, tu, ti, tj, m, 99, &down, &g);
            p[r * ld + c] = keep;
            double fd = (up - down) / (2.0 * h);
            ck_assert_msg(fabs(fd - grad[r * ld + c]) < 5e-4 + 1e-2 * fabs(fd),
                          "%s layer %u array %d [%zu, %zu]: analytic %g, finite "
                          "differences %g", what, layer, which, r, c,
                          (double)grad[r * ld + c], fd);
        }
    }
    free(grad);
}

/* Five tuples (one user twice) of k negatives each: items the user does not
 * have, the first of them also last (a row drawn twice). */
static void tuples(const rec_dataset *ds, size_t k, uint32_t *tu, uint32_t *ti, uint32_t *tj)
{
    static const uint32_t users[5] = { 0, 2, 2, 5, 9 };
    uint32_t nu = (uint32_t)rec_dataset_n_users(ds);
    for (size_t t = 0; t < 5; t++) {
        const uint32_t *items;
        size_t n;
        tu[t] = users[t];
        rec_dataset_user_items(ds, tu[t], &items, NULL, NULL, &n);
        ti[t] = nu + items[0];
        uint32_t free_items[8], n_free = 0;
        for (uint32_t i = 0; i < 8; i++)
            if (!rec_dataset_has(ds, tu[t], i))
                free_items[n_free++] = i;
        ck_assert_uint_gt(n_free, 1);
        for (size_t q = 0; q < k; q++)
            tj[t * k + q] = nu + free_items[q + 1 < k ? q % n_free : 0];
    }
}

/* The gradients with respect to E and every layer's weights against
 * central differences, for one setting. */
static void check_gradients(const rec_dataset *ds, const char *const *settings, size_t k,
                            const char *what)
{
    rec_train_options *o = options(settings);
    ck_assert_rec(rec_train_options_set(o, "dim", "4"), REC_OK, NULL);
    ck_assert_rec(rec_train_options_set(o, "init", "normal"), REC_OK, NULL);
    ck_assert_rec(rec_train_options_set(o, "init_scale", "0.7"), REC_OK, NULL);
    void *state = NULL;
    ck_assert_rec(rec_family_ngcf.setup(&state, ds, o), REC_OK, NULL);
    uint32_t tu[5], ti[5], tj[5 * 3];
    ck_assert_uint_le(k, 3);
    tuples(ds, k, tu, ti, tj);
    char buf[8];
    ck_assert_rec(rec_train_options_get(o, "layers", buf, sizeof buf), REC_OK, NULL);
    unsigned K = (unsigned)atoi(buf);
    check_parameter(state, 0, 0, tu, ti, tj, 5, what);
    for (unsigned l = 1; l <= K; l++)
        for (int which = 0; which < 4; which++)
            check_parameter(state, l, which, tu, ti, tj, 5, what);
    rec_family_ngcf.destroy(state);
    rec_train_options_free(o);
}

START_TEST(test_gradient_finite_differences)
{
    static const char *const cases[][11] = {
        { "layers", "2", "adjacency", "left_loops", "mess_dropout", "0.3", "node_dropout", "0",
          "reg", "0.01", NULL },
        { "layers", "3", "adjacency", "symmetric", "mess_dropout", "0", "node_dropout", "0.2",
          "reg", "0", NULL },
        { "layers", "1", "adjacency", "symmetric_loops", "mess_dropout", "0.1",
          "node_dropout", "0.1", "reg", "0.1", NULL },
    };
    rec_dataset *ds = small_graph();
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++)
        check_gradients(ds, cases[c], 1, cases[c][3]);
    rec_dataset_free(ds);
}
END_TEST

/* The same through every loss, with three negatives per positive (one of
 * them drawn twice) and both dropouts on; on one thread, as the threaded
 * passes are checked above and tiny parallel passes crawl on a loaded
 * machine. */
START_TEST(test_gradient_every_loss)
{
    rec_dataset *ds = small_graph();
    for (size_t l = 0; l < REC_TEST_N_LOSSES; l++) {
        const char *const *loss = rec_test_losses[l];
        const char *set[] = { "layers", "2", "mess_dropout", "0.2", "node_dropout", "0.1",
                              "reg", "0.01", "threads", "1", "negatives", "3", loss[0], loss[1],
                              loss[2], loss[3], NULL };
        check_gradients(ds, set, 3, loss[1]);
    }
    rec_dataset_free(ds);
}
END_TEST

/* Fold-in of a training user with its own layer-0 vector reproduces its
 * exported embedding, for each adjacency; the tensors survive save/load. */
START_TEST(test_fold_in_matches_propagation)
{
    static const char *const adj[] = { "left_loops", "left", "symmetric", "symmetric_loops" };
    rec_dataset *ds = small_graph();
    for (size_t a = 0; a < 4; a++) {
        const char *set[] = { "layers", "3", "dim", "6", "adjacency", adj[a], "epochs", "3",
                              "threads", "1", "lr", "0.01", NULL };
        rec_train_options *o = options(set);
        void *state = NULL;
        ck_assert_rec(rec_family_ngcf.setup(&state, ds, o), REC_OK, NULL);
        rec_epoch_report rep;
        memset(&rep, 0, sizeof rep);
        for (unsigned e = 0; e < 3; e++)
            ck_assert_rec(rec_family_ngcf.epoch(state, e, &rep), REC_OK, NULL);
        size_t rows, cols, ld;
        const float *E = rec_ngcf_parameter(state, 0, 0, &rows, &cols, &ld);
        float *e0 = malloc(rows * ld * sizeof *e0);
        memcpy(e0, E, rows * ld * sizeof *e0);
        rec_serving s;
        rec_tensors ts;
        memset(&ts, 0, sizeof ts);
        ck_assert_rec(rec_family_ngcf.export_state(state, &s, &ts), REC_OK, NULL);
        ck_assert_uint_eq(s.dim, 24);
        ck_assert_rec(rec_serving_finish(&s), REC_OK, NULL);
        rec_family_ngcf.destroy(state);
        rec_model *m = NULL;
        rec_train_summary sum = { 3, 3, NAN, 0, NAN, NAN };
        ck_assert_rec(rec_model_assemble(&m, &rec_family_ngcf, &s, &ts, rec_dataset_retain(ds),
                                         1, NULL, 0, &sum), REC_OK, NULL);
        for (uint32_t u = 0; u < rec_dataset_n_users(ds); u++) {
            const uint32_t *items;
            size_t k;
            rec_dataset_user_items(ds, u, &items, NULL, NULL, &k);
            float vec[24];
            ck_assert_rec(rec_ngcf_fold_in_from(m, items, k, e0 + u * ld, vec), REC_OK, NULL);
            for (size_t x = 0; x < 24; x++)
                ck_assert_msg(fabs(vec[x] - m->serving.U[u * m->serving.ld + x]) < 1e-4,
                              "%s: user %u column %zu: fold-in %g, propagation %g", adj[a], u,
                              x, (double)vec[x], (double)m->serving.U[u * m->serving.ld + x]);
            /* The public fold-in: layer 0 zero, the rest a unit vector per layer. */
            ck_assert_rec(rec_model_fold_in(m, items, k, vec), REC_OK, NULL);
            for (size_t x = 0; x < 6; x++)
                ck_assert(vec[x] == 0.0f);
        }
        char *path = rec_test_path("ngcf.rec");
        ck_assert_rec(rec_model_save(m, path, NULL), REC_OK, NULL);
        rec_model *l = NULL;
        ck_assert_rec(rec_model_load(&l, path), REC_OK, NULL);
        uint32_t items[] = { 1, 4 };
        float x1[24], x2[24];
        ck_assert_rec(rec_model_fold_in(m, items, 2, x1), REC_OK, NULL);
        ck_assert_rec(rec_model_fold_in(l, items, 2, x2), REC_OK, NULL);
        ck_assert(memcmp(x1, x2, sizeof x1) == 0);
        ck_assert(memcmp(m->serving.U, l->serving.U,
                         m->serving.n_users * m->serving.ld * sizeof(float)) == 0);
        rec_model_free(l);
        rec_model_free(m);
        free(path);
        free(e0);
        rec_train_options_free(o);
    }
    rec_dataset_free(ds);
}
END_TEST

/* NGCF learns: on data with taste groups it beats popularity clearly. */
START_TEST(test_ngcf_learns)
{
    rec_dataset *all = rec_test_groups_dataset(500, 250, 10, 10, 23);
    rec_dataset *tr = NULL, *te = NULL;
    ck_assert_rec(rec_dataset_split(&tr, &te, all, NULL), REC_OK, NULL);
    static const char *const set[] = { "threads", "1", "epochs", "40", "lr", "0.005",
                                       "batch", "512", "dim", "32", NULL };
    rec_train_options *o = options(set);
    rec_model *m = NULL;
    ck_assert_rec(rec_model_train(&m, tr, o), REC_OK, NULL);
    rec_train_options_free(o);
    ck_assert_rec(rec_train_options_new(&o, "pop"), REC_OK, NULL);
    rec_model *pop = NULL;
    ck_assert_rec(rec_model_train(&pop, tr, o), REC_OK, NULL);
    rec_train_options_free(o);
    double v[2];
    rec_model *models[2] = { m, pop };
    for (int k = 0; k < 2; k++) {
        rec_eval *ev = NULL;
        ck_assert_rec(rec_eval_run(&ev, models[k], NULL, te, NULL), REC_OK, NULL);
        ck_assert_rec(rec_eval_get(ev, "ndcg@20", &v[k]), REC_OK, NULL);
        rec_eval_free(ev);
    }
    ck_assert_msg(v[0] > 1.5 * v[1], "ngcf ndcg@20 %.4f vs pop %.4f", v[0], v[1]);
    ck_assert_uint_eq(rec_model_dim(m), 32 * 4);
    rec_model_free(m);
    rec_model_free(pop);
    rec_dataset_free(all);
    rec_dataset_free(tr);
    rec_dataset_free(te);
}
END_TEST

/* Default settings train exactly the model of the explicit default
 * objective: BPR, the uniform sampler, one negative. */
START_TEST(test_default_objective)
{
    static const char *const set[] = { "threads", "1", "epochs", "3", "batch", "128",
                                       "dim", "8", NULL };
    rec_test_default_objective("ngcf", set);
}
END_TEST

/* Every sampler with every loss trains, reports a finite loss and learns:
 * at least 2.5 times popularity's Recall@20 in 10 epochs (1.5 asserted). */
START_TEST(test_every_sampler_and_loss_learns)
{
    static const char *const set[] = { "threads", "1", "epochs", "10", "lr", "0.01",
                                       "batch", "256", "dim", "16", "layers", "2", NULL };
    rec_test_objectives_learn("ngcf", set, 1.5);
}
END_TEST

Suite *rec_test_suite(void)
{
    Suite *s = suite_create("ngcf");
    TCase *tc = tcase_create("ngcf");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, test_gradient_finite_differences);
    tcase_add_test(tc, test_gradient_every_loss);
    tcase_add_test(tc, test_fold_in_matches_propagation);
    tcase_add_test(tc, test_ngcf_learns);
    tcase_add_test(tc, test_every_sampler_and_loss_learns);
    tcase_add_test(tc, test_default_objective);
    suite_add_tcase(s, tc);
    return s;
}
