/* Every public function of the model, training, serving, evaluation and
 * model-file API refuses NULL and out-of-range arguments with REC_EINVAL
 * (or REC_ENOTFOUND for unknown names) and a message naming the argument,
 * and sets its out-pointer to NULL. (The dataset functions have the same
 * checks in test_data.c.) */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "librec/librec.h"

static rec_dataset *ds;
static rec_model *model;

static void setup(void)
{
    ds = rec_test_groups_dataset(30, 20, 2, 5, 1);
    rec_train_options *o = NULL;
    ck_assert_rec(rec_train_options_new(&o, "mf"), REC_OK, NULL);
    ck_assert_rec(rec_train_options_set(o, "epochs", "2"), REC_OK, NULL);
    ck_assert_rec(rec_model_train(&model, ds, o), REC_OK, NULL);
    rec_train_options_free(o);
}

static void teardown(void)
{
    rec_model_free(model);
    rec_dataset_free(ds);
}

#define SENTINEL ((void *)0x1)

START_TEST(test_core_and_families)
{
    ck_assert_ptr_nonnull(rec_version_string());
    ck_assert_ptr_nonnull(rec_strerror(-12345));
    ck_assert_ptr_nonnull(rec_last_error());
    ck_assert_str_eq(rec_family_name(0), "mf");
    ck_assert_ptr_null(rec_family_name(1000));
    rec_param_info info = REC_PARAM_INFO_INIT;
    ck_assert_rec(rec_family_param(NULL, 0, &info), REC_EINVAL, "family is NULL");
    ck_assert_rec(rec_family_param("mf", 0, NULL), REC_EINVAL, "info is NULL");
    info.version = 0;
    ck_assert_rec(rec_family_param("mf", 0, &info), REC_EINVAL, "info->version");
    info.version = 99;
    ck_assert_rec(rec_family_param("mf", 0, &info), REC_EINVAL, "info->version");
}
END_TEST

START_TEST(test_train_options)
{
    rec_train_options *o = SENTINEL;
    ck_assert_rec(rec_train_options_new(NULL, "mf"), REC_EINVAL, "out is NULL");
    ck_assert_rec(rec_train_options_new(&o, NULL), REC_EINVAL, "family is NULL");
    ck_assert_ptr_null(o);
    ck_assert_rec(rec_train_options_new(&o, "mf"), REC_OK, NULL);
    ck_assert_rec(rec_train_options_set(NULL, "lr", "1"), REC_EINVAL, "opts is NULL");
    ck_assert_rec(rec_train_options_set(o, NULL, "1"), REC_EINVAL, "name is NULL");
    ck_assert_rec(rec_train_options_set(o, "lr", NULL), REC_EINVAL, "value is NULL");
    char buf[8];
    ck_assert_rec(rec_train_options_get(NULL, "lr", buf, 8), REC_EINVAL, "opts is NULL");
    ck_assert_rec(rec_train_options_get(o, NULL, buf, 8), REC_EINVAL, "name is NULL");
    ck_assert_rec(rec_train_options_get(o, "lr", NULL, 8), REC_EINVAL, "buf is NULL");
    ck_assert_rec(rec_train_options_get(o, "lr", buf, 0), REC_EINVAL, "buffer");
    ck_assert_rec(rec_train_options_get(o, "nope", buf, 8), REC_ENOTFOUND, "nope");
    ck_assert_rec(rec_train_options_set_progress(NULL, NULL, NULL), REC_EINVAL, "opts");
    rec_train_options_free(NULL);

    rec_model *m = SENTINEL;
    ck_assert_rec(rec_model_train(NULL, ds, o), REC_EINVAL, "out is NULL");
    ck_assert_rec(rec_model_train(&m, NULL, o), REC_EINVAL, "train is NULL");
    ck_assert_ptr_null(m);
    m = SENTINEL;
    ck_assert_rec(rec_model_train(&m, ds, NULL), REC_EINVAL, "opts is NULL");
    ck_assert_ptr_null(m);
    rec_train_options_free(o);
}
END_TEST

