/* Model layer: hyperparameter tables and options, the negative sampler,
 * embedding tables, Adam, MF-BPR training (determinism, progress,
 * divergence) and end to end against popularity. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "librec/librec.h"
#include "core/alloc.h"
#include "core/rng.h"
#include "data/dataset.h"
#include "embed/adam.h"
#include "embed/sparse_grad.h"
#include "embed/table.h"
#include "kernels/kernels.h"
#include "model/family.h"
#include "model/model.h"
#include "sample/negative.h"

/* Every family's defaults parse, and every parameter round-trips through
 * its text form. */
START_TEST(test_param_tables)
{
    for (size_t f = 0; rec_family_name(f); f++) {
        const char *name = rec_family_name(f);
        rec_train_options *o = NULL;
        ck_assert_rec(rec_train_options_new(&o, name), REC_OK, NULL);
        rec_param_info info = REC_PARAM_INFO_INIT;
        for (size_t k = 0; rec_family_param(name, k, &info) == REC_OK; k++) {
            char buf[64];
            ck_assert_rec(rec_train_options_get(o, info.name, buf, sizeof buf), REC_OK, NULL);
            ck_assert_rec(rec_train_options_set(o, info.name, buf), REC_OK, NULL);
            ck_assert(info.help && *info.help);
            ck_assert(info.range && *info.range);
        }
        rec_train_options_free(o);
    }
    rec_param_info info = REC_PARAM_INFO_INIT;
    ck_assert_rec(rec_family_param("mf", 1000, &info), REC_ENOTFOUND, "past the end");
    ck_assert_rec(rec_family_param("nope", 0, &info), REC_ENOTFOUND, "unknown model family");
}
END_TEST

START_TEST(test_options_validation)
{
    rec_train_options *o = NULL;
    ck_assert_rec(rec_train_options_new(&o, "xyz"), REC_ENOTFOUND, "known: mf");
    ck_assert_ptr_null(o);
    ck_assert_rec(rec_train_options_new(&o, "mf"), REC_OK, NULL);
    ck_assert_rec(rec_train_options_set(o, "dims", "32"), REC_ENOTFOUND, "did you mean 'dim'?");
    ck_assert_rec(rec_train_options_set(o, "zzzzzz", "1"), REC_ENOTFOUND, "unknown parameter 'zzzzzz'");
    ck_assert_rec(rec_train_options_set(o, "lr", "0"), REC_EINVAL, "(0, 10]");
    ck_assert_rec(rec_train_options_set(o, "lr", "abc"), REC_EINVAL, "lr must be a number");
    ck_assert_rec(rec_train_options_set(o, "lr", "nan"), REC_EINVAL, NULL);
    ck_assert_rec(rec_train_options_set(o, "dim", "2.5"), REC_EINVAL, "dim must be an integer");
    ck_assert_rec(rec_train_options_set(o, "dim", "0"), REC_EINVAL, "out of range");
    ck_assert_rec(rec_train_options_set(o, "optimizer", "rmsprop"), REC_EINVAL, "sgd|adam");
    ck_assert_rec(rec_train_options_set(o, "optimizer", "adam"), REC_OK, NULL);
    ck_assert_rec(rec_train_options_set(o, "lr", "0.0025"), REC_OK, NULL);
    char buf[64];
    ck_assert_rec(rec_train_options_get(o, "optimizer", buf, sizeof buf), REC_OK, NULL);
    ck_assert_str_eq(buf, "adam");
    ck_assert_rec(rec_train_options_get(o, "lr", buf, sizeof buf), REC_OK, NULL);
    ck_assert_str_eq(buf, "0.0025");
    ck_assert_rec(rec_train_options_get(o, "lr", buf, 3), REC_EINVAL, "buffer");
    rec_train_options_free(o);
}
END_TEST

