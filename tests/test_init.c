/* Starting training from another model's embeddings
 * (rec_train_options_set_init_model): the graph models' layer 0 equals the
 * model's user and item rows (through LightGCN's node order too), the
 * embeddings are copied (the model may go), and mismatches, unsuitable
 * models and families that cannot take them are refused with a message. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "librec/librec.h"
#include "core/rng.h"
#include "model/family.h"
#include "model/graph_models.h"
#include "model/model.h"

/* A random dataset over `users` users and `items` items (every user and item
 * has at least one interaction). */
static rec_dataset *dataset(unsigned users, unsigned items, uint64_t seed)
{
    size_t n = 0, cap = (size_t)users * 4 + items;
    int64_t *u = malloc(cap * sizeof *u), *i = malloc(cap * sizeof *i);
    ck_assert(u && i);
    rec_rng r;
    rec_rng_seed(&r, seed, 0, 0);
    for (unsigned a = 0; a < users; a++)
        for (int k = 0; k < 4; k++) {
            u[n] = a;
            i[n++] = rec_rng_below(&r, items);
        }
    for (unsigned b = 0; b < items; b++) {
        u[n] = rec_rng_below(&r, users);
        i[n++] = b;
    }
    rec_load_options lo = REC_LOAD_OPTIONS_INIT;
    lo.duplicates = REC_DUPLICATES_FIRST;
    rec_dataset *ds = NULL;
    ck_assert_rec(rec_dataset_from_int_arrays(&ds, n, u, i, NULL, NULL, &lo, NULL), REC_OK,
                  NULL);
    free(u);
    free(i);
    return ds;
}

static rec_train_options *options(const char *family, const char *dim, const char *epochs)
{
    rec_train_options *o = NULL;
    ck_assert_rec(rec_train_options_new(&o, family), REC_OK, NULL);
    ck_assert_rec(rec_train_options_set(o, "dim", dim), REC_OK, NULL);
    ck_assert_rec(rec_train_options_set(o, "epochs", epochs), REC_OK, NULL);
    ck_assert_rec(rec_train_options_set(o, "threads", "2"), REC_OK, NULL);
    return o;
}

static rec_model *train(const rec_dataset *ds, const char *family, const char *dim)
{
    rec_train_options *o = options(family, dim, "3");
    rec_model *m = NULL;
    ck_assert_rec(rec_model_train(&m, ds, o), REC_OK, NULL);
    rec_train_options_free(o);
    return m;
}

/* Row v (users, then items) of a serving form. */
static const float *serving_row(const rec_model *m, size_t v)
{
    const rec_serving *s = &m->serving;
    return v < s->n_users ? s->U + v * s->ld : s->V + (v - s->n_users) * s->ld;
}

START_TEST(test_layer_zero_is_the_model)
{
    rec_dataset *ds = dataset(40, 30, 1);
    rec_model *mf = train(ds, "mf", "20");
    size_t n = rec_dataset_n_users(ds) + rec_dataset_n_items(ds);
    static const char *const families[] = { "lightgcn", "ngcf" };
    for (int f = 0; f < 2; f++) {
        rec_train_options *o = options(families[f], "20", "3");
        ck_assert_rec(rec_train_options_set_init_model(o, mf), REC_OK, NULL);
        /* Setting it again replaces it; NULL clears it. */
        ck_assert_rec(rec_train_options_set_init_model(o, NULL), REC_OK, NULL);
        ck_assert_ptr_null(o->init);
        ck_assert_rec(rec_train_options_set_init_model(o, mf), REC_OK, NULL);
        ck_assert_rec(rec_train_options_set_init_model(o, mf), REC_OK, NULL);
        void *state = NULL;
        const rec_family *fam = rec_family_find(families[f]);
        ck_assert_rec(fam->setup(&state, ds, o), REC_OK, NULL);
        for (size_t v = 0; v < n; v++) {
            const float *want = serving_row(mf, v), *got;
            if (f == 0) {
                size_t ld;
                got = rec_lightgcn_parameters(state, &ld) + rec_lightgcn_row(state, v) * ld;
            } else {
                size_t rows, cols, ld;
                got = rec_ngcf_parameter(state, 0, 0, &rows, &cols, &ld) + v * ld;
            }
            ck_assert(memcmp(got, want, 20 * sizeof(float)) == 0);
        }
        fam->destroy(state);
        /* Training from it runs and learns from there. */
        rec_model *m = NULL;
        ck_assert_rec(rec_model_train(&m, ds, o), REC_OK, NULL);
        rec_model_free(m);
        rec_train_options_free(o);
    }
    rec_model_free(mf);
    rec_dataset_free(ds);
}
END_TEST

