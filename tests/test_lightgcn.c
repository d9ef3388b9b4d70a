/* LightGCN: the gradient through propagation against finite differences,
 * the final embeddings against a dense reference, fold-in against
 * propagation, the fold-in API, and LightGCN against MF-BPR. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "librec/librec.h"
#include "core/alloc.h"
#include "core/rng.h"
#include "data/dataset.h"
#include "model/family.h"
#include "model/graph_models.h"
#include "model/model.h"

/* A small random interaction graph: 12 users, 10 items, a user and an item
 * without interactions among them. */
static rec_dataset *small_graph(void)
{
    int64_t u[64], i[64];
    size_t n = 0;
    rec_rng r;
    rec_rng_seed(&r, 3, 4, 5);
    for (int user = 0; user < 11; user++)
        for (int k = 0; k < 4; k++) {
            u[n] = user;
            i[n++] = rec_rng_below(&r, 9);
        }
    rec_dataset *space = NULL, *ds = NULL;
    /* The id space holds users 0..11 and items 0..9; user 11 and item 9 have
     * no interactions in the dataset. */
    int64_t su[12], si[12];
    for (int k = 0; k < 12; k++) {
        su[k] = k;
        si[k] = k % 10;
    }
    ck_assert_rec(rec_dataset_from_int_arrays(&space, 12, su, si, NULL, NULL, NULL, NULL),
                  REC_OK, NULL);
    rec_load_options lo = REC_LOAD_OPTIONS_INIT;
    lo.duplicates = REC_DUPLICATES_FIRST;
    ck_assert_rec(rec_dataset_from_int_arrays(&ds, n, u, i, NULL, NULL, &lo, space), REC_OK,
                  NULL);
    rec_dataset_free(space);
    return ds;
}

static rec_train_options *options(const char *const *settings)
{
    rec_train_options *o = NULL;
    ck_assert_rec(rec_train_options_new(&o, "lightgcn"), REC_OK, NULL);
    for (size_t k = 0; settings && settings[k]; k += 2)
        ck_assert_rec(rec_train_options_set(o, settings[k], settings[k + 1]), REC_OK, NULL);
    return o;
}

/* Checks the gradient of the objective with respect to every layer-0
 * parameter against central finite differences, on six tuples (one user
 * twice) of k negatives each: item 9 (nobody has it), repeated, and items
 * the user does not have. */
static void check_gradient(const rec_dataset *ds, const char *const *settings, size_t k,
                           const char *what)
{
    size_t n_users = rec_dataset_n_users(ds), n_nodes = n_users + rec_dataset_n_items(ds);
    rec_train_options *o = options(settings);
    ck_assert_rec(rec_train_options_set(o, "init_scale", "0.5"), REC_OK, NULL);
    void *state = NULL;
    ck_assert_rec(rec_family_lightgcn.setup(&state, ds, o), REC_OK, NULL);
    uint32_t tu[] = { 0, 3, 3, 5, 7, 10 };
    uint32_t ti[6], tj[6 * 3];
    ck_assert_uint_le(k, 3);
    for (int t = 0; t < 6; t++) {
        const uint32_t *items;
        size_t n;
        ck_assert_rec(rec_dataset_user_items(ds, tu[t], &items, NULL, NULL, &n), REC_OK, NULL);
        ti[t] = (uint32_t)n_users + items[0];
        uint32_t free_item = 0;
        while (rec_dataset_has(ds, tu[t], free_item))
            free_item++;
        for (size_t q = 0; q < k; q++)
            tj[t * k + q] = (uint32_t)n_users + (q == 1 ? free_item : 9);
    }
    double loss;
    const float *g;
    ck_assert_rec(rec_lightgcn_objective(state, tu, ti, tj, 6, &loss, &g), REC_OK, NULL);
    ck_assert(isfinite(loss));
    size_t ld;
    float *E = rec_lightgcn_parameters(state, &ld);
    float *grad = malloc(n_nodes * ld * sizeof *grad);
    memcpy(grad, g, n_nodes * ld * sizeof *grad);
    const float h = 1e-2f;
    for (size_t v = 0; v < n_nodes; v++) {
        for (size_t x = 0; x < ld; x++) {
            if (x >= 5) { /* padding: no gradient */
                ck_assert(grad[v * ld + x] == 0.0f);
                continue;
            }
            float keep = E[v * ld + x];
            double up, down;
            E[v * ld + x] = keep + h;
            rec_lightgcn_objective(state, tu, ti, tj, 6, &up, &g);
            E[v * ld + x] = keep - h;
            rec_lightgcn_objective(state, tu, ti, tj, 6, &down, &g);
            E[v * ld + x] = keep;
            double fd = (up - down) / (2.0 * h);
            ck_assert_msg(fabs(fd - grad[v * ld + x]) < 2e-4 + 2e-3 * fabs(fd),
                          "%s: node %zu col %zu: analytic %g, finite differences %g", what, v,
                          x, (double)grad[v * ld + x], fd);
        }
    }
    free(grad);
    rec_family_lightgcn.destroy(state);
    rec_train_options_free(o);
}