START_TEST(test_sampler_never_returns_positive)
{
    rec_dataset *ds = rec_test_groups_dataset(60, 40, 4, 30, 3);
    rec_rng r;
    rec_rng_seed(&r, 1, 2, 3);
    size_t n_items = rec_dataset_n_items(ds);
    for (uint32_t u = 0; u < rec_dataset_n_users(ds); u++) {
        size_t *count = calloc(n_items, sizeof *count);
        for (int k = 0; k < 2000; k++) {
            uint32_t j = rec_sample_negative(ds, u, &r);
            ck_assert_uint_lt(j, n_items);
            ck_assert(!rec_dataset_has(ds, u, j));
            count[j]++;
        }
        /* Every non-positive item is reachable. */
        for (uint32_t i = 0; i < n_items; i++)
            if (!rec_dataset_has(ds, u, i))
                ck_assert_uint_gt(count[i], 0);
        free(count);
    }
    rec_dataset_free(ds);

    /* A user with every item has no negative; one missing item is found. */
    int64_t users[] = { 0, 0, 0, 1, 1 }, items[] = { 0, 1, 2, 0, 1 };
    ck_assert_rec(rec_dataset_from_int_arrays(&ds, 5, users, items, NULL, NULL, NULL, NULL),
                  REC_OK, NULL);
    ck_assert_uint_eq(rec_sample_negative(ds, 0, &r), REC_NO_ITEM);
    for (int k = 0; k < 50; k++)
        ck_assert_uint_eq(rec_sample_negative(ds, 1, &r), 2);
    rec_dataset_free(ds);
}
END_TEST

START_TEST(test_table_init)
{
    rec_table a, b;
    ck_assert_int_eq(rec_table_alloc(&a, 3000, 10), REC_OK);
    ck_assert_int_eq(rec_table_alloc(&b, 3000, 10), REC_OK);
    ck_assert_uint_eq(a.ld, 16);
    rec_table_init(&a, REC_INIT_NORMAL, 0.1, 7, 0, 1);
    rec_table_init(&b, REC_INIT_NORMAL, 0.1, 7, 0, 4);
    /* The same values whatever the thread count; padding stays zero. */
    ck_assert(memcmp(a.data, b.data, 3000 * 16 * sizeof(float)) == 0);
    double s2 = 0;
    for (size_t r = 0; r < 3000; r++) {
        for (size_t c = 0; c < 16; c++) {
            float v = rec_table_row(&a, r)[c];
            if (c >= 10)
                ck_assert(v == 0.0f);
            else
                s2 += v * v;
        }
    }
    ck_assert_double_lt(fabs(sqrt(s2 / 30000) - 0.1), 0.005);
    rec_table_init(&b, REC_INIT_XAVIER, 0, 7, 1, 1);
    double bound = sqrt(6.0 / 3010.0);
    for (size_t r = 0; r < 3000; r++)
        for (size_t c = 0; c < 10; c++)
            ck_assert(fabs(rec_table_row(&b, r)[c]) <= bound);
    rec_table_free(&a);
    rec_table_free(&b);
    ck_assert_int_eq(rec_table_alloc(&a, 10, 0), REC_ELIMIT);
}
END_TEST

START_TEST(test_sparse_grad)
{
    rec_sparse_grad g;
    ck_assert_int_eq(rec_sparse_grad_init(&g, 16, 100), REC_OK);
    for (int round = 0; round < 3; round++) {
        for (uint32_t r = 0; r < 100; r++) {
            float *row = rec_sparse_grad_row(&g, r * 7919u + (uint32_t)round);
            ck_assert(row[0] == 0.0f);
            row[0] = (float)r;
        }
        ck_assert_uint_eq(g.n, 100);
        for (uint32_t r = 0; r < 100; r++)
            ck_assert(rec_sparse_grad_row(&g, r * 7919u + (uint32_t)round)[0] == (float)r);
        ck_assert_uint_eq(g.n, 100);
        rec_sparse_grad_clear(&g);
        ck_assert_uint_eq(g.n, 0);
        for (size_t h = 0; h < g.hcap; h++)
            ck_assert_uint_eq(g.hash[h], 0);
    }
    rec_sparse_grad_free(&g);
}
END_TEST