START_TEST(test_model_inspection)
{
    rec_model_free(NULL);
    ck_assert_uint_eq(rec_model_n_users(NULL), 0);
    ck_assert_uint_eq(rec_model_n_items(NULL), 0);
    ck_assert_uint_eq(rec_model_dim(NULL), 0);
    ck_assert_ptr_null(rec_model_dataset(NULL));
    ck_assert_uint_eq(rec_model_n_users(model), 30);
    rec_model_info info = REC_MODEL_INFO_INIT;
    ck_assert_rec(rec_model_info_get(NULL, &info), REC_EINVAL, "model is NULL");
    ck_assert_rec(rec_model_info_get(model, NULL), REC_EINVAL, "info is NULL");
    info.version = 0;
    ck_assert_rec(rec_model_info_get(model, &info), REC_EINVAL, "info->version");
    char buf[4];
    ck_assert_rec(rec_model_setting(NULL, "lr", buf, 4), REC_EINVAL, "model is NULL");
    ck_assert_rec(rec_model_setting(model, NULL, buf, 4), REC_EINVAL, "name is NULL");
    ck_assert_rec(rec_model_setting(model, "lr", NULL, 4), REC_EINVAL, "buf is NULL");
    ck_assert_rec(rec_model_setting(model, "lr", buf, 4), REC_EINVAL, "buffer");
    ck_assert_rec(rec_model_setting(model, "layers", buf, 4), REC_ENOTFOUND, "layers");
}
END_TEST

START_TEST(test_serving)
{
    uint32_t items[3] = { 0, 1, 2 };
    float scores[3];
    ck_assert_rec(rec_model_score(NULL, 0, items, 3, scores), REC_EINVAL, "model is NULL");
    ck_assert_rec(rec_model_score(model, 30, items, 3, scores), REC_EINVAL, "user 30");
    ck_assert_rec(rec_model_score(model, 0, NULL, 3, scores), REC_EINVAL, "items is NULL");
    ck_assert_rec(rec_model_score(model, 0, items, 3, NULL), REC_EINVAL, "scores is NULL");
    ck_assert_rec(rec_model_score(model, 0, NULL, 0, NULL), REC_OK, NULL);
    uint32_t bad[1] = { 20 };
    ck_assert_rec(rec_model_score(model, 0, bad, 1, scores), REC_EINVAL, "items[0] = 20");

    size_t n = 99;
    ck_assert_rec(rec_recommend_options_init(NULL), REC_EINVAL, "opts");
    ck_assert_rec(rec_model_recommend(model, 0, 3, NULL, items, scores, NULL), REC_EINVAL,
                  "n_out is NULL");
    ck_assert_rec(rec_model_recommend(NULL, 0, 3, NULL, items, scores, &n), REC_EINVAL,
                  "model is NULL");
    ck_assert_uint_eq(n, 0);
    ck_assert_rec(rec_model_recommend(model, 31, 3, NULL, items, scores, &n), REC_EINVAL,
                  "user 31");
    ck_assert_rec(rec_model_recommend(model, 0, 3, NULL, NULL, scores, &n), REC_EINVAL,
                  "items is NULL");
    ck_assert_rec(rec_model_recommend(model, 0, 0, NULL, NULL, NULL, &n), REC_OK, NULL);
    ck_assert_uint_eq(n, 0);
    ck_assert_rec(rec_model_recommend(model, 0, 3, NULL, items, NULL, &n), REC_OK, NULL);
    ck_assert_uint_eq(n, 3);
    rec_recommend_options ro = REC_RECOMMEND_OPTIONS_INIT;
    ro.version = 0;
    ck_assert_rec(rec_model_recommend(model, 0, 3, &ro, items, scores, &n), REC_EINVAL,
                  "opts->version");
    ro.version = REC_RECOMMEND_OPTIONS_VERSION;
    ro.n_blocklist = 2;
    ck_assert_rec(rec_model_recommend(model, 0, 3, &ro, items, scores, &n), REC_EINVAL,
                  "blocklist is NULL");
    ro.blocklist = bad;
    ro.n_blocklist = 1;
    ck_assert_rec(rec_model_recommend(model, 0, 3, &ro, items, scores, &n), REC_EINVAL,
                  "blocklist[0] = 20");

    const char *ids[2] = { "0", "1" };
    const char *out_ids[3];
    ck_assert_rec(rec_model_score_ext(NULL, "0", ids, 2, scores), REC_EINVAL, "model");
    ck_assert_rec(rec_model_score_ext(model, NULL, ids, 2, scores), REC_EINVAL, "user is NULL");
    ck_assert_rec(rec_model_score_ext(model, "0", NULL, 2, scores), REC_EINVAL, "items is NULL");
    ck_assert_rec(rec_model_score_ext(model, "0", ids, 2, NULL), REC_EINVAL, "scores is NULL");
    ck_assert_rec(rec_model_score_ext(model, "ghost", ids, 2, scores), REC_ENOTFOUND, "ghost");
    const char *with_null[2] = { "0", NULL };
    ck_assert_rec(rec_model_score_ext(model, "0", with_null, 2, scores), REC_EINVAL,
                  "items[1] is NULL");
    const char *unknown[1] = { "999" };
    ck_assert_rec(rec_model_score_ext(model, "0", unknown, 1, scores), REC_ENOTFOUND, "'999'");
    ck_assert_rec(rec_model_recommend_ext(model, "0", 3, NULL, out_ids, scores, NULL),
                  REC_EINVAL, "n_out");
    ck_assert_rec(rec_model_recommend_ext(NULL, "0", 3, NULL, out_ids, scores, &n), REC_EINVAL,
                  "model");
    ck_assert_rec(rec_model_recommend_ext(model, NULL, 3, NULL, out_ids, scores, &n),
                  REC_EINVAL, "user is NULL");
    ck_assert_rec(rec_model_recommend_ext(model, "0", 3, NULL, NULL, scores, &n), REC_EINVAL,
                  "items is NULL");
    ck_assert_rec(rec_model_recommend_ext(model, "ghost", 3, NULL, out_ids, scores, &n),
                  REC_ENOTFOUND, "ghost");
    ck_assert_rec(rec_model_recommend_ext(model, "0", 3, NULL, out_ids, scores, &n), REC_OK,
                  NULL);
    ck_assert_uint_eq(n, 3);
}
END_TEST

