/* Allocation failure across the whole pipeline: every call a host makes,
 * from loading data to serving a loaded model, is run with its n-th
 * allocation failing for every n until it succeeds. Each failing run must
 * return REC_ENOMEM, leave its out-pointers NULL and free what it made
 * (LeakSanitizer checks the last part in the sanitizer build). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "librec/librec.h"

/* What the operations share: data, a model per family, files. */
typedef struct fixture {
    rec_dataset *all, *train, *test;
    char *csv, *adjlist, *model_file;
    rec_model *mf, *graph;
    const char *family;              /* train_family */
    const char *const *settings;
} fixture;

static fixture fx;

static void setup(void)
{
    fx.all = rec_test_groups_dataset(40, 30, 3, 8, 6);
    ck_assert_rec(rec_dataset_split(&fx.train, &fx.test, fx.all, NULL), REC_OK, NULL);
    fx.csv = rec_test_write_file("n.csv", "user,item,rating\nu1,i1,4\nu1,i2,5\nu2,i1,3\n"
                                          "u3,i3,1\nu2,i3,2\n");
    fx.adjlist = rec_test_write_file("n.txt", "0 1 2 3\n1 2\n2 0 3\n");
    fx.model_file = rec_test_path("n.rec");
    rec_train_options *o = NULL;
    ck_assert_rec(rec_train_options_new(&o, "mf"), REC_OK, NULL);
    ck_assert_rec(rec_train_options_set(o, "epochs", "2"), REC_OK, NULL);
    ck_assert_rec(rec_train_options_set(o, "dim", "4"), REC_OK, NULL);
    ck_assert_rec(rec_model_train(&fx.mf, fx.train, o), REC_OK, NULL);
    rec_train_options_free(o);
    ck_assert_rec(rec_train_options_new(&o, "lightgcn"), REC_OK, NULL);
    ck_assert_rec(rec_train_options_set(o, "epochs", "1"), REC_OK, NULL);
    ck_assert_rec(rec_train_options_set(o, "dim", "4"), REC_OK, NULL);
    ck_assert_rec(rec_train_options_set(o, "batch", "64"), REC_OK, NULL);
    ck_assert_rec(rec_model_train(&fx.graph, fx.train, o), REC_OK, NULL);
    rec_train_options_free(o);
    ck_assert_rec(rec_model_save(fx.mf, fx.model_file, NULL), REC_OK, NULL);
}

static void teardown(void)
{
    rec_model_free(fx.mf);
    rec_model_free(fx.graph);
    rec_dataset_free(fx.all);
    rec_dataset_free(fx.train);
    rec_dataset_free(fx.test);
    free(fx.csv);
    free(fx.adjlist);
    free(fx.model_file);
    memset(&fx, 0, sizeof fx);
}

/* ---- Data ---- */

static int load_csv(void *p)
{
    (void)p;
    rec_csv_options csv = REC_CSV_OPTIONS_INIT;
    csv.rating_col = 2;
    rec_dataset *ds = NULL;
    int rc = rec_dataset_load_csv(&ds, fx.csv, &csv, NULL, NULL);
    if (rc != REC_OK)
        ck_assert_ptr_null(ds);
    rec_dataset_free(ds);
    return rc;
}

static int load_adjlist(void *p)
{
    (void)p;
    rec_dataset *ds = NULL, *again = NULL;
    int rc = rec_dataset_load_adjlist(&ds, fx.adjlist, NULL, NULL);
    /* A second file into the first one's id space. */
    if (rc == REC_OK)
        rc = rec_dataset_load_adjlist(&again, fx.adjlist, NULL, ds);
    if (rc != REC_OK)
        ck_assert_ptr_null(again);
    rec_dataset_free(again);
    rec_dataset_free(ds);
    return rc;
}

static int split(void *p)
{
    (void)p;
    rec_dataset *a = NULL, *b = NULL;
    int rc = rec_dataset_split(&a, &b, fx.all, NULL);
    if (rc != REC_OK)
        ck_assert(a == NULL && b == NULL);
    rec_dataset_free(a);
    rec_dataset_free(b);
    return rc;
}

START_TEST(test_data_calls)
{
    ck_assert_int_gt(rec_test_alloc_sweep(load_csv, NULL), 0);
    ck_assert_int_gt(rec_test_alloc_sweep(load_adjlist, NULL), 0);
    ck_assert_int_gt(rec_test_alloc_sweep(split, NULL), 0);
}
END_TEST

/* ---- Training: every family, on the general paths too ---- */