/* The cosine schedule goes from lr to lr * lr_final; constant stays. */
START_TEST(test_lr_schedule)
{
    rec_train_options *o = NULL;
    ck_assert_rec(rec_train_options_new(&o, "mf"), REC_OK, NULL);
    ck_assert_rec(rec_train_options_set(o, "lr", "0.1"), REC_OK, NULL);
    ck_assert_rec(rec_train_options_set(o, "epochs", "11"), REC_OK, NULL);
    for (unsigned e = 0; e < 11; e++)
        ck_assert_double_eq(rec_lr_for_epoch(o, e), 0.1);
    ck_assert_rec(rec_train_options_set(o, "lr_schedule", "cosine"), REC_OK, NULL);
    ck_assert_rec(rec_train_options_set(o, "lr_final", "0.2"), REC_OK, NULL);
    ck_assert_double_eq_tol(rec_lr_for_epoch(o, 0), 0.1, 1e-12);
    ck_assert_double_eq_tol(rec_lr_for_epoch(o, 5), 0.1 * (0.2 + 0.8 * 0.5), 1e-12);
    ck_assert_double_eq_tol(rec_lr_for_epoch(o, 10), 0.02, 1e-12);
    for (unsigned e = 1; e < 11; e++)
        ck_assert(rec_lr_for_epoch(o, e) < rec_lr_for_epoch(o, e - 1));
    ck_assert_rec(rec_train_options_set(o, "lr_final", "1.5"), REC_EINVAL, "[0, 1]");
    rec_train_options_free(o);
}
END_TEST

static rec_model *train_mf(const rec_dataset *ds, const char *const *settings)
{
    rec_train_options *o = NULL;
    ck_assert_rec(rec_train_options_new(&o, "mf"), REC_OK, NULL);
    for (size_t k = 0; settings && settings[k]; k += 2)
        ck_assert_rec(rec_train_options_set(o, settings[k], settings[k + 1]), REC_OK, NULL);
    rec_model *m = NULL;
    ck_assert_rec(rec_model_train(&m, ds, o), REC_OK, NULL);
    rec_train_options_free(o);
    return m;
}

START_TEST(test_mf_deterministic)
{
    rec_dataset *ds = rec_test_groups_dataset(200, 120, 6, 15, 1);
    static const char *const sgd[] = { "threads", "1", "epochs", "5", "seed", "42", NULL };
    static const char *const adam[] = { "threads", "1", "epochs", "5", "seed", "42",
                                        "optimizer", "adam", "lr", "0.01", "batch", "64", NULL };
    const char *const *variants[] = { sgd, adam };
    for (int v = 0; v < 2; v++) {
        rec_model *a = train_mf(ds, variants[v]), *b = train_mf(ds, variants[v]);
        size_t bytes = a->serving.n_users * a->serving.ld * sizeof(float);
        ck_assert(memcmp(a->serving.U, b->serving.U, bytes) == 0);
        bytes = a->serving.n_items * a->serving.ld * sizeof(float);
        ck_assert(memcmp(a->serving.V, b->serving.V, bytes) == 0);
        ck_assert(a->summary.final_loss == b->summary.final_loss);
        /* Saved files are identical byte for byte. */
        char *pa = rec_test_path("det_a.rec"), *pb = rec_test_path("det_b.rec");
        ck_assert_rec(rec_model_save(a, pa, NULL), REC_OK, NULL);
        ck_assert_rec(rec_model_save(b, pb, NULL), REC_OK, NULL);
        size_t na, nb;
        void *fa = rec_test_read_file(pa, &na), *fb = rec_test_read_file(pb, &nb);
        ck_assert_uint_eq(na, nb);
        ck_assert(memcmp(fa, fb, na) == 0);
        free(fa);
        free(fb);
        free(pa);
        free(pb);
        /* A different seed gives a different model. */
        rec_model_free(b);
        static const char *const other[] = { "threads", "1", "epochs", "5", "seed", "43", NULL };
        b = train_mf(ds, other);
        ck_assert(memcmp(a->serving.V, b->serving.V, 16 * sizeof(float)) != 0);
        rec_model_free(a);
        rec_model_free(b);
    }
    rec_dataset_free(ds);
}
END_TEST