/* The gradient of the objective with respect to every layer-0 parameter
 * equals central finite differences, for several depths and weightings. */
START_TEST(test_gradient_finite_differences)
{
    static const char *const cases[][11] = {
        { "layers", "3", "layer_weights", "uniform", "reg", "0.01", "dim", "5", NULL },
        { "layers", "2", "layer_weights", "0.5,0.3,0.2", "reg", "0", "dim", "5", NULL },
        { "layers", "1", "layer_weights", "uniform", "reg", "0.1", "dim", "5", NULL },
        { "layers", "0", "layer_weights", "uniform", "reg", "0.05", "dim", "5", NULL },
    };
    rec_dataset *ds = small_graph();
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++)
        check_gradient(ds, cases[c], 1, cases[c][1]);
    rec_dataset_free(ds);
}
END_TEST

/* The same through every loss, with three negatives per positive (one of
 * them drawn twice), at two depths; on one thread, as the threaded passes
 * are checked above and tiny parallel passes crawl on a loaded machine. */
START_TEST(test_gradient_every_loss)
{
    static const char *const depths[] = { "2", "1" };
    rec_dataset *ds = small_graph();
    for (size_t l = 0; l < REC_TEST_N_LOSSES; l++)
        for (size_t d = 0; d < 2; d++) {
            const char *const *loss = rec_test_losses[l];
            const char *set[] = { "layers", depths[d], "reg", "0.01", "dim", "5", "threads",
                                  "1", "negatives", "3", loss[0], loss[1], loss[2], loss[3],
                                  NULL };
            check_gradient(ds, set, 3, loss[1]);
        }
    rec_dataset_free(ds);
}
END_TEST

/* Dense M = D^-1/2 A D^-1/2 of a dataset, n_nodes x n_nodes. */
static double *dense_adjacency(const rec_dataset *ds)
{
    size_t nu = rec_dataset_n_users(ds), n = nu + rec_dataset_n_items(ds);
    double *M = calloc(n * n, sizeof *M);
    double *deg = calloc(n, sizeof *deg);
    for (uint32_t u = 0; u < nu; u++) {
        const uint32_t *items;
        size_t k;
        rec_dataset_user_items(ds, u, &items, NULL, NULL, &k);
        for (size_t j = 0; j < k; j++) {
            M[u * n + nu + items[j]] = M[(nu + items[j]) * n + u] = 1.0;
            deg[u] += 1;
            deg[nu + items[j]] += 1;
        }
    }
    for (size_t r = 0; r < n; r++)
        for (size_t c = 0; c < n; c++)
            if (M[r * n + c] != 0.0)
                M[r * n + c] /= sqrt(deg[r] * deg[c]);
    free(deg);
    return M;
}

/* The exported serving form holds sum_k alpha_k M^k E, computed densely
 * here; fold-in of a training user gives its final embedding without the
 * alpha_0 E_u term. */