START_TEST(test_eval_arguments)
{
    rec_eval *ev = SENTINEL;
    ck_assert_rec(rec_eval_options_init(NULL), REC_EINVAL, "opts");
    ck_assert_rec(rec_eval_run(NULL, model, NULL, ds, NULL), REC_EINVAL, "out is NULL");
    ck_assert_rec(rec_eval_run(&ev, NULL, NULL, ds, NULL), REC_EINVAL, "model is NULL");
    ck_assert_ptr_null(ev);
    ck_assert_rec(rec_eval_run(&ev, model, NULL, NULL, NULL), REC_EINVAL, "test is NULL");
    rec_eval_options eo = REC_EVAL_OPTIONS_INIT;
    eo.version = 7;
    ck_assert_rec(rec_eval_run(&ev, model, NULL, ds, &eo), REC_EINVAL, "opts->version");
    eo.version = REC_EVAL_OPTIONS_VERSION;
    eo.threads = 1000;
    ck_assert_rec(rec_eval_run(&ev, model, NULL, ds, &eo), REC_EINVAL, "threads");
    unsigned big = 200000;
    eo.threads = 0;
    eo.ks = &big;
    eo.n_ks = 1;
    ck_assert_rec(rec_eval_run(&ev, model, NULL, ds, &eo), REC_EINVAL, "ks[0]");

    ck_assert_rec(rec_eval_run(&ev, model, NULL, ds, NULL), REC_OK, NULL);
    double v;
    const char *name;
    ck_assert_rec(rec_eval_get(NULL, "recall@20", &v), REC_EINVAL, "ev is NULL");
    ck_assert_rec(rec_eval_get(ev, NULL, &v), REC_EINVAL, "name is NULL");
    ck_assert_rec(rec_eval_get(ev, "recall@20", NULL), REC_EINVAL, "value is NULL");
    ck_assert_rec(rec_eval_at(NULL, 0, &name, &v), REC_EINVAL, "ev is NULL");
    ck_assert_rec(rec_eval_at(ev, 0, NULL, &v), REC_EINVAL, "name is NULL");
    ck_assert_rec(rec_eval_at(ev, 0, &name, NULL), REC_EINVAL, "value is NULL");
    ck_assert_rec(rec_eval_at(ev, 99, &name, &v), REC_EINVAL, "index 99");
    ck_assert_uint_eq(rec_eval_count(NULL), 0);
    ck_assert_uint_eq(rec_eval_n_users(NULL), 0);
    ck_assert_uint_eq(rec_eval_n_users(ev), 30);
    rec_eval_free(ev);
    rec_eval_free(NULL);
}
END_TEST