typedef struct progress_log {
    unsigned calls, stop_after;
    double last_loss;
} progress_log;

static int on_progress(void *p, const rec_progress *pr)
{
    progress_log *l = p;
    l->calls++;
    ck_assert_uint_eq(pr->epoch, l->calls);
    ck_assert(isfinite(pr->loss) && pr->loss > 0);
    ck_assert(pr->seconds >= 0 && pr->total_seconds >= pr->seconds);
    l->last_loss = pr->loss;
    return l->stop_after && l->calls >= l->stop_after;
}

START_TEST(test_mf_progress_and_cancel)
{
    rec_dataset *ds = rec_test_groups_dataset(100, 60, 4, 10, 2);
    rec_train_options *o = NULL;
    ck_assert_rec(rec_train_options_new(&o, "mf"), REC_OK, NULL);
    ck_assert_rec(rec_train_options_set(o, "epochs", "6"), REC_OK, NULL);
    progress_log log = { 0, 0, 0 };
    ck_assert_rec(rec_train_options_set_progress(o, on_progress, &log), REC_OK, NULL);
    rec_model *m = NULL;
    ck_assert_rec(rec_model_train(&m, ds, o), REC_OK, NULL);
    ck_assert_uint_eq(log.calls, 6);
    ck_assert_uint_eq(m->summary.epochs, 6);
    ck_assert(m->summary.final_loss == log.last_loss);
    rec_model_free(m);

    log = (progress_log){ 0, 2, 0 };
    ck_assert_rec(rec_model_train(&m, ds, o), REC_ECANCELED, "after epoch 2 of 6");
    ck_assert_ptr_null(m);
    ck_assert_uint_eq(log.calls, 2);
    rec_train_options_free(o);
    rec_dataset_free(ds);
}
END_TEST

START_TEST(test_mf_divergence_is_an_error)
{
    rec_dataset *ds = rec_test_groups_dataset(100, 60, 4, 10, 2);
    static const char *const wild[] = { "lr", "10", "init_scale", "10", "reg", "0",
                                        "epochs", "20", "threads", "1", NULL };
    rec_train_options *o = NULL;
    ck_assert_rec(rec_train_options_new(&o, "mf"), REC_OK, NULL);
    for (size_t k = 0; wild[k]; k += 2)
        ck_assert_rec(rec_train_options_set(o, wild[k], wild[k + 1]), REC_OK, NULL);
    rec_model *m = NULL;
    ck_assert_rec(rec_model_train(&m, ds, o), REC_EINVAL, "diverged");
    ck_assert_ptr_null(m);
    rec_train_options_free(o);
    rec_dataset_free(ds);
}
END_TEST

START_TEST(test_empty_training_set)
{
    int64_t users[] = { 1 }, items[] = { 2 };
    rec_dataset *ds = NULL, *tr = NULL, *te = NULL;
    ck_assert_rec(rec_dataset_from_int_arrays(&ds, 1, users, items, NULL, NULL, NULL, NULL),
                  REC_OK, NULL);
    /* A split of a single interaction leaves the test part empty. */
    ck_assert_rec(rec_dataset_split(&tr, &te, ds, NULL), REC_OK, NULL);
    ck_assert_uint_eq(rec_dataset_n_interactions(te), 0);
    rec_train_options *o = NULL;
    ck_assert_rec(rec_train_options_new(&o, "mf"), REC_OK, NULL);
    rec_model *m = NULL;
    ck_assert_rec(rec_model_train(&m, te, o), REC_EINVAL, "no interactions");
    ck_assert_ptr_null(m);
    rec_train_options_free(o);
    rec_dataset_free(ds);
    rec_dataset_free(tr);
    rec_dataset_free(te);
}
END_TEST