START_TEST(test_training_every_family)
{
    static const char *const runs[][9] = {
        { "pop", NULL },
        { "mf", "epochs", "1", "dim", "4", NULL },
        { "mf", "epochs", "1", "dim", "4", "sampler", "pop", "optimizer", "adam" },
        { "cml", "epochs", "1", "dim", "4", "sampler", "dns", NULL },
        { "relmf", "epochs", "1", "dim", "4", "negatives", "2", NULL },
        { "nbpo", "epochs", "1", "dim", "4", "flip_dim", "2", NULL },
        { "lightgcn", "epochs", "1", "dim", "4", "batch", "64", "sampler", "inbatch" },
        { "ngcf", "epochs", "1", "dim", "4", "batch", "64", "layers", "1" },
    };
    for (size_t r = 0; r < sizeof runs / sizeof *runs; r++) {
        rec_train_options *o = NULL;
        ck_assert_rec(rec_train_options_new(&o, runs[r][0]), REC_OK, NULL);
        for (size_t k = 1; k + 1 < 9 && runs[r][k]; k += 2)
            ck_assert_rec(rec_train_options_set(o, runs[r][k], runs[r][k + 1]), REC_OK, NULL);
        /* With validation data, so that evaluation during training fails too. */
        if (strcmp(runs[r][0], "pop"))
            ck_assert_rec(rec_train_options_set_validation(o, fx.test), REC_OK, NULL);
        rec_test_train_alloc_sweep(fx.train, o);
        rec_train_options_free(o);
    }
}
END_TEST

/* ---- Evaluation ---- */

static int evaluate(void *p)
{
    const rec_eval_options *eo = p;
    rec_eval *ev = NULL;
    int rc = rec_eval_run(&ev, fx.mf, fx.train, fx.test, eo);
    if (rc != REC_OK)
        ck_assert_ptr_null(ev);
    rec_eval_free(ev);
    return rc;
}

START_TEST(test_evaluation)
{
    static const unsigned ks[] = { 5, 10 };
    rec_eval_options eo = REC_EVAL_OPTIONS_INIT;
    eo.ks = ks;
    eo.n_ks = 2;
    ck_assert_int_gt(rec_test_alloc_sweep(evaluate, &eo), 0);
    eo.protocol = REC_EVAL_SAMPLED_POPULARITY;
    eo.sample_negatives = 5;
    ck_assert_int_gt(rec_test_alloc_sweep(evaluate, &eo), 0);
}
END_TEST

/* ---- Files ---- */

static int save(void *p)
{
    (void)p;
    char *path = rec_test_path("n-save.rec");
    int rc = rec_model_save(fx.graph, path, NULL);
    free(path);
    return rc;
}

static int load(void *p)
{
    int mapped = *(const int *)p;
    rec_model *m = NULL;
    int rc = mapped ? rec_model_load_mapped(&m, fx.model_file) : rec_model_load(&m, fx.model_file);
    if (rc != REC_OK)
        ck_assert_ptr_null(m);
    rec_model_free(m);
    return rc;
}

START_TEST(test_files)
{
    ck_assert_int_gt(rec_test_alloc_sweep(save, NULL), 0);
    int mapped = 0;
    ck_assert_int_gt(rec_test_alloc_sweep(load, &mapped), 0);
    mapped = 1;
    ck_assert_int_gt(rec_test_alloc_sweep(load, &mapped), 0);
}
END_TEST

/* ---- Serving ---- */

static int serve(void *p)
{
    const rec_model *m = p;
    uint32_t users[3] = { 0, 1, 2 }, items[30];
    float scores[30], vec[64];
    size_t n[3];
    int rc = rec_model_recommend_batch(m, users, 3, 10, NULL, 2, items, scores, n);
    if (rc == REC_OK)
        rc = rec_model_recommend(m, 1, 10, NULL, items, scores, n);
    if (rc == REC_OK)
        rc = rec_model_similar_items(m, 0, 5, REC_SIMILARITY_COSINE, items, scores, n);
    const uint32_t liked[3] = { 1, 4, 7 };
    if (rc == REC_OK)
        rc = rec_model_fold_in(m, liked, 3, vec);
    if (rc == REC_OK)
        rc = rec_model_recommend_vector(m, vec, 10, NULL, items, scores, n);
    return rc;
}

static int sample(void *p)
{
    (void)p;
    rec_sampler_options so = REC_SAMPLER_OPTIONS_INIT;
    so.kind = REC_SAMPLER_POPULARITY;
    so.negatives = 2;
    rec_sampler *s = NULL;
    int rc = rec_sampler_new(&s, fx.train, &so);
    uint32_t u[8], pos[8], neg[16];
    if (rc == REC_OK)
        rc = rec_sampler_next(s, NULL, 8, u, pos, neg);
    else
        ck_assert_ptr_null(s);
    rec_sampler_free(s);
    return rc;
}

START_TEST(test_serving_and_sampling)
{
    ck_assert_uint_le(rec_model_dim(fx.mf), 64);
    ck_assert_uint_le(rec_model_dim(fx.graph), 64);
    rec_test_alloc_sweep(serve, fx.mf);
    rec_test_alloc_sweep(serve, fx.graph);
    ck_assert_int_gt(rec_test_alloc_sweep(sample, NULL), 0);
}
END_TEST

Suite *rec_test_suite(void)
{
    Suite *s = suite_create("nomem");
    TCase *tc = tcase_create("nomem");
    tcase_set_timeout(tc, 600);
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_data_calls);
    tcase_add_test(tc, test_training_every_family);
    tcase_add_test(tc, test_evaluation);
    tcase_add_test(tc, test_files);
    tcase_add_test(tc, test_serving_and_sampling);
    suite_add_tcase(s, tc);
    return s;
}