/* The embeddings are copied: the model may be freed before training. */
START_TEST(test_model_may_go_first)
{
    rec_dataset *ds = dataset(30, 20, 2);
    rec_model *mf = train(ds, "mf", "16");
    rec_train_options *a = options("lightgcn", "16", "2"), *b = options("lightgcn", "16", "2");
    ck_assert_rec(rec_train_options_set_init_model(a, mf), REC_OK, NULL);
    ck_assert_rec(rec_train_options_set_init_model(b, mf), REC_OK, NULL);
    rec_model_free(mf);
    rec_model *ma = NULL, *mb = NULL;
    ck_assert_rec(rec_model_train(&ma, ds, a), REC_OK, NULL);
    ck_assert_rec(rec_model_train(&mb, ds, b), REC_OK, NULL);
    for (size_t v = 0; v < 50; v++)
        ck_assert(memcmp(serving_row(ma, v), serving_row(mb, v), 16 * sizeof(float)) == 0);
    rec_model_free(ma);
    rec_model_free(mb);
    rec_train_options_free(a);
    rec_train_options_free(b);
    rec_dataset_free(ds);
}
END_TEST

START_TEST(test_refusals)
{
    rec_dataset *ds = dataset(30, 20, 3), *other = dataset(31, 20, 4);
    rec_model *mf = train(ds, "mf", "16"), *m = NULL;

    /* Another dimension. */
    rec_train_options *o = options("ngcf", "32", "1");
    ck_assert_rec(rec_train_options_set_init_model(o, mf), REC_OK, NULL);
    ck_assert_rec(rec_model_train(&m, ds, o), REC_EINVAL, "dimension 16; dim is 32");
    ck_assert_ptr_null(m);
    rec_train_options_free(o);

    /* Other users. */
    o = options("lightgcn", "16", "1");
    ck_assert_rec(rec_train_options_set_init_model(o, mf), REC_OK, NULL);
    ck_assert_rec(rec_model_train(&m, other, o), REC_EINVAL, "users and items");
    ck_assert_ptr_null(m);
    rec_train_options_free(o);

    /* A family that cannot take it. */
    o = options("mf", "16", "1");
    ck_assert_rec(rec_train_options_set_init_model(o, mf), REC_OK, NULL);
    ck_assert_rec(rec_model_train(&m, ds, o), REC_EUNSUPPORTED, "mf family");
    ck_assert_ptr_null(m);
    rec_train_options_free(o);

    /* Models that do not score by plain inner products. */
    for (int q = 0; q < 2; q++) {
        rec_serving sv;
        ck_assert_rec(rec_serving_alloc(&sv, rec_dataset_n_users(ds), rec_dataset_n_items(ds),
                                        16, q ? REC_SCORING_DOT : REC_SCORING_NEG_SQDIST, q),
                      REC_OK, NULL);
        ck_assert_rec(rec_serving_finish(&sv), REC_OK, NULL);
        rec_tensors ts;
        memset(&ts, 0, sizeof ts);
        rec_train_summary sum = { 0, 0, NAN, 0, NAN, NAN };
        rec_model *odd = NULL;
        ck_assert_rec(rec_model_assemble(&odd, &rec_family_mf, &sv, &ts,
                                         rec_dataset_retain(ds), 0, NULL, 0, &sum),
                      REC_OK, NULL);
        o = options("ngcf", "16", "1");
        ck_assert_rec(rec_train_options_set_init_model(o, odd), REC_EINVAL,
                      q ? "item bias" : "distance");
        ck_assert_ptr_null(o->init);
        rec_train_options_free(o);
        rec_model_free(odd);
    }

    /* NULL options. */
    ck_assert_rec(rec_train_options_set_init_model(NULL, mf), REC_EINVAL, "opts");

    rec_model_free(mf);
    rec_dataset_free(ds);
    rec_dataset_free(other);
}
END_TEST

Suite *rec_test_suite(void)
{
    Suite *s = suite_create("init");
    TCase *tc = tcase_create("init");
    tcase_add_test(tc, test_layer_zero_is_the_model);
    tcase_add_test(tc, test_model_may_go_first);
    tcase_add_test(tc, test_refusals);
    suite_add_tcase(s, tc);
    return s;
}