START_TEST(test_export_and_fold_in_match_dense_propagation)
{
    rec_dataset *ds = small_graph();
    static const char *const set[] = { "layers", "3", "layer_weights", "0.1,0.2,0.3,0.4",
                                       "dim", "6", "init_scale", "0.5", NULL };
    rec_train_options *o = options(set);
    void *state = NULL;
    ck_assert_rec(rec_family_lightgcn.setup(&state, ds, o), REC_OK, NULL);
    size_t ld, nu = rec_dataset_n_users(ds), n = nu + rec_dataset_n_items(ds);
    const float *E = rec_lightgcn_parameters(state, &ld);
    double *M = dense_adjacency(ds);
    const double alpha[] = { 0.1, 0.2, 0.3, 0.4 };
    double *layer = calloc(n * 6, sizeof *layer), *next = calloc(n * 6, sizeof *next);
    double *final = calloc(n * 6, sizeof *final);
    for (size_t v = 0; v < n; v++)
        for (size_t x = 0; x < 6; x++)
            layer[v * 6 + x] = E[rec_lightgcn_row(state, v) * ld + x];
    for (int k = 0; k <= 3; k++) {
        for (size_t v = 0; v < n * 6; v++)
            final[v] += alpha[k] * layer[v];
        for (size_t r = 0; r < n; r++)
            for (size_t x = 0; x < 6; x++) {
                double acc = 0;
                for (size_t c = 0; c < n; c++)
                    acc += M[r * n + c] * layer[c * 6 + x];
                next[r * 6 + x] = acc;
            }
        double *t = layer;
        layer = next;
        next = t;
    }
    rec_serving s;
    rec_tensors ts;
    memset(&ts, 0, sizeof ts);
    ck_assert_rec(rec_family_lightgcn.export_state(state, &s, &ts), REC_OK, NULL);
    for (size_t v = 0; v < n; v++) {
        const float *row = v < nu ? s.U + v * s.ld : s.V + (v - nu) * s.ld;
        for (size_t x = 0; x < 6; x++)
            ck_assert_double_eq_tol(row[x], final[v * 6 + x], 1e-5);
    }

    /* Fold-in through a model assembled from this state. */
    float *e0 = malloc(n * ld * sizeof *e0); /* E in the dataset's order */
    for (size_t v = 0; v < n; v++)
        memcpy(e0 + v * ld, E + rec_lightgcn_row(state, v) * ld, ld * sizeof *e0);
    ck_assert_rec(rec_serving_finish(&s), REC_OK, NULL);
    rec_model *m = NULL;
    rec_train_summary sum = { 0, 0, NAN, 0, NAN, NAN };
    ck_assert_rec(rec_model_assemble(&m, &rec_family_lightgcn, &s, &ts, rec_dataset_retain(ds),
                                     1, NULL, 0, &sum), REC_OK, NULL);
    rec_family_lightgcn.destroy(state);
    for (uint32_t u = 0; u < nu; u++) {
        const uint32_t *items;
        size_t k;
        rec_dataset_user_items(ds, u, &items, NULL, NULL, &k);
        float vec[6];
        ck_assert_rec(rec_model_fold_in(m, items, k, vec), REC_OK, NULL);
        for (size_t x = 0; x < 6; x++)
            ck_assert_double_eq_tol(vec[x], final[u * 6 + x] - 0.1 * e0[u * ld + x], 1e-5);
        /* Scoring and recommending the vector of a training user's serving
         * row gives what the dense calls give. */
        float scores[10], direct[10];
        uint32_t all[10];
        for (uint32_t i = 0; i < 10; i++)
            all[i] = i;
        const float *urow = m->serving.U + u * m->serving.ld;
        float copy[6];
        memcpy(copy, urow, sizeof copy);
        ck_assert_rec(rec_model_score_vector(m, copy, all, 10, scores), REC_OK, NULL);
        ck_assert_rec(rec_model_score(m, u, all, 10, direct), REC_OK, NULL);
        for (int i = 0; i < 10; i++)
            ck_assert(scores[i] == direct[i]);
        uint32_t top_v[5], top_d[5];
        size_t nv, nd;
        rec_recommend_options ro = REC_RECOMMEND_OPTIONS_INIT;
        ro.blocklist = items;
        ro.n_blocklist = k;
        ck_assert_rec(rec_model_recommend_vector(m, copy, 5, &ro, top_v, NULL, &nv), REC_OK,
                      NULL);
        ck_assert_rec(rec_model_recommend(m, u, 5, NULL, top_d, NULL, &nd), REC_OK, NULL);
        ck_assert_uint_eq(nv, nd);
        ck_assert(memcmp(top_v, top_d, nv * sizeof *top_v) == 0);
    }
    /* Repeated items count once; no items give the zero vector. */
    uint32_t twice[] = { 1, 1, 2 }, once[] = { 1, 2 };
    float a[6], b[6];
    ck_assert_rec(rec_model_fold_in(m, twice, 3, a), REC_OK, NULL);
    ck_assert_rec(rec_model_fold_in(m, once, 2, b), REC_OK, NULL);
    ck_assert(memcmp(a, b, sizeof a) == 0);
    ck_assert_rec(rec_model_fold_in(m, NULL, 0, a), REC_OK, NULL);
    for (int x = 0; x < 6; x++)
        ck_assert(a[x] == 0.0f);
    uint32_t bad[] = { 10 };
    ck_assert_rec(rec_model_fold_in(m, bad, 1, a), REC_EINVAL, "items[0] = 10");
    ck_assert_rec(rec_model_fold_in(m, NULL, 1, a), REC_EINVAL, "items is NULL");
    ck_assert_rec(rec_model_fold_in(NULL, once, 1, a), REC_EINVAL, "model is NULL");

    /* The tensors survive a save and a load. */
    char *path = rec_test_path("lightgcn.rec");
    ck_assert_rec(rec_model_save(m, path, NULL), REC_OK, NULL);
    rec_model *l = NULL;
    ck_assert_rec(rec_model_load(&l, path), REC_OK, NULL);
    ck_assert_rec(rec_model_fold_in(l, once, 2, a), REC_OK, NULL);
    ck_assert(memcmp(a, b, sizeof a) == 0);
    rec_model_info info = REC_MODEL_INFO_INIT;
    ck_assert_rec(rec_model_info_get(l, &info), REC_OK, NULL);
    ck_assert_int_eq(info.can_fold_in, 1);
    ck_assert_str_eq(info.family, "lightgcn");
    rec_model_free(l);
    free(path);

    rec_model_free(m);
    free(e0);
    free(M);
    free(layer);
    free(next);
    free(final);
    rec_train_options_free(o);
    rec_dataset_free(ds);
}
END_TEST