START_TEST(test_file_arguments)
{
    char *path = rec_test_path("api.rec");
    ck_assert_rec(rec_save_options_init(NULL), REC_EINVAL, "opts");
    ck_assert_rec(rec_model_save(NULL, path, NULL), REC_EINVAL, "model is NULL");
    ck_assert_rec(rec_model_save(model, NULL, NULL), REC_EINVAL, "path is NULL");
    ck_assert_rec(rec_model_save(model, "", NULL), REC_EINVAL, "empty file name");
    rec_save_options so = REC_SAVE_OPTIONS_INIT;
    so.version = 0;
    ck_assert_rec(rec_model_save(model, path, &so), REC_EINVAL, "opts->version");
    rec_model *m = SENTINEL;
    ck_assert_rec(rec_model_load(NULL, path), REC_EINVAL, "out is NULL");
    ck_assert_rec(rec_model_load(&m, NULL), REC_EINVAL, "path is NULL");
    ck_assert_ptr_null(m);
    free(path);
}
END_TEST

/* The option initialisers equal their macros. */
START_TEST(test_option_initialisers)
{
    rec_load_options a, a0 = REC_LOAD_OPTIONS_INIT;
    rec_csv_options b, b0 = REC_CSV_OPTIONS_INIT;
    rec_split_options c, c0 = REC_SPLIT_OPTIONS_INIT;
    rec_recommend_options d, d0 = REC_RECOMMEND_OPTIONS_INIT;
    rec_eval_options e, e0 = REC_EVAL_OPTIONS_INIT;
    rec_save_options f, f0 = REC_SAVE_OPTIONS_INIT;
    memset(&a, 0xAB, sizeof a);
    memset(&b, 0xAB, sizeof b);
    memset(&c, 0xAB, sizeof c);
    memset(&d, 0xAB, sizeof d);
    memset(&e, 0xAB, sizeof e);
    memset(&f, 0xAB, sizeof f);
    rec_load_options_init(&a);
    rec_csv_options_init(&b);
    rec_split_options_init(&c);
    rec_recommend_options_init(&d);
    rec_eval_options_init(&e);
    rec_save_options_init(&f);
    ck_assert(a.version == a0.version && a.skip_bad_lines == a0.skip_bad_lines &&
              a.use_min_rating == a0.use_min_rating && a.min_rating == a0.min_rating &&
              a.duplicates == a0.duplicates && a.unknown_ids == a0.unknown_ids);
    ck_assert(b.version == b0.version && b.delimiter == b0.delimiter && b.quote == b0.quote &&
              b.has_header == b0.has_header && b.user_col == b0.user_col &&
              b.item_col == b0.item_col && b.rating_col == b0.rating_col &&
              b.time_col == b0.time_col);
    ck_assert(c.version == c0.version && c.method == c0.method &&
              c.train_ratio == c0.train_ratio && c.seed == c0.seed);
    ck_assert(d.version == d0.version && d.exclude_train == d0.exclude_train &&
              d.blocklist == d0.blocklist && d.n_blocklist == d0.n_blocklist &&
              d.candidates == d0.candidates && d.n_candidates == d0.n_candidates);
    ck_assert(e.version == e0.version && e.ks == e0.ks && e.n_ks == e0.n_ks &&
              e.threads == e0.threads && e.exclude_train == e0.exclude_train &&
              e.beyond_accuracy == e0.beyond_accuracy && e.protocol == e0.protocol &&
              e.sample_negatives == e0.sample_negatives && e.seed == e0.seed &&
              e.n_catalog == e0.n_catalog && e.item_counts == e0.item_counts &&
              e.n_train_users == e0.n_train_users);
    ck_assert(f.version == f0.version && f.keep_interactions == f0.keep_interactions);
}
END_TEST

Suite *rec_test_suite(void)
{
    Suite *s = suite_create("api");
    TCase *tc = tcase_create("api");
    tcase_add_unchecked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_core_and_families);
    tcase_add_test(tc, test_train_options);
    tcase_add_test(tc, test_model_inspection);
    tcase_add_test(tc, test_serving);
    tcase_add_test(tc, test_eval_arguments);
    tcase_add_test(tc, test_file_arguments);
    tcase_add_test(tc, test_option_initialisers);
    suite_add_tcase(s, tc);
    return s;
}