static double eval_ndcg(const rec_model *m, const rec_dataset *test)
{
    rec_eval *ev = NULL;
    ck_assert_rec(rec_eval_run(&ev, m, NULL, test, NULL), REC_OK, NULL);
    double v;
    ck_assert_rec(rec_eval_get(ev, "ndcg@20", &v), REC_OK, NULL);
    rec_eval_free(ev);
    return v;
}

/* MF-BPR with its default settings beats popularity clearly on data with
 * taste groups, for both optimizers. */
START_TEST(test_mf_beats_popularity)
{
    rec_dataset *all = rec_test_groups_dataset(600, 300, 10, 25, 5);
    rec_dataset *tr = NULL, *te = NULL;
    ck_assert_rec(rec_dataset_split(&tr, &te, all, NULL), REC_OK, NULL);
    rec_train_options *o = NULL;
    ck_assert_rec(rec_train_options_new(&o, "pop"), REC_OK, NULL);
    rec_model *pop = NULL;
    ck_assert_rec(rec_model_train(&pop, tr, o), REC_OK, NULL);
    rec_train_options_free(o);
    double pop_ndcg = eval_ndcg(pop, te);

    rec_model *mf = train_mf(tr, NULL);
    double mf_ndcg = eval_ndcg(mf, te);
    static const char *const adam[] = { "optimizer", "adam", "lr", "0.01", "batch", "256",
                                        NULL };
    rec_model *mfa = train_mf(tr, adam);
    double adam_ndcg = eval_ndcg(mfa, te);
    ck_assert_msg(mf_ndcg > 1.5 * pop_ndcg, "mf ndcg@20 %.4f vs pop %.4f", mf_ndcg, pop_ndcg);
    ck_assert_msg(adam_ndcg > 1.5 * pop_ndcg, "mf/adam ndcg@20 %.4f vs pop %.4f", adam_ndcg,
                  pop_ndcg);
    rec_model_free(pop);
    rec_model_free(mf);
    rec_model_free(mfa);
    rec_dataset_free(all);
    rec_dataset_free(tr);
    rec_dataset_free(te);
}
END_TEST

typedef struct eval_log {
    unsigned n;
    unsigned epoch[1000];
    double recall[1000];
    unsigned best_epoch_reported;
} eval_log;

static int log_evaluations(void *p, const rec_progress *pr)
{
    eval_log *l = p;
    ck_assert_uint_ge(pr->version, 2);
    if (pr->evaluated) {
        ck_assert(isfinite(pr->valid_recall) && isfinite(pr->valid_ndcg));
        ck_assert(pr->eval_seconds >= 0);
        l->epoch[l->n] = pr->epoch;
        l->recall[l->n++] = pr->valid_recall;
    } else {
        ck_assert(isnan(pr->valid_recall));
    }
    l->best_epoch_reported = pr->best_epoch;
    return 0;
}

/* With validation data the model returned is the one of the best
 * evaluation, and training stops after early_stop evaluations without
 * improvement. */