static double ndcg20(const rec_model *m, const rec_dataset *test)
{
    rec_eval *ev = NULL;
    ck_assert_rec(rec_eval_run(&ev, m, NULL, test, NULL), REC_OK, NULL);
    double v;
    ck_assert_rec(rec_eval_get(ev, "ndcg@20", &v), REC_OK, NULL);
    rec_eval_free(ev);
    return v;
}

/* On data with taste groups and few interactions per user (five), where
 * propagation over the graph helps most, LightGCN beats MF-BPR clearly (both
 * deterministic: one thread, fixed seeds). */
START_TEST(test_lightgcn_beats_mf)
{
    rec_dataset *all = rec_test_groups_dataset(800, 400, 10, 5, 21);
    rec_dataset *tr = NULL, *te = NULL;
    ck_assert_rec(rec_dataset_split(&tr, &te, all, NULL), REC_OK, NULL);
    static const char *const lg[] = { "threads", "1", "epochs", "100", "lr", "0.01",
                                      "batch", "512", NULL };
    rec_train_options *o = options(lg);
    rec_model *lgm = NULL;
    ck_assert_rec(rec_model_train(&lgm, tr, o), REC_OK, NULL);
    rec_train_options_free(o);
    ck_assert_rec(rec_train_options_new(&o, "mf"), REC_OK, NULL);
    ck_assert_rec(rec_train_options_set(o, "threads", "1"), REC_OK, NULL);
    rec_model *mf = NULL;
    ck_assert_rec(rec_model_train(&mf, tr, o), REC_OK, NULL);
    rec_train_options_free(o);
    double a = ndcg20(lgm, te), b = ndcg20(mf, te);
    ck_assert_msg(a > 1.1 * b, "lightgcn ndcg@20 %.4f vs mf %.4f", a, b);
    rec_model_free(lgm);
    rec_model_free(mf);
    rec_dataset_free(all);
    rec_dataset_free(tr);
    rec_dataset_free(te);
}
END_TEST

/* With validation data, the model returned holds the parameters of the best
 * evaluation (kept as a parameter snapshot and exported at the end): its
 * Recall on the validation data is exactly the one recorded, even when
 * later epochs were worse. */
START_TEST(test_best_parameters_kept)
{
    rec_dataset *all = rec_test_groups_dataset(400, 200, 8, 6, 5);
    rec_dataset *tr = NULL, *va = NULL;
    ck_assert_rec(rec_dataset_split(&tr, &va, all, NULL), REC_OK, NULL);
    static const char *const set[] = { "threads", "1", "epochs", "200", "lr", "0.05",
                                       "lr_schedule", "constant", "batch", "256", "reg", "0",
                                       "eval_every", "2", "early_stop", "3", NULL };
    rec_train_options *o = options(set);
    ck_assert_rec(rec_train_options_set_validation(o, va), REC_OK, NULL);
    rec_model *m = NULL;
    ck_assert_rec(rec_model_train(&m, tr, o), REC_OK, NULL);
    rec_model_info info = REC_MODEL_INFO_INIT;
    ck_assert_rec(rec_model_info_get(m, &info), REC_OK, NULL);
    ck_assert_uint_lt(info.best_epoch, info.epochs); /* later epochs were worse */
    ck_assert_uint_lt(info.epochs, 200);             /* and training stopped early */
    ck_assert(rec_test_recall20(m, va) == info.valid_recall);
    /* Fold-in data comes from the same (best) state. */
    ck_assert_int_eq(info.can_fold_in, 1);
    ck_assert_ptr_nonnull(rec_tensors_find(&m->tensors, "item_layer_2"));
    rec_model_free(m);
    rec_train_options_free(o);
    rec_dataset_free(all);
    rec_dataset_free(tr);
    rec_dataset_free(va);
}
END_TEST

/* Every sampler with every loss trains, reports a finite loss and learns:
 * at least twice popularity's Recall@20 in 10 epochs (1.5 asserted). */
START_TEST(test_every_sampler_and_loss_learns)
{
    static const char *const set[] = { "threads", "1", "epochs", "10", "lr", "0.05",
                                       "batch", "256", "dim", "16", NULL };
    rec_test_objectives_learn("lightgcn", set, 1.5);
}
END_TEST

/* Default settings train exactly the model of the explicit default
 * objective: BPR, the uniform sampler, one negative. */
START_TEST(test_default_objective)
{
    static const char *const set[] = { "threads", "1", "epochs", "3", "batch", "128",
                                       "dim", "8", NULL };
    rec_test_default_objective("lightgcn", set);
}
END_TEST

/* A wrong number of layer weights is refused when training starts. */
START_TEST(test_layer_weights_count)
{
    rec_dataset *ds = small_graph();
    static const char *const set[] = { "layers", "2", "layer_weights", "0.5,0.5", NULL };
    rec_train_options *o = options(set);
    rec_model *m = NULL;
    ck_assert_rec(rec_model_train(&m, ds, o), REC_EINVAL, "layers = 2 needs 3");
    ck_assert_rec(rec_train_options_set(o, "layer_weights", "1,x"), REC_EINVAL, "uniform");
    ck_assert_rec(rec_train_options_set(o, "layer_weights", "1,-1,0"), REC_EINVAL, NULL);
    rec_train_options_free(o);
    rec_dataset_free(ds);
}
END_TEST

Suite *rec_test_suite(void)
{
    Suite *s = suite_create("lightgcn");
    TCase *tc = tcase_create("lightgcn");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, test_gradient_finite_differences);
    tcase_add_test(tc, test_gradient_every_loss);
    tcase_add_test(tc, test_export_and_fold_in_match_dense_propagation);
    tcase_add_test(tc, test_lightgcn_beats_mf);
    tcase_add_test(tc, test_layer_weights_count);
    tcase_add_test(tc, test_every_sampler_and_loss_learns);
    tcase_add_test(tc, test_default_objective);
    tcase_add_test(tc, test_best_parameters_kept);
    suite_add_tcase(s, tc);
    return s;
}