START_TEST(test_validation_keeps_best_and_stops_early)
{
    rec_dataset *all = rec_test_groups_dataset(300, 150, 5, 20, 8);
    rec_dataset *tr = NULL, *va = NULL;
    ck_assert_rec(rec_dataset_split(&tr, &va, all, NULL), REC_OK, NULL);
    rec_train_options *o = NULL;
    ck_assert_rec(rec_train_options_new(&o, "mf"), REC_OK, NULL);
    static const char *const set[] = { "threads", "1", "epochs", "300", "eval_every", "2",
                                       "early_stop", "3", "lr", "0.1", "reg", "0", NULL };
    for (size_t k = 0; set[k]; k += 2)
        ck_assert_rec(rec_train_options_set(o, set[k], set[k + 1]), REC_OK, NULL);
    ck_assert_rec(rec_train_options_set_validation(o, va), REC_OK, NULL);
    eval_log log;
    memset(&log, 0, sizeof log);
    ck_assert_rec(rec_train_options_set_progress(o, log_evaluations, &log), REC_OK, NULL);
    rec_model *m = NULL;
    ck_assert_rec(rec_model_train(&m, tr, o), REC_OK, NULL);

    /* The best of the logged evaluations is the one kept. */
    unsigned best = 0;
    for (unsigned k = 1; k < log.n; k++)
        if (log.recall[k] > log.recall[best])
            best = k;
    rec_model_info info = REC_MODEL_INFO_INIT;
    ck_assert_rec(rec_model_info_get(m, &info), REC_OK, NULL);
    ck_assert_uint_eq(info.best_epoch, log.epoch[best]);
    ck_assert_uint_eq(log.best_epoch_reported, log.epoch[best]);
    ck_assert(info.valid_recall == log.recall[best]);
    ck_assert_uint_eq(info.eval_k, 20);
    /* Evaluating the returned model gives that recall again. */
    ck_assert(rec_test_recall20(m, va) == info.valid_recall);
    /* Without regularisation and with a large step the model overfits, so
     * training stops early, exactly three evaluations after the best. (The
     * run is deterministic: one thread, fixed seed.) */
    ck_assert_uint_lt(info.epochs, 300);
    ck_assert_uint_eq(log.n - 1 - best, 3);
    ck_assert_uint_eq(info.epochs, log.epoch[log.n - 1]);
    /* Every second epoch was evaluated, and the last one. */
    for (unsigned k = 0; k + 1 < log.n; k++)
        ck_assert_uint_eq(log.epoch[k], 2 * (k + 1));

    /* Validation data of another id space is refused. */
    rec_model_free(m);
    rec_dataset *stranger = rec_test_groups_dataset(10, 10, 2, 3, 1);
    ck_assert_rec(rec_train_options_set_validation(o, stranger), REC_OK, NULL);
    ck_assert_rec(rec_model_train(&m, tr, o), REC_EINVAL, "validation");
    ck_assert_ptr_null(m);
    rec_dataset_free(stranger);
    ck_assert_rec(rec_train_options_set_validation(o, NULL), REC_OK, NULL);
    ck_assert_rec(rec_train_options_set_validation(NULL, va), REC_EINVAL, "opts");
    rec_train_options_free(o);
    rec_dataset_free(all);
    rec_dataset_free(tr);
    rec_dataset_free(va);
}
END_TEST

/* Every allocation failure during training comes back as REC_ENOMEM. */
START_TEST(test_train_allocation_failures)
{
    rec_dataset *ds = rec_test_groups_dataset(50, 30, 3, 8, 9);
    static const char *const opts[][4] = {
        { "epochs", "2", "optimizer", "sgd" },
        { "epochs", "2", "optimizer", "adam" },
    };
    for (int v = 0; v < 2; v++) {
        rec_train_options *o = NULL;
        ck_assert_rec(rec_train_options_new(&o, "mf"), REC_OK, NULL);
        ck_assert_rec(rec_train_options_set(o, opts[v][0], opts[v][1]), REC_OK, NULL);
        ck_assert_rec(rec_train_options_set(o, opts[v][2], opts[v][3]), REC_OK, NULL);
        rec_test_train_alloc_sweep(ds, o);
        rec_train_options_free(o);
    }
    rec_dataset_free(ds);
}
END_TEST

Suite *rec_test_suite(void)
{
    Suite *s = suite_create("model");
    TCase *tc = tcase_create("model");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_param_tables);
    tcase_add_test(tc, test_options_validation);
    tcase_add_test(tc, test_lr_schedule);
    tcase_add_test(tc, test_sampler_never_returns_positive);
    tcase_add_test(tc, test_table_init);
    tcase_add_test(tc, test_sparse_grad);
    tcase_add_test(tc, test_mf_deterministic);
    tcase_add_test(tc, test_mf_progress_and_cancel);
    tcase_add_test(tc, test_mf_divergence_is_an_error);
    tcase_add_test(tc, test_empty_training_set);
    tcase_add_test(tc, test_mf_beats_popularity);
    tcase_add_test(tc, test_validation_keeps_best_and_stops_early);
    tcase_add_test(tc, test_train_allocation_failures);
    suite_add_tcase(s, tc);
    return s;
}
